"""Any plan over five seeds, through the lab's executor: the queue, Ray and the run store
apply to each seed's run exactly as to a single Train, so an identical run is replayed.

The cost is said before starting: five runs of this plan, estimated from this session's own
measured seconds per epoch when it has trained the plan, else from the bench's figure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine.lab.checkpoint import Pretrained
from engine.lab.config import FinetuneConfig
from engine.lab.freeze import Preset
from engine.lab.results import BatchProgress, LabRun
from engine.lab.running.api import Executor, RunRequest
from engine.lab.seeds import SPREAD_SEEDS, SeedSpread

# Seconds per epoch at 200 training images, batch 32, one thread, on the shared 2-core build
# machine: the median over bench/tune_presets.py's sweep (bench/tuned_presets.json; a test
# holds them equal). Only a fallback: a session that has trained the plan uses its own.
BENCH_SECONDS_PER_EPOCH: dict[Preset, float] = {
    Preset.LINEAR_PROBE: 0.036,
    Preset.PARTIAL: 0.2,
    Preset.FULL: 0.725,
    Preset.DISCRIMINATIVE: 0.295,
    Preset.GRADUAL: 0.257,
    Preset.LP_FT: 0.266,
    Preset.SCRATCH: 0.714,
    Preset.CUSTOM: 0.725,  # not swept: at most what full fine-tuning costs
}
SETUP_SECONDS = 0.3  # per run: copying the network, loading the split, the last evaluation


@dataclass(frozen=True)
class CostEstimate:
    seconds: float
    measured_here: bool  # from this session's own run of the plan, not the bench table

    def text(self, seeds: int = len(SPREAD_SEEDS)) -> str:
        source = (
            "from your own run of this plan"
            if self.measured_here
            else "from the benchmark on a 2-core machine"
        )
        return (
            f"{seeds} runs of this plan: at most about **{self.seconds:.0f} s** ({source}; "
            "early stopping can end runs sooner, and runs already stored are replayed)."
        )


def estimate_cost(
    config: FinetuneConfig, past: Sequence[LabRun] = (), seeds: int = len(SPREAD_SEEDS)
) -> CostEstimate:
    """Upper bound for ``seeds`` runs of ``config``: every epoch trained, none replayed.
    An epoch's time depends on the plan and the data, not on how many epochs there are."""
    measured = [
        run.result.seconds_per_epoch
        for run in past
        if run.result.history
        and run.config.plan == config.plan
        and run.config.train_size == config.train_size
        and run.config.batch_size == config.batch_size
        and run.config.device == config.device
    ]
    if measured:
        per_epoch, here = measured[-1], True
    else:
        bench = BENCH_SECONDS_PER_EPOCH[Preset(config.plan.preset)]
        per_epoch, here = bench * config.train_size / 200, False
    return CostEstimate(seeds * (config.epochs * per_epoch + SETUP_SECONDS), here)


def same_but_seed(a: FinetuneConfig, b: FinetuneConfig) -> bool:
    """Two configs that train the same plan on the same data budget, whatever the seed
    (retention is measured after training and changes nothing trained)."""
    same = {"seed": 0, "measure_retention": False}
    return dataclasses.replace(a, **same) == dataclasses.replace(b, **same)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SeedRuns:
    """The same plan under each seed: validation accuracy and macro-F1 per seed."""

    accuracy: SeedSpread
    macro_f1: SeedSpread
    replayed: int  # how many seeds came from the run store instead of training
    cancelled: bool = False

    def rows(self) -> list[dict[str, int | float]]:
        return [
            {
                "seed": seed,
                "validation accuracy": round(acc, 3),
                "validation macro-F1": round(f1, 3),
            }
            for seed, acc, f1 in zip(
                self.accuracy.seeds,
                self.accuracy.val_accuracies,
                self.macro_f1.val_accuracies,
                strict=True,
            )
        ]


def run_over_seeds(
    config: FinetuneConfig,
    pretrained: Pretrained,
    owner: str,
    executor: Executor,
    seeds: Sequence[int] = SPREAD_SEEDS,
    on_wait: Callable[[int], None] = lambda position: None,
    on_progress: Callable[[float, int], None] = lambda fraction, seed: None,
    should_stop: Callable[[], bool] = lambda: False,
) -> SeedRuns:
    """Run ``config`` once per seed through ``executor`` (queue, Ray, run store as usual).

    Retention is not measured: it costs as much as a short run and the spread asked for is
    of the validation scores. ``on_progress(fraction of all seeds, seed)`` drives one bar.
    """
    accuracies: list[float] = []
    f1s: list[float] = []
    replayed = 0
    done_seeds: list[int] = []
    for index, seed in enumerate(seeds):

        def on_batch(step: BatchProgress, index: int = index, seed: int = seed) -> None:
            on_progress((index + step.fraction) / len(seeds), seed)

        request = RunRequest(
            dataclasses.replace(config, seed=seed, measure_retention=False),
            pretrained,
            owner,
            on_wait=on_wait,
            on_batch=on_batch,
            should_stop=should_stop,
        )
        executed = executor.run(request)
        if executed.result.cancelled:
            break
        replayed += executed.replayed
        accuracies.append(executed.result.val_accuracy)
        f1s.append(executed.result.val_macro_f1)
        done_seeds.append(seed)
        on_progress((index + 1) / len(seeds), seed)
    cancelled = len(done_seeds) < len(seeds)
    return SeedRuns(
        SeedSpread(tuple(done_seeds), tuple(accuracies)),
        SeedSpread(tuple(done_seeds), tuple(f1s)),
        replayed,
        cancelled,
    )
