"""ROC and PR curves with their one-number summaries (ROC-AUC, average precision)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import (
    average_precision_score,
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
