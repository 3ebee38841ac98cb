"""How much of an AP on few positives is luck: AP and ROC-AUC over random draws of the kept
positives (the roc_pr lesson's "share of eights kept" slider, redrawn with other seeds)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from engine.metrics.roc_pr import keep_fraction_of_positives, summarise

SUBSAMPLE_SEEDS = range(20)


@dataclass(frozen=True)
class SubsampleSpread:
    draws: int
    positives: int
    ap_low: float
    ap_high: float
    auc_low: float
    auc_high: float


def subsample_spread(
    labels: NDArray[np.int_],
    scores: NDArray[np.float64],
    fraction: float,
    seeds: range = SUBSAMPLE_SEEDS,
) -> SubsampleSpread:
    """AP and ROC-AUC of the same scores, each seed keeping a different ``fraction`` of the
    positives: the spread is what the choice of positives alone does to each number."""
    summaries = [
        summarise(*keep_fraction_of_positives(labels, scores, fraction, seed)) for seed in seeds
    ]
    aps = [s.average_precision for s in summaries]
    aucs = [s.roc_auc for s in summaries]
    return SubsampleSpread(
        len(summaries), summaries[0].positives, min(aps), max(aps), min(aucs), max(aucs)
    )
