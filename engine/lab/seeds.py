"""One preset over several seeds: how much of a score is the seed rather than the strategy.

A seed picks the training subset, the new head's initial weights and the batch order. This is
the in-process fast path for cached-feature runs (a frozen backbone in eval mode, about a
second each), for scripts and tests; the lab page runs any plan over seeds through its
executor with ``engine.lab.seed_runs``, which returns the same SeedSpread.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Callable
from dataclasses import dataclass

from engine.lab.config import FinetuneConfig
from engine.lab.model import SmallResNet
from engine.lab.train import finetune

SPREAD_SEEDS: tuple[int, ...] = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class SeedSpread:
    """Validation accuracy of the same configuration under each seed."""

    seeds: tuple[int, ...]
    val_accuracies: tuple[float, ...]

    @property
    def mean(self) -> float:
        return statistics.fmean(self.val_accuracies)

    @property
    def std(self) -> float:
        """Sample standard deviation (n − 1), as numpy's ``std(ddof=1)``."""
        return statistics.stdev(self.val_accuracies) if len(self.val_accuracies) > 1 else 0.0

    @property
    def low(self) -> float:
        return min(self.val_accuracies)

    @property
    def high(self) -> float:
        return max(self.val_accuracies)

    def rows(self) -> list[dict[str, int | float]]:
        return [
            {"seed": seed, "validation accuracy": round(value, 3)}
            for seed, value in zip(self.seeds, self.val_accuracies, strict=True)
        ]


def seed_spread(
    config: FinetuneConfig,
    pretrained: SmallResNet,
    seeds: tuple[int, ...] = SPREAD_SEEDS,
    on_seed: Callable[[int], None] | None = None,
) -> SeedSpread:
    """Run ``config`` once per seed (retention off: it does not change with a frozen backbone)."""
    if not config.uses_cached_features:
        raise ValueError(
            "The seed spread runs only frozen-backbone plans with BatchNorm in eval mode "
            "(cached features), so that five runs take seconds."
        )
    accuracies = []
    for done, seed in enumerate(seeds):
        run = dataclasses.replace(config, seed=seed, measure_retention=False)
        accuracies.append(finetune(run, pretrained).val_accuracy)
        if on_seed is not None:
            on_seed(done + 1)
    return SeedSpread(tuple(seeds), tuple(accuracies))
