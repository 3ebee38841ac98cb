"""Stratified k-fold on the cached probe against one train/validation split."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import StratifiedKFold

from engine.lab.cross_validation import (
    compare_splits,
    kfold_accuracy,
    pooled_features,
    single_split_accuracy,
)
from engine.lab.model import SmallResNet


def blobs(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 5, n)
    centres = rng.normal(0, 1.2, size=(5, 16))
    return (centres[labels] + rng.normal(0, 1, size=(n, 16))).astype(np.float32), labels


def test_kfold_scores_each_stratified_fold_with_a_probe_fitted_on_the_rest():
    x, y = blobs()
    by_hand = [
        RidgeClassifier(alpha=1.0).fit(x[fit], y[fit]).score(x[val], y[val])
        for fit, val in StratifiedKFold(5, shuffle=True, random_state=3).split(x, y)
    ]
    np.testing.assert_allclose(kfold_accuracy(x, y, 5, seed=3), by_hand)


def test_one_split_scores_half_the_pool_and_cv_means_spread_less_than_single_splits():
    x, y = blobs(400, seed=1)
    assert 0 < single_split_accuracy(x, y, seed=0) <= 1
    found = compare_splits(x, y, folds=5, repeats=12)
    assert len(found.single_split) == len(found.cv_means) == 12
    assert found.cv_sd < found.single_sd


def test_pooled_features_hold_the_training_and_validation_images():
    torch.manual_seed(0)
    x, y = pooled_features(SmallResNet(8), train_size=50)
    assert x.shape == (250, 128)
    assert y.shape == (250,)
