"""One row per run for "how little can I train?": trainable share, validation accuracy with a
Wilson interval, and retention, for parameter-efficient strategies and freezing presets alike."""

from __future__ import annotations

import time
from dataclasses import dataclass

from engine.lab.config import FinetuneConfig
from engine.lab.freeze import PRESET_LABELS, Preset
from engine.lab.model import SmallResNet
from engine.lab.peft_presets import DEFAULT_EPOCHS, EfficientPlan, train_efficient, trainable_share
from engine.lab.results import RunResult
from engine.lab.train import finetune
from engine.lab.tuning import tuned_plan
from engine.metrics.uncertainty import Interval, wilson_interval


@dataclass(frozen=True)
class StrategyRow:
    label: str
    seed: int
    trainable: int
    total: int
    val_correct: int
    val_size: int
    val_interval: Interval  # Wilson, 95 %
    source_before: float | None  # source-task accuracy through the original head
    source_after: float | None
    probe_after: float | None  # a probe re-fitted on the fine-tuned features
    seconds: float
    result: RunResult

    @property
    def share(self) -> float:
        return self.trainable / self.total

    def as_record(self) -> dict[str, object]:
        interval = self.val_interval
        return {
            "strategy": self.label,
            "seed": self.seed,
            "trainable parameters": self.trainable,
            "trainable share": f"{self.share:.2%}",
            "validation accuracy": interval.estimate,
            "95% interval": f"{interval.low:.3f}–{interval.high:.3f}",
            "source accuracy, original head": self.source_after,
            "source accuracy, re-fitted probe": self.probe_after,
            "seconds": round(self.seconds, 1),
        }


def row_from(label: str, seed: int, result: RunResult, seconds: float) -> StrategyRow:
    assert result.model is not None
    share = trainable_share(result.model)
    labels, predicted = result.val_labels, result.val_probabilities.argmax(axis=1)
    correct = int((predicted == labels).sum())
    retention = result.retention
    return StrategyRow(
        label=label,
        seed=seed,
        trainable=share.trainable,
        total=share.total,
        val_correct=correct,
        val_size=len(labels),
        val_interval=wilson_interval(correct, len(labels)),
        source_before=retention.before if retention else None,
        source_after=retention.after if retention else None,
        probe_after=retention.probe_after if retention else None,
        seconds=seconds,
        result=result,
    )


def efficient_row(
    plan: EfficientPlan,
    pretrained: SmallResNet,
    *,
    seed: int = 0,
    train_size: int = 200,
    epochs: int = DEFAULT_EPOCHS,
) -> StrategyRow:
    run = train_efficient(plan, pretrained, seed=seed, train_size=train_size, epochs=epochs)
    return row_from(plan.label, seed, run.result, run.seconds)


def freezing_row(
    preset: Preset,
    pretrained: SmallResNet,
    *,
    seed: int = 0,
    train_size: int = 200,
    epochs: int = DEFAULT_EPOCHS,
) -> StrategyRow:
    """A freezing preset at its tuned rates, same data, budget and seed as the others."""
    started = time.perf_counter()
    config = FinetuneConfig(tuned_plan(preset), train_size=train_size, epochs=epochs, seed=seed)
    result = finetune(config, pretrained)
    return row_from(PRESET_LABELS[preset], seed, result, time.perf_counter() - started)
