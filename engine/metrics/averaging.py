"""How per-class precision, recall and F1 are averaged: macro, weighted, micro."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import confusion_matrix


class Averaging(StrEnum):
    MACRO = "macro"
    WEIGHTED = "weighted"
    MICRO = "micro"


@dataclass(frozen=True)
class PrecisionRecallF1:
    precision: float
    recall: float
    f1: float


def _ratio(numerator: NDArray[np.float64], denominator: NDArray[np.float64]) -> NDArray:
    # 0 / 0 counts as 0, scikit-learn's zero_division=0.
    out = np.zeros_like(numerator, dtype=np.float64)
    return np.divide(numerator, denominator, out=out, where=denominator > 0)


def per_class_scores(
    labels: NDArray[np.int_], predicted: NDArray[np.int_], n_classes: int
) -> tuple[list[PrecisionRecallF1], NDArray[np.int_]]:
    """Precision, recall and F1 of each class (one-vs-rest), and each class's support."""
    matrix = confusion_matrix(labels, predicted, labels=list(range(n_classes)))
    tp = np.diag(matrix).astype(np.float64)
    flagged, actual = matrix.sum(axis=0).astype(np.float64), matrix.sum(axis=1)
    precision, recall = _ratio(tp, flagged), _ratio(tp, actual.astype(np.float64))
    f1 = _ratio(2 * tp, flagged + actual)
    scores = [
        PrecisionRecallF1(float(p), float(r), float(f))
        for p, r, f in zip(precision, recall, f1, strict=True)
    ]
    return scores, actual


def averaged(
    labels: NDArray[np.int_], predicted: NDArray[np.int_], n_classes: int, how: Averaging
) -> PrecisionRecallF1:
    """Macro: every class counts the same. Weighted: classes count by support. Micro: pool
    every decision first, so each *item* counts the same; with one label per item every
    miss is one false negative and one false positive, so micro P = R = F1 = accuracy."""
    per_class, support = per_class_scores(labels, predicted, n_classes)
    if how is Averaging.MICRO:
        matrix = confusion_matrix(labels, predicted, labels=list(range(n_classes)))
        tp, flagged, actual = float(np.trace(matrix)), float(matrix.sum()), float(support.sum())
        precision, recall = tp / flagged, tp / actual
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return PrecisionRecallF1(precision, recall, f1)
    weights = np.ones(n_classes) if how is Averaging.MACRO else support.astype(np.float64)
    weights = weights / weights.sum()

    def mean(field: str) -> float:
        return float(np.dot(weights, [getattr(s, field) for s in per_class]))

    return PrecisionRecallF1(mean("precision"), mean("recall"), mean("f1"))
