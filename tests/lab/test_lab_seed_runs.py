"""Any plan over seeds, through the executor: real runs, the queue's place passed on, identical
runs replayed from the run store, one progress bar, and the cost said before starting."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest
from sqlalchemy import create_engine

from engine.lab.checkpoint import load_pretrained
from engine.lab.config import FinetuneConfig
from engine.lab.freeze import Preset, preset_plan
from engine.lab.results import LabRun
from engine.lab.running.api import ExecutedRun, RunRequest
from engine.lab.running.inline import InlineExecutor
from engine.lab.running.stored import RunStore, StoredRunsExecutor
from engine.lab.seed_runs import (
    BENCH_SECONDS_PER_EPOCH,
    SETUP_SECONDS,
    estimate_cost,
    run_over_seeds,
    same_but_seed,
)
from engine.lab.train import finetune

PARTIAL = FinetuneConfig(preset_plan(Preset.PARTIAL), train_size=50, epochs=1)


@pytest.fixture(scope="module")
def pretrained():
    return load_pretrained()


def test_a_plan_that_trains_the_backbone_runs_once_per_seed_like_finetune(pretrained):
    fractions = []
    runs = run_over_seeds(
        PARTIAL,
        pretrained,
        "ann",
        InlineExecutor(),
        seeds=(0, 1),
        on_progress=lambda fraction, seed: fractions.append(fraction),
    )
    again = finetune(
        dataclasses.replace(PARTIAL, seed=1, measure_retention=False), pretrained.model
    )
    assert runs.accuracy.seeds == (0, 1) and runs.accuracy.val_accuracies[1] == again.val_accuracy
    assert runs.macro_f1.val_accuracies[1] == again.val_macro_f1
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert not runs.cancelled and runs.replayed == 0


def test_identical_seed_runs_are_replayed_from_the_run_store(pretrained, tmp_path):
    store = RunStore(create_engine(f"sqlite:///{tmp_path / 'runs.db'}"))
    executor = StoredRunsExecutor(InlineExecutor(), store, replay_pause_s=0.0)
    first = run_over_seeds(PARTIAL, pretrained, "ann", executor, seeds=(0, 1))
    second = run_over_seeds(PARTIAL, pretrained, "bob", executor, seeds=(0, 1))
    assert (first.replayed, second.replayed) == (0, 2)
    assert second.accuracy == first.accuracy


class Waiting:
    """An executor that reports a place in the line, then runs inline."""

    name = "waiting"

    def __init__(self) -> None:
        self.requests: list[RunRequest] = []

    def device_kind(self, config):
        return "cpu"

    def queue_counts(self):
        return (1, 1)

    def run(self, request: RunRequest) -> ExecutedRun:
        self.requests.append(request)
        request.on_wait(2)
        return InlineExecutor().run(request)


def test_the_place_in_the_queue_reaches_the_caller_for_every_seed(pretrained):
    places, executor = [], Waiting()
    run_over_seeds(PARTIAL, pretrained, "ann", executor, seeds=(0, 1), on_wait=places.append)
    assert places == [2, 2]
    assert [r.config.seed for r in executor.requests] == [0, 1]
    assert not any(r.config.measure_retention for r in executor.requests)


def test_stopping_part_way_keeps_only_the_finished_seeds(pretrained):
    calls = {"n": 0}

    def stop_in_second_seed() -> bool:
        calls["n"] += 1
        return calls["n"] > 4  # 50 images at batch 32: two batches a seed

    runs = run_over_seeds(
        PARTIAL,
        pretrained,
        "ann",
        InlineExecutor(),
        seeds=(0, 1, 2),
        should_stop=stop_in_second_seed,
    )
    assert runs.cancelled and len(runs.accuracy.val_accuracies) < 3


def test_the_cost_shown_before_starting_uses_this_sessions_own_measurement_when_it_has_one():
    config = FinetuneConfig(preset_plan(Preset.FULL), train_size=200, epochs=10)
    guess = estimate_cost(config, (), seeds=5)
    assert not guess.measured_here
    assert guess.seconds == pytest.approx(
        5 * (10 * BENCH_SECONDS_PER_EPOCH[Preset.FULL] + SETUP_SECONDS)
    )
    assert "from the benchmark" in guess.text(5)

    result = SimpleNamespace(history=[object()], seconds_per_epoch=0.5)
    past = [LabRun("#1", dataclasses.replace(config, seed=3, epochs=4), result)]  # type: ignore[arg-type]
    measured = estimate_cost(config, past, seeds=5)
    assert measured.measured_here and measured.seconds == pytest.approx(
        5 * (10 * 0.5 + SETUP_SECONDS)
    )
    assert "your own run" in measured.text(5)


def test_runs_differing_only_in_seed_share_a_spread():
    assert same_but_seed(PARTIAL, dataclasses.replace(PARTIAL, seed=4, measure_retention=False))
    assert not same_but_seed(PARTIAL, dataclasses.replace(PARTIAL, epochs=2))
    assert np.isfinite(BENCH_SECONDS_PER_EPOCH[Preset.CUSTOM])
