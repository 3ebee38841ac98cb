"""Best of N with real runs: the same plan trained under N seeds, scored on the same test
items. Unlike the independent-binomial model, real runs share their hard items, so their
test scores spread less and keeping the best is less optimistic, though never honest.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from engine.lab.config import FinetuneConfig
from engine.lab.model import SmallResNet
from engine.lab.train import finetune


@dataclass(frozen=True)
class RealRuns:
    seeds: tuple[int, ...]
    test_accuracies: tuple[float, ...]
    both_wrong_share: float  # items two runs both miss, averaged over pairs of runs
    independent_both_wrong: float  # what independent errors would give: (1 - mean)²

    @property
    def best(self) -> float:
        return max(self.test_accuracies)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.test_accuracies)

    @property
    def optimism(self) -> float:
        """Best test score minus the runs' mean: what keeping the best adds, on these items."""
        return self.best - self.mean

    @property
    def spread(self) -> float:
        return statistics.stdev(self.test_accuracies) if len(self.test_accuracies) > 1 else 0.0


def real_runs(
    config: FinetuneConfig,
    pretrained: SmallResNet,
    seeds: Sequence[int],
    on_seed: Callable[[int, int], None] | None = None,
) -> RealRuns:
    """Train ``config`` once per seed (retention off) and keep each run's test hits."""
    hits = []
    for done, seed in enumerate(seeds, start=1):
        result = finetune(
            dataclasses.replace(config, seed=seed, measure_retention=False), pretrained
        )
        hits.append(result.test_probabilities.argmax(1) == result.test_labels)
        if on_seed is not None:
            on_seed(done, len(seeds))
    right = np.array(hits, dtype=float)
    wrong = 1 - right
    pairs = [(i, j) for i in range(len(seeds)) for j in range(i + 1, len(seeds))]
    both = float(np.mean([np.mean(wrong[i] * wrong[j]) for i, j in pairs])) if pairs else 0.0
    error = float(wrong.mean())
    return RealRuns(tuple(seeds), tuple(right.mean(axis=1).tolist()), both, error * error)
