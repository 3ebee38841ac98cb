"""Was fine-tuning worth it? Simple scikit-learn baselines on the lab's own split.

Logistic regression and an RBF SVM on the raw 8×8 pixels (64 numbers, no pretraining), fitted
on exactly the training subset a lab run of the same size and seed uses, their one setting
(C) chosen on the same validation items, test scored once and hidden like a run's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.svm import SVC

from engine.lab.data import RARE_POSITIVE_DIGIT, TaskKind, split_indices


class BaselineKind(StrEnum):
    LOGISTIC = "logistic"
    RBF_SVM = "rbf_svm"


BASELINE_LABELS = {
    BaselineKind.LOGISTIC: "Baseline: logistic regression on raw pixels",
    BaselineKind.RBF_SVM: "Baseline: RBF SVM on raw pixels",
}
# A small grid per model, chosen on validation: a baseline gets its own best too.
C_GRID: dict[BaselineKind, tuple[float, ...]] = {
    BaselineKind.LOGISTIC: (0.1, 1.0, 10.0),
    BaselineKind.RBF_SVM: (1.0, 3.0, 10.0),
}


@dataclass(frozen=True)
class PixelSplit:
    """The lab's split as raw pixels in [0, 1]: the same items, the same training subset."""

    train_x: np.ndarray
    train_y: np.ndarray
    val_x: np.ndarray
    val_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray


def pixel_split(task: TaskKind, train_size: int, seed: int) -> PixelSplit:
    """What ``load_task(task, train_size, seed)`` holds, as 64 raw pixels per digit."""
    index = split_indices(train_size, seed)
    digits = load_digits()
    pixels = digits.data / 16.0
    targets = digits.target
    if TaskKind(task) is TaskKind.RARE_EIGHT:
        targets = (targets == RARE_POSITIVE_DIGIT).astype(np.int64)
    train, val, test = index["train"], index["val"], index["test"]
    return PixelSplit(
        pixels[train], targets[train], pixels[val], targets[val], pixels[test], targets[test]
    )


@dataclass(frozen=True)
class BaselineResult:
    kind: BaselineKind
    task: TaskKind
    train_size: int
    seed: int
    c: float  # the regularisation chosen on validation
    val_accuracy: float
    val_macro_f1: float
    test_accuracy: float
    val_predictions: np.ndarray
    val_labels: np.ndarray
    seconds: float

    @property
    def label(self) -> str:
        return f"{BASELINE_LABELS[self.kind]} ({self.train_size} images)"


def _model(kind: BaselineKind, c: float):
    if kind is BaselineKind.LOGISTIC:
        return LogisticRegression(C=c, max_iter=3000)
    return SVC(C=c, kernel="rbf", gamma="scale")


def fit_baseline(
    kind: BaselineKind, task: TaskKind = TaskKind.DIGITS, train_size: int = 200, seed: int = 0
) -> BaselineResult:
    """Fit each C of the grid on the training subset, keep the best on validation."""
    started = time.perf_counter()
    split = pixel_split(task, train_size, seed)
    best = None
    for c in C_GRID[kind]:
        model = _model(kind, c).fit(split.train_x, split.train_y)
        predicted = model.predict(split.val_x)
        accuracy = float(np.mean(predicted == split.val_y))
        if best is None or accuracy > best[0]:  # strictly better: the smaller C wins a tie
            best = (accuracy, c, model, predicted)
    assert best is not None
    accuracy, c, model, predicted = best
    return BaselineResult(
        kind,
        TaskKind(task),
        train_size,
        seed,
        c,
        accuracy,
        float(f1_score(split.val_y, predicted, average="macro", zero_division=0)),
        float(np.mean(model.predict(split.test_x) == split.test_y)),
        predicted,
        split.val_y,
        time.perf_counter() - started,
    )


@dataclass(frozen=True)
class CurvePoint:
    model: str
    train_size: int
    val_accuracy: float


def learning_curve(
    sizes: Sequence[int],
    networks: dict[str, Callable[[int], float]],
    task: TaskKind = TaskKind.DIGITS,
    seed: int = 0,
    on_point: Callable[[int, int], None] | None = None,
) -> list[CurvePoint]:
    """Validation accuracy against training-set size for each network (a callable from
    size to validation accuracy, so the page trains them through its executor) and the SVM."""
    total = len(sizes) * (len(networks) + 1)
    points: list[CurvePoint] = []
    for size in sizes:
        svm = fit_baseline(BaselineKind.RBF_SVM, task, size, seed)
        points.append(CurvePoint(BASELINE_LABELS[BaselineKind.RBF_SVM], size, svm.val_accuracy))
        if on_point is not None:
            on_point(len(points), total)
        for name, train in networks.items():
            points.append(CurvePoint(name, size, train(size)))
            if on_point is not None:
                on_point(len(points), total)
    return points
