"""Cross-validation on small data: one train/validation split against stratified k-fold.

With 200 + 200 images, the validation accuracy of one split moves by a few points depending on
*which* images landed in validation. Stratified k-fold uses every image for validation once and
averages k estimates, so its mean moves much less from one shuffle to the next. The model is a
ridge-classifier probe on the frozen backbone's cached features (as engine/lab/feature_probe.py
uses): closed form, milliseconds per fit, so the page can afford hundreds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from numpy.typing import NDArray
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

from engine.lab.data import TaskKind, load_task
from engine.lab.model import SmallResNet
from engine.lab.train import predict_logits

PROBE_ALPHA = 1.0


def probe() -> RidgeClassifier:
    return RidgeClassifier(alpha=PROBE_ALPHA)


def pooled_features(
    pretrained: SmallResNet, train_size: int = 200, seed: int = 0
) -> tuple[NDArray[np.float32], NDArray[np.int_]]:
    """The backbone's features of the lab's training and validation images, pooled."""
    data = load_task(TaskKind.DIGITS, train_size, seed)
    pretrained.eval()
    images = torch.cat([data.train.images, data.val.images])
    labels = torch.cat([data.train.labels, data.val.labels])
    return predict_logits(pretrained.features, images).numpy(), labels.numpy()


@dataclass(frozen=True)
class SplitComparison:
    single_split: tuple[float, ...]  # one estimate per random half/half split
    cv_means: tuple[float, ...]  # one k-fold mean per shuffle of the folds
    folds: int

    @property
    def single_sd(self) -> float:
        return float(np.std(self.single_split, ddof=1))

    @property
    def cv_sd(self) -> float:
        return float(np.std(self.cv_means, ddof=1))


def kfold_accuracy(
    features: NDArray[np.float32], labels: NDArray[np.int_], folds: int, seed: int
) -> NDArray[np.float64]:
    """Accuracy on each of ``folds`` stratified folds (scikit-learn's own cross_val_score)."""
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return cross_val_score(probe(), features, labels, cv=splitter, scoring="accuracy")


def single_split_accuracy(
    features: NDArray[np.float32], labels: NDArray[np.int_], seed: int
) -> float:
    """Train on one stratified half, score on the other: what one validation set gives."""
    x_fit, x_val, y_fit, y_val = train_test_split(
        features, labels, test_size=0.5, stratify=labels, random_state=seed
    )
    return float(probe().fit(x_fit, y_fit).score(x_val, y_val))


def compare_splits(
    features: NDArray[np.float32], labels: NDArray[np.int_], folds: int = 5, repeats: int = 10
) -> SplitComparison:
    single = tuple(single_split_accuracy(features, labels, seed) for seed in range(repeats))
    cv = tuple(
        float(kfold_accuracy(features, labels, folds, seed).mean()) for seed in range(repeats)
    )
    return SplitComparison(single, cv, folds)
