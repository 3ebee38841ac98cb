"""engine.lab.results lays a session's runs side by side: one row and one curve per run."""

from __future__ import annotations

import dataclasses

import numpy as np
from sklearn.metrics import average_precision_score, recall_score

from engine.lab.config import FinetuneConfig
from engine.lab.freeze import Preset, preset_plan
from engine.lab.results import (
    LabRun,
    Retention,
    RunResult,
    rare_class_validation,
    runs_table,
    validation_losses,
    weights_label,
)
from engine.metrics.training_curves import EpochRecord


def _record(epoch: int, val_loss: float, trainable: int) -> EpochRecord:
    return EpochRecord(
        epoch=epoch, train_loss=1.0, val_loss=val_loss, val_accuracy=0.5, val_macro_f1=0.5,
        elapsed_s=float(epoch), epoch_s=0.25, trainable_scalars=trainable,
    )  # fmt: skip


def _run(label: str, history: list[EpochRecord], retention: Retention | None) -> LabRun:
    result = RunResult(
        history=history, best_epoch=1, weights_epoch=len(history), restored_best=False,
        stopped_early=False, val_accuracy=0.5, val_macro_f1=0.4, test_accuracy=0.91234,
        test_macro_precision=0.9, test_macro_recall=0.9, test_macro_f1=0.87654, per_class=[],
        confusion=[[1]], class_names=("0",), retention=retention, device="cpu",
        used_cached_features=True, cancelled=False, seconds_per_epoch=0.01234, total_s=1.0,
        test_probabilities=np.zeros((1, 1)), test_labels=np.zeros(1),
    )  # fmt: skip
    config = FinetuneConfig(
        preset_plan(Preset.LINEAR_PROBE), train_size=50, epochs=max(1, len(history))
    )
    return LabRun(label, config, result)


def test_each_run_is_one_row_in_order_with_its_last_epochs_trainable_count():
    runs = [
        _run(
            "#1 probe",
            [_record(1, 0.9, 1290), _record(2, 0.8, 1290)],
            Retention(0.9, 0.45, 0.95, 0.8),
        ),
        _run("#2 stopped", [], None),
    ]
    first, stopped = runs_table(runs)
    assert first == {
        "run": "#1 probe", "task": "digits", "train images": 50, "epochs": 2,
        "weights from": "epoch 2 (last)", "trainable": 1290, "validation accuracy": 0.5,
        "validation macro-F1": 0.4, "validation recall (rare)": None,
        "validation AP (rare)": None, "glyphs (original head)": 0.45,
        "glyphs (re-fitted probe)": 0.8, "s/epoch": 0.012,
        "test accuracy": None,
    }  # fmt: skip
    # A run stopped before its first epoch has no count to show; from scratch keeps nothing.
    assert stopped["run"] == "#2 stopped" and stopped["trainable"] == 0
    assert stopped["glyphs (original head)"] is None is stopped["glyphs (re-fitted probe)"]


def test_runs_are_compared_on_validation_and_only_revealed_runs_show_a_test_score():
    runs = [_run("#1", [_record(1, 0.9, 10)], None), _run("#2", [_record(1, 0.8, 10)], None)]
    hidden, shown = runs_table(runs, revealed={"#2"})
    assert hidden["test accuracy"] is None and shown["test accuracy"] == 0.912
    assert hidden["validation accuracy"] == shown["validation accuracy"] == 0.5


def test_a_restored_run_names_the_best_epoch_its_figures_come_from():
    run = _run("#1", [_record(1, 0.7, 10), _record(2, 0.9, 10)], None)
    restored = dataclasses.replace(
        run.result, weights_epoch=1, restored_best=True, stopped_early=True
    )
    assert weights_label(restored) == "epoch 1 (best, restored)"
    assert weights_label(run.result) == "epoch 2 (last)"


def test_a_two_class_run_reports_the_rare_class_recall_and_average_precision_like_sklearn():
    run = _run("#1", [_record(1, 0.9, 10)], None)
    labels = np.array([0, 0, 0, 1, 1])
    probabilities = np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.45, 0.55], [0.8, 0.2]])
    result = dataclasses.replace(run.result, val_labels=labels, val_probabilities=probabilities)
    rare = rare_class_validation(result)
    assert rare is not None
    assert rare.recall == recall_score(labels, probabilities[:, 1] >= 0.5) == 0.5
    assert rare.average_precision == average_precision_score(labels, probabilities[:, 1])
    (row,) = runs_table([dataclasses.replace(run, result=result)])
    assert row["validation recall (rare)"] == 0.5
    assert rare_class_validation(run.result) is None  # ten digits: no single rare class


def test_validation_losses_list_every_epoch_of_every_run():
    runs = [
        _run("#1", [_record(1, 0.9, 10), _record(2, 0.7, 10)], None),
        _run("#2", [_record(1, 0.6, 10)], None),
    ]
    assert validation_losses(runs) == [
        {"run": "#1", "epoch": 1, "validation loss": 0.9},
        {"run": "#1", "epoch": 2, "validation loss": 0.7},
        {"run": "#2", "epoch": 1, "validation loss": 0.6},
    ]
