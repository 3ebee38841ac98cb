"""Numbers the lab quotes from its benchmark are the benchmark's: the warm-up evidence, its
paired test (SciPy), and the per-epoch costs behind the seed-spread estimate."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest
from scipy.stats import ttest_rel

from engine.lab.freeze import Preset
from engine.lab.seed_runs import BENCH_SECONDS_PER_EPOCH
from engine.lab.warmup_evidence import GLYPH_PROBE, TARGET_ACCURACY, warmup_claim

SWEEP_FILE = Path(__file__).resolve().parents[2] / "bench" / "tuned_presets.json"


@pytest.fixture(scope="module")
def report():
    return json.loads(SWEEP_FILE.read_text())


def test_the_warm_up_numbers_are_the_benchmarks_per_seed_scores(report):
    without, with_warmup = report["warmup"]["warmup_0"], report["warmup"]["warmup_2"]
    assert GLYPH_PROBE.without == tuple(round(r["glyph_probe"], 4) for r in without)
    assert GLYPH_PROBE.with_warmup == tuple(round(r["glyph_probe"], 4) for r in with_warmup)
    assert TARGET_ACCURACY.without == tuple(round(r["val_accuracy"], 4) for r in without)
    assert TARGET_ACCURACY.with_warmup == tuple(round(r["val_accuracy"], 4) for r in with_warmup)


def test_the_warm_up_claim_is_only_made_because_it_holds_over_seeds():
    gain = ttest_rel(GLYPH_PROBE.with_warmup, GLYPH_PROBE.without)
    assert GLYPH_PROBE.p_value == pytest.approx(gain.pvalue) and gain.pvalue < 0.05
    assert GLYPH_PROBE.seeds_higher == len(GLYPH_PROBE.without)
    assert TARGET_ACCURACY.p_value > 0.05  # target accuracy: no claim made
    claim = warmup_claim()
    assert f"p = {gain.pvalue:.2f}" in claim and "can help at high learning rates" in claim
    assert f"{statistics.fmean(GLYPH_PROBE.with_warmup):.2f}" in claim


def test_the_fallback_cost_per_epoch_is_the_median_the_sweep_measured(report):
    for row in report["presets"]:
        median = statistics.median(t["seconds_per_run"] / t["epochs_trained"] for t in row["tried"])
        assert BENCH_SECONDS_PER_EPOCH[Preset(row["preset"])] == pytest.approx(median, rel=0.02)
