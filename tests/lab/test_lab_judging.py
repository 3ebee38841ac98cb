"""Runs are judged with their uncertainty: Wilson and bootstrap intervals that agree with SciPy
and scikit-learn, McNemar on the same validation items, and a plain verdict on noise."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.stats import binomtest
from sklearn.metrics import f1_score

from engine.lab.config import FinetuneConfig
from engine.lab.freeze import Preset, preset_plan
from engine.lab.judging import (
    accuracy_intervals,
    compare_runs,
    judged_runs_table,
    validation_intervals,
)
from engine.lab.results import LabRun, RunResult, runs_table
from engine.lab.seeds import SeedSpread
from engine.metrics.uncertainty import (
    bootstrap_macro_f1,
    macro_f1_from_counts,
    wilson_interval,
)


@pytest.mark.parametrize(("k", "n"), [(195, 200), (200, 200), (0, 10), (37, 50), (180, 397)])
def test_the_wilson_interval_is_scipys(k, n):
    ours = wilson_interval(k, n)
    theirs = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert ours.estimate == k / n
    assert ours.low == pytest.approx(theirs.low, abs=1e-12)
    assert ours.high == pytest.approx(theirs.high, abs=1e-12)


def test_a_wilson_interval_refuses_more_successes_than_trials():
    with pytest.raises(ValueError, match="0 <= successes <= n"):
        wilson_interval(11, 10)


def test_macro_f1_from_counts_is_scikit_learns_even_with_absent_classes():
    rng = np.random.default_rng(0)
    for _ in range(50):
        y = rng.integers(0, 6, 40)
        p = np.where(rng.random(40) < 0.7, y, rng.integers(0, 6, 40))
        p[p == 5] = 4  # class 5 may be a label but never a prediction
        matrix = np.bincount(y * 7 + p, minlength=49).reshape(7, 7)  # 6 never appears at all
        expected = f1_score(y, p, average="macro", zero_division=0)
        assert macro_f1_from_counts(matrix) == pytest.approx(expected)


def test_the_bootstrap_macro_f1_interval_holds_the_point_and_narrows_with_more_items():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 10, 2000)
    p = np.where(rng.random(2000) < 0.9, y, rng.integers(0, 10, 2000))
    small, large = bootstrap_macro_f1(y[:200], p[:200], 10), bootstrap_macro_f1(y, p, 10)
    assert small.estimate == pytest.approx(f1_score(y[:200], p[:200], average="macro"))
    assert small.low < small.estimate < small.high
    assert large.high - large.low < small.high - small.low


def result_with(correct: np.ndarray, labels: np.ndarray, n_classes: int = 10) -> RunResult:
    """A RunResult whose validation predictions are right exactly where ``correct`` says."""
    predicted = np.where(correct, labels, (labels + 1) % n_classes)
    probabilities = np.eye(n_classes)[predicted]
    return RunResult(
        history=[], best_epoch=0, weights_epoch=0, restored_best=False, stopped_early=False,
        val_accuracy=float(correct.mean()), val_macro_f1=0.0, test_accuracy=0.0,
        test_macro_precision=0.0, test_macro_recall=0.0, test_macro_f1=0.0, per_class=[],
        confusion=[], class_names=tuple(map(str, range(n_classes))), retention=None,
        device="cpu", used_cached_features=True, cancelled=False, seconds_per_epoch=0.0,
        total_s=0.0, test_probabilities=np.zeros((0, n_classes)), test_labels=np.zeros(0),
        val_probabilities=probabilities, val_labels=labels,
    )  # fmt: skip


def lab_run(label: str, result: RunResult) -> LabRun:
    config = FinetuneConfig(preset_plan(Preset.LINEAR_PROBE), train_size=50, epochs=1)
    return LabRun(label, config, result)


LABELS = np.arange(200) % 10


def test_a_runs_interval_is_wilsons_on_its_validation_items():
    correct = np.arange(200) >= 4  # 196 of 200
    judged = validation_intervals(result_with(correct, LABELS))
    assert judged is not None and judged.n_items == 200
    ci = binomtest(196, 200).proportion_ci(method="wilson")
    assert (judged.accuracy.low, judged.accuracy.high) == pytest.approx((ci.low, ci.high))
    assert judged.macro_f1.low <= judged.macro_f1.estimate <= judged.macro_f1.high


def test_two_runs_one_item_apart_are_called_within_noise_with_scipys_p_value():
    a = np.arange(200) >= 5  # 195 right
    b = a.copy()
    b[[0, 1]] = True  # B also gets two A missed ...
    b[[100]] = False  # ... and misses one A got: 196 right
    comparison = compare_runs(
        lab_run("#1 a", result_with(a, LABELS)), lab_run("#2 b", result_with(b, LABELS))
    )
    assert (comparison.mcnemar.only_a_right, comparison.mcnemar.only_b_right) == (1, 2)
    assert comparison.mcnemar.p_value == pytest.approx(binomtest(1, 3, 0.5).pvalue)
    assert comparison.within_noise
    verdict = comparison.verdict()
    assert "#2 got 2 right that #1 missed" in verdict and "within noise" in verdict
    assert "not the training seed" in verdict


def test_a_large_gap_on_the_same_items_is_not_called_noise_but_still_names_the_seed():
    a = np.arange(200) >= 40  # 160 right
    b = np.arange(200) >= 2  # 198 right, a superset of A's
    comparison = compare_runs(
        lab_run("#1 a", result_with(a, LABELS)), lab_run("#2 b", result_with(b, LABELS))
    )
    assert comparison.mcnemar.p_value == pytest.approx(binomtest(0, 38, 0.5).pvalue)
    assert not comparison.within_noise
    assert comparison.difference.estimate == pytest.approx(0.19)
    assert "seed spread" in comparison.verdict()


def test_runs_on_different_validation_items_are_not_compared_pairwise():
    a = lab_run("#1", result_with(np.ones(200, bool), LABELS))
    b = lab_run("#2", result_with(np.ones(100, bool), LABELS[:100]))
    with pytest.raises(ValueError, match="different validation items"):
        compare_runs(a, b)


def test_the_judged_table_keeps_every_runs_table_column_and_adds_intervals_and_seed_spread():
    runs = [
        lab_run("#1", result_with(np.arange(200) >= 10, LABELS)),
        lab_run("#2", dataclasses.replace(result_with(np.ones(200, bool), LABELS))),
    ]
    spread = SeedSpread((0, 1, 2), (0.95, 0.97, 0.96))
    first, second = judged_runs_table(runs, spreads={"#2": spread})
    plain = runs_table(runs)
    assert {k: first[k] for k in plain[0]} == plain[0]
    ci = binomtest(190, 200).proportion_ci(method="wilson")
    assert first["validation accuracy 95% interval"] == f"{ci.low:.3f}–{ci.high:.3f}"
    assert first["validation accuracy over seeds (mean ± sd)"] is None
    assert second["validation accuracy over seeds (mean ± sd)"] == "0.960 ± 0.010"
    assert second["over seeds (range)"] == "0.950–0.970"
    keys = list(first)
    assert keys.index("validation accuracy 95% interval") == keys.index("validation accuracy") + 1


def test_the_chart_data_holds_each_runs_accuracy_inside_its_interval():
    runs = [lab_run("#1", result_with(np.arange(200) >= 10, LABELS))]
    (point,) = accuracy_intervals(runs)
    assert point["low"] < point["validation accuracy"] == 0.95 < point["high"]
