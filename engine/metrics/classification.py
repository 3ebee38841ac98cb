"""Typed wrappers over sklearn.metrics: binary counts, filled-in formulas, regression scores."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    mean_squared_error,
    precision_recall_curve,
    precision_score,
    r2_score,
    recall_score,
)

# scikit-learn's default zero_division="warn" reports an undefined ratio (0/0) as 0.0 and
# emits an UndefinedMetricWarning. We choose 0.0 explicitly so the lessons, the lab and the
# oracle agree without warnings, and the page says "undefined" in words.
ZERO_DIVISION = 0.0


class Metric(Enum):
    """The four classification metrics a lesson shows, in the order it shows them."""

    ACCURACY = "Accuracy"
    PRECISION = "Precision"
    RECALL = "Recall"
    F1 = "F1"


@dataclass(frozen=True)
class BinaryCounts:
    """The four cells of a binary confusion matrix (positive class = 1)."""

    tp: int
    fp: int
    tn: int
    fn: int

    def __post_init__(self) -> None:
        for name in ("tp", "fp", "tn", "fn"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise TypeError(f"{name.upper()} must be a whole number, got {value!r}.")
            if value < 0:
                raise ValueError(f"{name.upper()} must be 0 or more, got {value}.")

    @property
    def total(self) -> int:
        return self.tp + self.fp + self.tn + self.fn

    @property
    def accuracy(self) -> float:
        return _ratio(self.tp + self.tn, self.total)

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        # 2TP / (2TP + FP + FN) equals the harmonic mean of precision and recall whenever
        # both are defined, and is what scikit-learn computes (so 0/0 only when TP=FP=FN=0).
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def value(self, metric: Metric) -> float:
        return {
            Metric.ACCURACY: self.accuracy,
            Metric.PRECISION: self.precision,
            Metric.RECALL: self.recall,
            Metric.F1: self.f1,
        }[metric]

    def undefined(self) -> list[Metric]:
        """Metrics whose denominator is zero here (reported as ZERO_DIVISION)."""
        return [m for m in Metric if _denominator(self, m) == 0]


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else ZERO_DIVISION


def _denominator(counts: BinaryCounts, metric: Metric) -> int:
    return {
        Metric.ACCURACY: counts.total,
        Metric.PRECISION: counts.tp + counts.fp,
        Metric.RECALL: counts.tp + counts.fn,
        Metric.F1: 2 * counts.tp + counts.fp + counts.fn,
    }[metric]


def confusion_counts(tp: int, fp: int, tn: int, fn: int) -> BinaryCounts:
    """Build validated counts; keyword order follows the lesson (TP, FP, TN, FN)."""
    return BinaryCounts(tp=int(tp), fp=int(fp), tn=int(tn), fn=int(fn))


def labels_from_counts(counts: BinaryCounts) -> tuple[NDArray[np.int_], NDArray[np.int_]]:
    """y_true and y_pred arrays that reproduce the counts exactly (1 = positive)."""
    true = [1] * counts.tp + [0] * counts.fp + [0] * counts.tn + [1] * counts.fn
    pred = [1] * counts.tp + [1] * counts.fp + [0] * counts.tn + [0] * counts.fn
    return np.array(true, dtype=int), np.array(pred, dtype=int)


def binary_metrics_from_counts(counts: BinaryCounts) -> dict[Metric, float]:
    """The four metrics as scikit-learn computes them from the expanded labels (the oracle)."""
    if counts.total == 0:
        raise ValueError("Enter at least one prediction: TP + FP + TN + FN is 0.")
    y_true, y_pred = labels_from_counts(counts)
    kwargs = {"zero_division": ZERO_DIVISION, "labels": [0, 1], "pos_label": 1}
    return {
        Metric.ACCURACY: float(accuracy_score(y_true, y_pred)),
        Metric.PRECISION: float(precision_score(y_true, y_pred, **kwargs)),
        Metric.RECALL: float(recall_score(y_true, y_pred, **kwargs)),
        Metric.F1: float(f1_score(y_true, y_pred, **kwargs)),
    }


def sklearn_confusion_matrix(counts: BinaryCounts) -> NDArray[np.int_]:
    """scikit-learn's layout for labels [0, 1]: rows = true, columns = predicted.

    That is [[TN, FP], [FN, TP]] — negative class first, unlike many textbook tables.
    """
    if counts.total == 0:  # scikit-learn refuses empty label arrays; the matrix is all zeros
        return np.zeros((2, 2), dtype=int)
    y_true, y_pred = labels_from_counts(counts)
    return confusion_matrix(y_true, y_pred, labels=[0, 1])


def formula_text(counts: BinaryCounts, digits: int = 3) -> dict[Metric, str]:
    """Each metric's formula with the learner's numbers filled in, e.g.

    "Precision = TP / (TP + FP) = 85 / (85 + 15) = 0.850".
    """
    c = counts
    filled = {
        Metric.ACCURACY: (
            "(TP + TN) / (TP + FP + TN + FN)",
            f"({c.tp} + {c.tn}) / ({c.tp} + {c.fp} + {c.tn} + {c.fn})",
        ),
        Metric.PRECISION: ("TP / (TP + FP)", f"{c.tp} / ({c.tp} + {c.fp})"),
        Metric.RECALL: ("TP / (TP + FN)", f"{c.tp} / ({c.tp} + {c.fn})"),
        Metric.F1: ("2·TP / (2·TP + FP + FN)", f"2·{c.tp} / (2·{c.tp} + {c.fp} + {c.fn})"),
    }
    undefined = set(c.undefined())
    texts: dict[Metric, str] = {}
    for metric, (symbolic, numeric) in filled.items():
        result = f"{c.value(metric):.{digits}f}"
        if metric in undefined:
            result = f"undefined (0 / 0), reported as {ZERO_DIVISION:.{digits}f}"
        texts[metric] = f"{metric.value} = {symbolic} = {numeric} = {result}"
    return texts


@dataclass(frozen=True)
class RegressionScores:
    """Mean squared error and coefficient of determination, both from scikit-learn."""

    mse: float
    r2: float


def regression_scores(y_true: ArrayLike, y_pred: ArrayLike) -> RegressionScores:
    """MSE and R² of predictions; R² < 0 means worse than always predicting the mean."""
    return RegressionScores(
        mse=float(mean_squared_error(y_true, y_pred)), r2=float(r2_score(y_true, y_pred))
    )


def always_negative_counts(total: int, positive_rate: float) -> BinaryCounts:
    """Counts of a classifier that answers "negative" for every one of `total` cases."""
    if not 0.0 <= positive_rate <= 1.0:
        raise ValueError(f"positive_rate must lie in [0, 1], got {positive_rate}.")
    positives = round(total * positive_rate)
    return BinaryCounts(tp=0, fp=0, tn=total - positives, fn=positives)


def counts_for_accuracy_and_recall(
    total: int, positives: int, accuracy: float, recall: float
) -> BinaryCounts:
    """Whole counts with this accuracy and (as near as whole cases allow) this recall.

    The errors allowed by the accuracy must cover the positives that recall misses; the
    rest of the errors are false alarms.
    """
    tp = round(recall * positives)
    fn = positives - tp
    errors = round((1.0 - accuracy) * total)
    fp = errors - fn
    if fp < 0 or not 0 <= positives <= total:
        raise ValueError(
            f"No counts fit: {positives} positives with recall {recall:.2f} miss {fn}, "
            f"more than the {errors} errors that accuracy {accuracy:.2f} on {total} allows."
        )
    return BinaryCounts(tp=tp, fp=fp, tn=total - positives - fp, fn=fn)


@dataclass(frozen=True)
class ThresholdOutcome(BinaryCounts):
    """The counts (and so every metric) when scores at or above ``threshold`` say positive."""

    threshold: float

    def cost(self, cost_fp: float, cost_fn: float) -> float:
        return self.fp * cost_fp + self.fn * cost_fn


def outcome_at(
    labels: NDArray[np.int_], scores: NDArray[np.floating], threshold: float
) -> ThresholdOutcome:
    """Say positive when score ≥ threshold; counts from scikit-learn's confusion matrix."""
    predicted = (scores >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(labels, predicted, labels=[0, 1]).ravel()
    return ThresholdOutcome(tp=int(tp), fp=int(fp), tn=int(tn), fn=int(fn), threshold=threshold)


def pr_curve(labels: NDArray[np.int_], scores: NDArray[np.floating]) -> list[dict[str, float]]:
    """scikit-learn's precision-recall curve as rows of (threshold, precision, recall)."""
    precision, recall, thresholds = precision_recall_curve(labels, scores)
    return [
        {"threshold": float(t), "precision": float(p), "recall": float(r)}
        for p, r, t in zip(precision[:-1], recall[:-1], thresholds, strict=True)
    ]


def cheapest_threshold(
    labels: NDArray[np.int_], scores: NDArray[np.floating], cost_fp: float, cost_fn: float
) -> ThresholdOutcome:
    """The threshold (among the scores themselves, plus 'never positive') with the lowest total
    cost; on a tie the higher threshold wins, so fewer alarms are raised for the same price."""
    candidates = [*np.unique(scores).tolist(), float(np.nextafter(scores.max(), np.inf))]
    outcomes = [outcome_at(labels, scores, t) for t in candidates]
    return min(outcomes, key=lambda o: (o.cost(cost_fp, cost_fn), -o.threshold))


def threshold_for_precision(
    labels: NDArray[np.int_],
    scores: NDArray[np.floating],
    target: float,
    grid: float | None = None,
) -> float:
    """The lowest threshold whose precision reaches ``target`` (most recall for that precision);
    candidates are the scores themselves, or multiples of ``grid`` (a slider's step)."""
    thresholds, precision, _ = _sweep(labels, scores, grid)
    reaching = thresholds[precision >= target]
    return float(reaching.min()) if len(reaching) else float(thresholds.max())


def threshold_for_recall(
    labels: NDArray[np.int_],
    scores: NDArray[np.floating],
    target: float,
    grid: float | None = None,
) -> float:
    """The highest threshold whose recall still reaches ``target`` (fewest false alarms)."""
    thresholds, _, recall = _sweep(labels, scores, grid)
    reaching = thresholds[recall >= target]
    return float(reaching.max()) if len(reaching) else float(thresholds.min())


def _sweep(
    labels: NDArray[np.int_], scores: NDArray[np.floating], grid: float | None
) -> tuple[NDArray[np.floating], NDArray[np.floating], NDArray[np.floating]]:
    """Candidate thresholds (the scores, or multiples of ``grid``) with the precision and
    recall at each, computed at once: one row of decisions per threshold."""
    if grid is None:
        thresholds = np.unique(scores)
    else:
        thresholds = np.round(np.arange(0.0, 1.0 + grid / 2, grid), 6)
    said_yes = scores[None, :] >= thresholds[:, None]
    tp = (said_yes & (labels[None, :] == 1)).sum(1)
    flagged = said_yes.sum(1)
    precision = np.divide(tp, flagged, out=np.zeros(len(thresholds)), where=flagged > 0)
    return thresholds, precision, tp / max(int(labels.sum()), 1)


@dataclass(frozen=True)
class ThresholdReport:
    """Thresholds frozen on validation, then scored once on test, beside the one a learner
    would get by tuning on test itself (the leak: optimistic by construction)."""

    rows: list[dict[str, str | float]]  # one per named threshold, validation beside test
    validation_cost: float  # the cheapest validation threshold, on validation
    test_cost: float  # the same threshold on test: the honest report
    peeked_cost: float  # the cheapest threshold found on test, on test


def threshold_report(
    validation: tuple[NDArray[np.int_], NDArray[np.floating]],
    test: tuple[NDArray[np.int_], NDArray[np.floating]],
    cost_fp: float,
    cost_fn: float,
    named: dict[str, float],
) -> ThresholdReport:
    """Choose the cheapest threshold on ``validation`` (labels, scores) and report it, and
    each ``named`` threshold, on ``test``."""
    chosen = cheapest_threshold(*validation, cost_fp, cost_fn)
    rows: list[dict[str, str | float]] = []
    for name, threshold in {"cheapest cost": chosen.threshold, **named}.items():
        on_val, on_test = outcome_at(*validation, threshold), outcome_at(*test, threshold)
        rows.append(
            {
                "threshold from validation": name,
                "value": round(threshold, 3),
                "validation precision": round(on_val.precision, 3),
                "test precision": round(on_test.precision, 3),
                "validation recall": round(on_val.recall, 3),
                "test recall": round(on_test.recall, 3),
                "validation cost": on_val.cost(cost_fp, cost_fn),
                "test cost": on_test.cost(cost_fp, cost_fn),
            }
        )
    return ThresholdReport(
        rows=rows,
        validation_cost=chosen.cost(cost_fp, cost_fn),
        test_cost=outcome_at(*test, chosen.threshold).cost(cost_fp, cost_fn),
        peeked_cost=cheapest_threshold(*test, cost_fp, cost_fn).cost(cost_fp, cost_fn),
    )
