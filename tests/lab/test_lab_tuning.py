"""Each strategy at its own best: presets start at the rates their committed sweep chose, and a
sweep of the plan on screen chooses on validation without ever reading a test score."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from engine.lab.checkpoint import load_pretrained
from engine.lab.config import FinetuneConfig
from engine.lab.freeze import Preset, preset_plan
from engine.lab.results import RunResult
from engine.lab.train import finetune
from engine.lab.tuning import (
    LR_GRID,
    SWEPT_PRESETS,
    TUNED_RATES,
    shifted_rates,
    sweep_configs,
    sweep_learning_rate,
    tuned_plan,
)

SWEEP_FILE = Path(__file__).resolve().parents[2] / "bench" / "tuned_presets.json"


def test_every_tuned_default_is_the_choice_recorded_by_the_committed_sweep():
    report = json.loads(SWEEP_FILE.read_text())
    chosen = {row["preset"]: row["chosen"] for row in report["presets"]}
    assert set(chosen) == {p.value for p in SWEPT_PRESETS} == {p.value for p in TUNED_RATES}
    for preset, rates in TUNED_RATES.items():
        assert (rates.head_lr, rates.backbone_lr) == (
            chosen[preset.value]["head_lr"],
            chosen[preset.value]["backbone_lr"],
        ), preset
        best = max(row["val_accuracy"] for row in _tried(report, preset))
        assert chosen[preset.value]["val_accuracy"] == best  # chosen on validation


def _tried(report, preset):
    return next(r["tried"] for r in report["presets"] if r["preset"] == preset.value)


def test_the_sweep_never_chose_on_test():
    report = json.loads(SWEEP_FILE.read_text())
    for row in report["presets"]:
        by_val = max(row["tried"], key=lambda t: (round(t["val_accuracy"], 6), -t["val_loss"]))
        assert row["chosen"] == by_val


def test_a_tuned_plan_is_the_preset_with_only_its_rates_changed():
    plan = tuned_plan(Preset.LINEAR_PROBE)
    rates = TUNED_RATES[Preset.LINEAR_PROBE]
    assert plan == preset_plan(
        Preset.LINEAR_PROBE, head_lr=rates.head_lr, backbone_lr=rates.backbone_lr
    )
    assert tuned_plan(Preset.CUSTOM) == preset_plan(Preset.CUSTOM)


def test_rates_shift_along_the_sliders_grid_keeping_their_ratio():
    assert shifted_rates(0.01, 0.001, 1) == (0.03, 0.003)
    assert shifted_rates(0.01, 0.001, -1) == (0.003, 0.0003)
    assert shifted_rates(0.1, 0.01, 1) is None  # off the top of the grid
    assert shifted_rates(0.02, 0.001, 0) is None  # not a slider value
    assert tuple(sorted(LR_GRID)) == LR_GRID


class FakeResult:
    """What a sweep may read of a run; test accuracy set to mislead if it were read."""

    def __init__(self, val_accuracy: float, test_accuracy: float) -> None:
        self.val_accuracy = val_accuracy
        self.history = [type("E", (), {"val_loss": 1 - val_accuracy})()]
        self._test = test_accuracy

    @property
    def test_accuracy(self) -> float:
        raise AssertionError("a learning-rate sweep read a test score")


def test_the_page_sweep_chooses_the_best_validation_rate_and_never_reads_test():
    config = FinetuneConfig(preset_plan(Preset.FULL), train_size=50, epochs=2)
    val = {0.0003: 0.90, 0.001: 0.95, 0.003: 0.93}

    def train(candidate: FinetuneConfig) -> RunResult:
        assert not candidate.measure_retention
        return FakeResult(val[candidate.plan.head_lr], 1 - val[candidate.plan.head_lr])  # type: ignore[return-value]

    sweep = sweep_learning_rate(config, train, seeds=(0, 1))
    assert [p.head_lr for p in sweep.points] == [0.0003, 0.001, 0.003]
    assert sweep.chosen.head_lr == 0.001 and sweep.chosen.val_accuracies == (0.95, 0.95)
    rows = sweep.rows()
    assert [r["chosen"] for r in rows] == ["", "yes", ""]


def test_a_plan_off_the_grid_cannot_be_swept():
    config = FinetuneConfig(
        preset_plan(Preset.FULL, head_lr=0.002, backbone_lr=0.002), train_size=50
    )
    assert sweep_configs(config) == []
    with pytest.raises(ValueError, match="not on the lab's grid"):
        sweep_learning_rate(config, lambda c: None)  # type: ignore[arg-type, return-value]


@pytest.mark.slow
def test_a_real_sweep_of_the_probe_picks_the_point_with_the_best_validation_accuracy():
    pretrained = load_pretrained().model
    config = FinetuneConfig(preset_plan(Preset.LINEAR_PROBE), train_size=50, epochs=3)
    sweep = sweep_learning_rate(config, lambda c: finetune(c, pretrained))
    again = finetune(dataclasses.replace(sweep_configs(config)[1], seed=0), pretrained)
    assert sweep.points[1].val_accuracies == (again.val_accuracy,)
    assert sweep.chosen.val_accuracy == max(np.mean(p.val_accuracies) for p in sweep.points)
