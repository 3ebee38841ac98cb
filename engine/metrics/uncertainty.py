"""How sure is a test score? Bootstrap intervals, McNemar's exact test, and selection bias."""

from __future__ import annotations

import math
from dataclasses import dataclass

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
