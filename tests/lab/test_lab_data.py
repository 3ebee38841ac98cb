"""Digits splits are fixed and stratified; the rare task keeps ~10 % eights; glyphs are seeded."""

import numpy as np
import pytest
import torch

from engine.lab.data import (
    PIXEL_MEAN,
    PIXEL_STD,
    TRAIN_SIZES,
    TaskKind,
    class_names,
    load_task,
    stratified_subset,
)
from engine.lab.source import make_glyph_alphabet, make_source_dataset


def test_digit_splits_have_fixed_sizes_and_do_not_overlap():
    data = load_task(TaskKind.DIGITS, train_size=1200)
    assert (len(data.train), len(data.val), len(data.test)) == (1200, 200, 397)
    rows = {tuple(x.flatten()[::7].tolist()) for s in (data.train, data.val) for x in s.images}
    assert not any(tuple(x.flatten()[::7].tolist()) in rows for x in data.test.images[:50])


def test_fifty_training_images_hold_five_of_each_digit():
    data = load_task(TaskKind.DIGITS, train_size=50)
    assert data.train.labels.bincount().tolist() == [5] * 10


def test_the_same_seed_picks_the_same_subset_and_another_seed_another():
    labels = load_task(TaskKind.DIGITS, 1200).train.labels
    assert np.array_equal(stratified_subset(labels, 200, 0), stratified_subset(labels, 200, 0))
    assert not np.array_equal(stratified_subset(labels, 200, 0), stratified_subset(labels, 200, 1))


def test_images_are_rgb_32_pixels_normalised_with_the_pretraining_constants():
    images = load_task(TaskKind.DIGITS, 50).train.images
    assert images.shape == (50, 3, 32, 32)
    raw = images * PIXEL_STD + PIXEL_MEAN
    assert raw.min() >= 0 and raw.max() <= 1


def test_rare_task_is_one_vs_rest_with_about_ten_percent_eights():
    data = load_task(TaskKind.RARE_EIGHT, 200)
    assert data.class_names == class_names(TaskKind.RARE_EIGHT) == ("not 8", "8")
    assert set(data.test.labels.tolist()) == {0, 1}
    assert 0.08 < data.test.labels.float().mean() < 0.12
    assert int(data.train.labels.sum()) == 20


def test_the_digits_task_names_its_ten_classes_in_label_order():
    assert load_task(TaskKind.DIGITS, 50).class_names == class_names(TaskKind.DIGITS)
    assert class_names(TaskKind.DIGITS) == tuple("0123456789")


def test_unknown_training_size_names_the_allowed_ones():
    with pytest.raises(
        ValueError, match=r"train_size must be one of 50, 200, 500, 1200 \(1200 = all\); got 7"
    ):
        load_task(TaskKind.DIGITS, 7)
    assert TRAIN_SIZES[-1] == 1200


def test_glyph_source_task_is_determined_by_its_seed():
    a_x, a_y = make_source_dataset(16, seed=5, n_classes=8)
    b_x, b_y = make_source_dataset(16, seed=5, n_classes=8)
    c_x, _ = make_source_dataset(16, seed=6, n_classes=8)
    assert torch.equal(a_x, b_x) and torch.equal(a_y, b_y)
    assert not torch.equal(a_x, c_x)
    assert a_x.shape == (16, 3, 32, 32) and a_x.min() >= 0 and a_x.max() <= 1
    assert a_y.bincount().tolist() == [2] * 8


def test_glyph_alphabet_has_the_requested_number_of_distinct_classes():
    assert len(make_glyph_alphabet(64)) == 64
