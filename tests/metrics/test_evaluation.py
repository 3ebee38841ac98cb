"""Bootstrap intervals, McNemar's exact test and best-of-N selection agree with scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom, binomtest, bootstrap

from engine.metrics.uncertainty import (
    bootstrap_accuracy,
    draw_runs,
    mcnemar_exact,
    mean_best_of_n,
    paired_bootstrap_difference,
)


def random_hits(n: int, p: float, seed: int) -> np.ndarray:
    return (np.random.default_rng(seed).random(n) < p).astype(int)


@pytest.mark.parametrize(("n", "p"), [(397, 0.97), (397, 0.94), (200, 0.8)])
def test_the_bootstrap_interval_matches_scipys_percentile_bootstrap(n, p):
    hits = random_hits(n, p, seed=n)
    ours = bootstrap_accuracy(hits, confidence=0.95, resamples=8000)
    theirs = bootstrap(
        (hits,), np.mean, confidence_level=0.95, n_resamples=8000, method="percentile", rng=1
    ).confidence_interval
    assert ours.estimate == pytest.approx(hits.mean())
    # Two independent Monte Carlo runs: they agree to within a test item or so.
    assert ours.low == pytest.approx(theirs.low, abs=1.5 / n)
    assert ours.high == pytest.approx(theirs.high, abs=1.5 / n)


def test_the_audits_interval_is_about_plus_minus_1_7_points_at_97_percent_on_397_items():
    hits = np.array([1] * 385 + [0] * 12)  # 385 / 397 = 0.970
    interval = bootstrap_accuracy(hits)
    assert interval.half_width == pytest.approx(0.017, abs=0.002)


def test_a_higher_confidence_gives_a_wider_interval():
    hits = random_hits(397, 0.9, seed=3)
    assert bootstrap_accuracy(hits, 0.99).half_width > bootstrap_accuracy(hits, 0.8).half_width


@pytest.mark.parametrize("seed", range(6))
def test_mcnemar_exact_p_value_equals_scipys_two_sided_binomial_test(seed):
    a, b = random_hits(397, 0.92, seed), random_hits(397, 0.95, seed + 100)
    result = mcnemar_exact(a, b)
    only_a = int(np.sum((a == 1) & (b == 0)))
    only_b = int(np.sum((a == 0) & (b == 1)))
    assert (result.only_a_right, result.only_b_right) == (only_a, only_b)
    assert result.both_right + result.both_wrong + only_a + only_b == 397
    expected = binomtest(only_a, only_a + only_b, 0.5).pvalue
    assert result.p_value == pytest.approx(expected, rel=1e-12)


def test_two_identical_runs_have_no_disagreements_and_p_value_one():
    hits = random_hits(100, 0.9, seed=0)
    assert mcnemar_exact(hits, hits).p_value == 1.0


def test_the_paired_bootstrap_is_narrower_than_the_unpaired_one_when_errors_are_shared():
    a = random_hits(397, 0.9, seed=5)
    b = a.copy()
    b[np.flatnonzero(a == 0)[:8]] = 1  # B fixes 8 of A's mistakes and breaks nothing
    paired = paired_bootstrap_difference(a, b)
    assert paired.estimate == pytest.approx(8 / 397)
    assert paired.low > 0  # every resample shows B ahead or level
    unpaired_width = bootstrap_accuracy(a).half_width + bootstrap_accuracy(b).half_width
    assert paired.half_width < unpaired_width / 2


def test_mismatched_lengths_are_refused_with_both_sizes():
    with pytest.raises(ValueError, match="same items: 3 vs 2"):
        mcnemar_exact([1, 0, 1], [1, 0])


def expected_best_of_n(n_runs: int, p: float, test_size: int) -> float:
    """E[max of N iid Binomial(test_size, p)] / test_size, exactly, from scipy's CDF."""
    k = np.arange(test_size)
    return float(np.sum(1 - binom.cdf(k, test_size, p) ** n_runs)) / test_size


@pytest.mark.parametrize("n_runs", [1, 5, 20, 50])
def test_the_simulated_best_of_n_matches_the_exact_expected_maximum(n_runs):
    simulated = mean_best_of_n(n_runs, 0.942, 397, repeats=20_000)
    assert simulated == pytest.approx(expected_best_of_n(n_runs, 0.942, 397), abs=0.0008)


def test_keeping_the_best_test_score_is_optimistic_and_more_so_with_more_runs():
    exact = [expected_best_of_n(n, 0.942, 397) - 0.942 for n in (1, 5, 20, 50)]
    assert exact[0] == pytest.approx(0.0, abs=1e-9)
    assert exact == sorted(exact) and exact[2] > 0.015


def test_a_draw_picks_the_run_with_the_highest_test_score_and_measures_it_fresh():
    draw = draw_runs(20, 0.942, 397, seed=4)
    assert draw.test_scores[draw.chosen] == draw.test_scores.max()
    assert draw.optimism == draw.test_scores.max() - draw.fresh_scores[draw.chosen]
    assert set(np.round(draw.test_scores * 397, 9)) <= set(range(398))
