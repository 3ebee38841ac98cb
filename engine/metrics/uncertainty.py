"""How sure is a score? Wilson and bootstrap intervals, McNemar's exact test, selection bias."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike, NDArray

DEFAULT_RESAMPLES = 4000


@dataclass(frozen=True)
class Interval:
    """A point estimate with a percentile-bootstrap confidence interval around it."""

    estimate: float
    low: float
    high: float
    confidence: float

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


def _as_hits(correct: ArrayLike) -> NDArray[np.float64]:
    hits = np.asarray(correct, dtype=np.float64)
    if hits.ndim != 1 or len(hits) == 0:
        raise ValueError(f"expected a non-empty 1-D array of right/wrong, got shape {hits.shape}")
    return hits


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")


def _percentile_interval(
    estimate: float, resampled: NDArray[np.float64], confidence: float
) -> Interval:
    tail = (1.0 - confidence) / 2 * 100
    low, high = np.percentile(resampled, [tail, 100 - tail])
    return Interval(estimate, float(low), float(high), confidence)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval:
    """A proportion with Wilson's score interval: unlike estimate ± 1.96·SE it stays inside
    [0, 1] and keeps its coverage near 0 or 1, where a fine-tuned model's accuracy lives."""
    _check_confidence(confidence)
    if n < 1 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n >= 1; got {successes} of {n}")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half), confidence)


def macro_f1_from_counts(matrices: NDArray[np.int64]) -> NDArray[np.float64]:
    """Macro-F1 of one or many confusion matrices (..., K, K), as scikit-learn's
    ``f1_score(average="macro", zero_division=0)``: classes that appear neither as a label
    nor as a prediction are left out of the mean."""
    tp = np.diagonal(matrices, axis1=-2, axis2=-1).astype(np.float64)
    true_count, predicted_count = matrices.sum(axis=-1), matrices.sum(axis=-2)
    denominator = true_count + predicted_count  # 2TP + FP + FN
    present = denominator > 0
    f1 = np.where(present, 2 * tp / np.maximum(denominator, 1), 0.0)
    return f1.sum(axis=-1) / np.maximum(present.sum(axis=-1), 1)


def bootstrap_macro_f1(
    labels: ArrayLike,
    predicted: ArrayLike,
    n_classes: int,
    confidence: float = 0.95,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> Interval:
    """Macro-F1 with a percentile-bootstrap interval over items: macro-F1 is not a mean
    over items, so it has no closed-form interval. One confusion matrix per resample,
    counted at once with bincount (thousands of resamples in milliseconds)."""
    _check_confidence(confidence)
    y, p = np.asarray(labels, dtype=np.int64), np.asarray(predicted, dtype=np.int64)
    if y.shape != p.shape or y.ndim != 1 or len(y) == 0:
        raise ValueError(f"labels and predictions must be equal 1-D arrays: {y.shape}, {p.shape}")
    cells = y * n_classes + p
    rng = np.random.default_rng(seed)
    draws = cells[rng.integers(0, len(y), size=(resamples, len(y)))]
    offsets = np.arange(resamples)[:, None] * n_classes * n_classes
    counts = np.bincount((draws + offsets).ravel(), minlength=resamples * n_classes**2)
    matrices = counts.reshape(resamples, n_classes, n_classes)
    point = np.bincount(cells, minlength=n_classes**2).reshape(n_classes, n_classes)
    return _percentile_interval(
        float(macro_f1_from_counts(point)), macro_f1_from_counts(matrices), confidence
    )


def bootstrap_accuracy(
    correct: ArrayLike,
    confidence: float = 0.95,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> Interval:
    """Accuracy with a percentile-bootstrap interval: redraw the test set with replacement.

    ``correct`` holds one 1/0 (or True/False) per test item: was the model right on it?
    """
    _check_confidence(confidence)
    hits = _as_hits(correct)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(hits), size=(resamples, len(hits)))
    return _percentile_interval(float(hits.mean()), hits[draws].mean(axis=1), confidence)


def paired_bootstrap_difference(
    correct_a: ArrayLike,
    correct_b: ArrayLike,
    confidence: float = 0.95,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> Interval:
    """Accuracy of B minus accuracy of A, resampling the *same* items for both models.

    Pairing matters: both models saw the same test items, so their errors are correlated,
    and resampling items (not each model separately) keeps that correlation.
    """
    _check_confidence(confidence)
    a, b = _as_hits(correct_a), _as_hits(correct_b)
    if len(a) != len(b):
        raise ValueError(f"both models must be scored on the same items: {len(a)} vs {len(b)}")
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(a), size=(resamples, len(a)))
    difference = b - a
    return _percentile_interval(
        float(difference.mean()), difference[draws].mean(axis=1), confidence
    )


@dataclass(frozen=True)
class McNemarResult:
    """Only the items the two models disagree on carry evidence about which is better."""

    both_right: int
    only_a_right: int
    only_b_right: int
    both_wrong: int
    p_value: float  # two-sided, exact binomial on the disagreements


def mcnemar_exact(correct_a: ArrayLike, correct_b: ArrayLike) -> McNemarResult:
    """McNemar's test, exact form: under "A and B are equally good", each disagreement is a
    fair coin flip, so the count won by A is Binomial(disagreements, 1/2)."""
    a, b = _as_hits(correct_a).astype(bool), _as_hits(correct_b).astype(bool)
    if len(a) != len(b):
        raise ValueError(f"both models must be scored on the same items: {len(a)} vs {len(b)}")
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
    disagreements = only_a + only_b
    smaller = min(only_a, only_b)
    # Two-sided: double the smaller tail (capped at 1), as scipy's binomtest does for p = 1/2.
    tail = sum(math.comb(disagreements, k) for k in range(smaller + 1)) / 2**disagreements
    return McNemarResult(
        both_right=int(np.sum(a & b)),
        only_a_right=only_a,
        only_b_right=only_b,
        both_wrong=int(np.sum(~a & ~b)),
        p_value=min(1.0, 2 * tail),
    )


@dataclass(frozen=True)
class SelectionDraw:
    """N runs of equal true skill, each scored on the same-sized test set and on fresh data."""

    true_accuracy: float
    test_scores: NDArray[np.float64]
    fresh_scores: NDArray[np.float64]

    @property
    def chosen(self) -> int:
        """The run with the best test score: the choice the test set must never make."""
        return int(np.argmax(self.test_scores))

    @property
    def optimism(self) -> float:
        """How far the chosen run's test score overstates what it scores on fresh data."""
        return float(self.test_scores[self.chosen] - self.fresh_scores[self.chosen])


def draw_runs(n_runs: int, true_accuracy: float, test_size: int, seed: int = 0) -> SelectionDraw:
    """Each run gets every test item right with probability ``true_accuracy``: any spread
    between runs is the luck of which items landed in a test set of ``test_size``."""
    if n_runs < 1:
        raise ValueError(f"n_runs must be at least 1, got {n_runs}")
    if not 0.0 <= true_accuracy <= 1.0:
        raise ValueError(f"true_accuracy must lie in [0, 1], got {true_accuracy}")
    rng = np.random.default_rng(seed)
    test = rng.binomial(test_size, true_accuracy, size=n_runs) / test_size
    fresh = rng.binomial(test_size, true_accuracy, size=n_runs) / test_size
    return SelectionDraw(true_accuracy, test, fresh)


def mean_best_of_n(
    n_runs: int, true_accuracy: float, test_size: int, repeats: int, seed: int = 0
) -> float:
    """The best-of-N test score averaged over many repeats of the whole experiment."""
    rng = np.random.default_rng(seed)
    scores = rng.binomial(test_size, true_accuracy, size=(repeats, n_runs)) / test_size
    return float(scores.max(axis=1).mean())
