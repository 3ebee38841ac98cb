"""ROC and PR curves with their one-number summaries, and how per-class scores are averaged."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)


@dataclass(frozen=True)
class CurveSummary:
    positives: int
    negatives: int
    roc_auc: float  # a random scorer gets 0.5 whatever the class balance
    average_precision: float  # a random scorer gets the prevalence

    @property
    def prevalence(self) -> float:
        return self.positives / (self.positives + self.negatives)


def summarise(labels: NDArray[np.int_], scores: NDArray[np.float64]) -> CurveSummary:
    """ROC-AUC and average precision (the area under the PR curve, as steps), scikit-learn's."""
    positives = int(np.sum(labels == 1))
    return CurveSummary(
        positives=positives,
        negatives=len(labels) - positives,
        roc_auc=float(roc_auc_score(labels, scores)),
        average_precision=float(average_precision_score(labels, scores)),
    )


def roc_points(labels: NDArray[np.int_], scores: NDArray[np.float64]) -> list[dict[str, float]]:
    false_positive_rate, true_positive_rate, _ = roc_curve(labels, scores)
    return [
        {"false positive rate": float(f), "true positive rate (recall)": float(t)}
        for f, t in zip(false_positive_rate, true_positive_rate, strict=True)
    ]


def pr_points(labels: NDArray[np.int_], scores: NDArray[np.float64]) -> list[dict[str, float]]:
    precision, recall, _ = precision_recall_curve(labels, scores)
    return [
        {"recall": float(r), "precision": float(p)} for p, r in zip(precision, recall, strict=True)
    ]


def keep_fraction_of_positives(
    labels: NDArray[np.int_], scores: NDArray[np.float64], fraction: float, seed: int = 0
) -> tuple[NDArray[np.int_], NDArray[np.float64]]:
    """Every negative, and a random ``fraction`` of the positives (at least one): the same
    model and the same scores, only a rarer positive class."""
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction must lie in (0, 1], got {fraction}")
    positives = np.flatnonzero(labels == 1)
    keep = max(1, round(fraction * len(positives)))
    kept = np.random.default_rng(seed).choice(positives, keep, replace=False)
    chosen = np.sort(np.concatenate([np.flatnonzero(labels != 1), kept]))
    return labels[chosen], scores[chosen]


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
