"""Two more ratios of the four counts: specificity (the negatives' recall) and F-beta.

Both are threshold metrics like precision and recall; the confusion-matrix lesson teaches them
beside the four it leads with. Written from the counts; tests hold them to scikit-learn's
``recall_score(pos_label=0)`` and ``fbeta_score``.
"""

from __future__ import annotations

from engine.metrics.classification import BinaryCounts


def specificity(counts: BinaryCounts) -> float:
    """TN / (TN + FP): of the real negatives, the share left unflagged (0.0 if none)."""
    negatives = counts.tn + counts.fp
    return counts.tn / negatives if negatives else 0.0


def fbeta(counts: BinaryCounts, beta: float) -> float:
    """(1 + β²)·TP / ((1 + β²)·TP + β²·FN + FP): recall counts β times as much as precision.

    The same value as (1 + β²)·P·R / (β²·P + R), written from the counts so that nothing is
    rounded on the way (0.0 when TP, FP and FN are all 0, as scikit-learn's zero_division).
    """
    if beta <= 0:
        raise ValueError(f"beta must be positive; got {beta!r}")
    b2 = beta * beta
    denominator = (1 + b2) * counts.tp + b2 * counts.fn + counts.fp
    return (1 + b2) * counts.tp / denominator if denominator else 0.0
