"""engine.metrics.training_curves: the one epoch record, its best epoch, and the label noise
both demos use."""

from __future__ import annotations

import numpy as np
import pytest

from engine.metrics.training_curves import (
    EpochRecord,
    PatienceStop,
    best_epoch,
    patience_stop,
    with_label_noise,
)


def _record(epoch: int, val_loss: float, elapsed_s: float = 0.0) -> EpochRecord:
    return EpochRecord(
        epoch=epoch,
        train_loss=1.0,
        val_loss=val_loss,
        val_accuracy=0.5,
        val_macro_f1=0.5,
        elapsed_s=elapsed_s,
        epoch_s=0.1,
        trainable_scalars=10,
    )


def test_patience_stops_after_that_many_epochs_without_a_new_low_and_keeps_the_low():
    losses = [1.0, 0.5, 0.52, 0.6, 0.45, 0.7, 0.8, 0.9, 1.0]
    history = [_record(epoch, loss) for epoch, loss in enumerate(losses, start=1)]
    assert patience_stop(history, 2) == PatienceStop(history[1], 4)  # misses the later 0.45
    assert patience_stop(history, 3) == PatienceStop(history[4], 8)


def test_a_run_that_never_runs_out_of_patience_keeps_its_lowest_epoch():
    history = [_record(1, 0.9), _record(2, 0.4), _record(3, 0.4), _record(4, 0.3)]
    assert patience_stop(history, 2) == PatienceStop(history[3], 4)
    with pytest.raises(ValueError, match="patience must be 1 or more"):
        patience_stop(history, 0)


def test_the_best_epoch_is_the_lowest_validation_loss_and_the_earliest_on_a_tie():
    history = [_record(1, 0.9), _record(2, 0.4), _record(3, 0.4), _record(4, 0.6)]
    assert best_epoch(history) == history[1]


def test_a_run_without_epochs_has_no_best_epoch():
    with pytest.raises(ValueError, match=r"No epoch ran, so there is no best epoch\."):
        best_epoch([])


def test_two_records_with_the_same_numbers_are_equal_whatever_the_timings():
    assert _record(1, 0.5, elapsed_s=1.0) == _record(1, 0.5, elapsed_s=9.0)


def test_label_noise_moves_the_stated_share_to_a_wrong_class_the_same_way_each_time():
    labels = np.repeat(np.arange(10), 20)
    noisy = with_label_noise(labels, 0.25, 10, seed=3)
    assert (noisy != labels).sum() == 50
    assert noisy.min() >= 0 and noisy.max() <= 9
    assert np.array_equal(noisy, with_label_noise(labels, 0.25, 10, seed=3))
    assert not np.array_equal(noisy, with_label_noise(labels, 0.25, 10, seed=4))
    assert np.array_equal(labels, np.repeat(np.arange(10), 20))  # the input is left alone


def test_label_noise_on_two_classes_flips_them():
    labels = np.array([0, 1] * 50)
    noisy = with_label_noise(labels, 0.1, 2, seed=0)
    flipped = noisy != labels
    assert flipped.sum() == 10 and np.array_equal(noisy[flipped], 1 - labels[flipped])


def test_label_noise_refuses_a_share_outside_zero_to_one():
    with pytest.raises(ValueError, match=r"share must lie in \[0, 1\], got 1\.5\."):
        with_label_noise(np.array([0, 1]), 1.5, 2, seed=0)
