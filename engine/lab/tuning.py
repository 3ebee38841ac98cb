"""Each strategy at its own best: learning-rate sweeps chosen on validation, never on test.

Comparing strategies at one shared rate and budget ranks the rate, not the strategy: the
linear probe at the full fine-tuning rate is under-trained and looks worse than training from
scratch. So every preset gets the rates its own sweep chose (``bench/tune_presets.py``, whose
table is in ``bench/RESULTS.md``), and the page can sweep the plan on screen the same way.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine.lab.config import FinetuneConfig
from engine.lab.freeze import FreezePlan, Preset, preset_plan
from engine.lab.results import RunResult

# The lab's learning-rate slider; a sweep moves along it, roughly x3 per step.
LR_GRID: tuple[float, ...] = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
# The lab's budget for a fair comparison: generous, and cut short by early stopping on
# validation loss, so no preset is judged half-trained.
SWEEP_EPOCHS = 30
SWEEP_PATIENCE = 3
SWEPT_PRESETS: tuple[Preset, ...] = (
    Preset.LINEAR_PROBE,
    Preset.PARTIAL,
    Preset.FULL,
    Preset.DISCRIMINATIVE,
    Preset.GRADUAL,
    Preset.LP_FT,
    Preset.SCRATCH,
)
# The page's sweep of the plan on screen: its rates one step down, as set, one step up.
PAGE_SHIFTS: tuple[int, ...] = (-1, 0, 1)


@dataclass(frozen=True)
class TunedRates:
    head_lr: float
    backbone_lr: float


# Chosen by bench/tune_presets.py (bench/tuned_presets.json; tests hold the two equal).
TUNED_RATES: dict[Preset, TunedRates] = {
    Preset.LINEAR_PROBE: TunedRates(0.03, 0.03),
    Preset.PARTIAL: TunedRates(0.01, 0.01),
    Preset.FULL: TunedRates(0.003, 0.003),
    Preset.DISCRIMINATIVE: TunedRates(0.01, 0.001),
    Preset.GRADUAL: TunedRates(0.003, 0.001),
    Preset.LP_FT: TunedRates(0.003, 0.0003),
    Preset.SCRATCH: TunedRates(0.003, 0.003),
}


def tuned_plan(preset: Preset | str, **overrides: object) -> FreezePlan:
    """The preset with the learning rates its validation sweep chose (custom: as it is)."""
    preset = Preset(preset)
    rates = TUNED_RATES.get(preset)
    chosen: dict[str, object] = {}
    if rates is not None:
        chosen = {"head_lr": rates.head_lr, "backbone_lr": rates.backbone_lr}
    return preset_plan(preset, **(chosen | overrides))


def shifted_rates(head_lr: float, backbone_lr: float, shift: int) -> tuple[float, float] | None:
    """Both rates moved ``shift`` steps along LR_GRID (their ratio kept); None off the grid
    or for a rate that is not on it."""
    if head_lr not in LR_GRID or backbone_lr not in LR_GRID:
        return None
    head, backbone = LR_GRID.index(head_lr) + shift, LR_GRID.index(backbone_lr) + shift
    if not (0 <= head < len(LR_GRID) and 0 <= backbone < len(LR_GRID)):
        return None
    return LR_GRID[head], LR_GRID[backbone]


@dataclass(frozen=True)
class SweepPoint:
    """One learning-rate setting of a sweep, judged on validation only."""

    head_lr: float
    backbone_lr: float
    val_accuracies: tuple[float, ...]
    val_losses: tuple[float, ...]  # the lowest validation loss of each run
    epochs_trained: tuple[int, ...]

    @property
    def val_accuracy(self) -> float:
        return statistics.fmean(self.val_accuracies)

    @property
    def val_loss(self) -> float:
        return statistics.fmean(self.val_losses)


@dataclass(frozen=True)
class Sweep:
    points: tuple[SweepPoint, ...]

    @property
    def chosen(self) -> SweepPoint:
        """Best mean validation accuracy; a tie goes to the lower validation loss."""
        return max(self.points, key=lambda p: (round(p.val_accuracy, 9), -p.val_loss))

    def rows(self) -> list[dict[str, object]]:
        best = self.chosen
        return [
            {
                "head lr": p.head_lr,
                "backbone lr": p.backbone_lr,
                "validation accuracy": round(p.val_accuracy, 3),
                "lowest validation loss": round(p.val_loss, 4),
                "epochs trained": "/".join(map(str, p.epochs_trained)),
                "chosen": "yes" if p is best else "",
            }
            for p in self.points
        ]


def sweep_configs(
    config: FinetuneConfig, shifts: Sequence[int] = PAGE_SHIFTS
) -> list[FinetuneConfig]:
    """The plan on screen at each shifted rate (the rest of the config untouched)."""
    configs = []
    for shift in shifts:
        rates = shifted_rates(config.plan.head_lr, config.plan.backbone_lr, shift)
        if rates is None:
            continue
        plan = dataclasses.replace(config.plan, head_lr=rates[0], backbone_lr=rates[1])
        configs.append(dataclasses.replace(config, plan=plan, measure_retention=False))
    return configs


def sweep_learning_rate(
    config: FinetuneConfig,
    train: Callable[[FinetuneConfig], RunResult],
    shifts: Sequence[int] = PAGE_SHIFTS,
    seeds: Sequence[int] = (0,),
    on_run: Callable[[int, int], None] | None = None,
) -> Sweep:
    """Train ``config`` at each shifted rate and seed through ``train`` and judge every point
    on validation. Test scores are never read, so choosing among the points keeps the test
    set an honest estimate."""
    configs = sweep_configs(config, shifts)
    if not configs:
        raise ValueError(
            "The learning rates are not on the lab's grid "
            f"({', '.join(map(str, LR_GRID))}); pick them with the sliders."
        )
    total, done = len(configs) * len(seeds), 0
    points = []
    for candidate in configs:
        runs = []
        for seed in seeds:
            runs.append(train(dataclasses.replace(candidate, seed=seed)))
            done += 1
            if on_run is not None:
                on_run(done, total)
        points.append(
            SweepPoint(
                candidate.plan.head_lr,
                candidate.plan.backbone_lr,
                tuple(r.val_accuracy for r in runs),
                tuple(min((h.val_loss for h in r.history), default=float("inf")) for r in runs),
                tuple(len(r.history) for r in runs),
            )
        )
    return Sweep(tuple(points))
