"""Best-of-N optimism and McNemar families: every key agrees with scipy.stats, seed by seed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binom, binomtest

from engine.families import GENERATORS, check_family
from engine.families.core import MISTAKES_SHOWN
from engine.metrics.uncertainty import mcnemar_exact, mean_best_of_n

SEEDS = range(60)
ASKS = {"selection_bias": ("best_score", "optimism"), "mcnemar": ("p_value", "verdict")}
FAMILIES = [(name, ask) for name, asks in ASKS.items() for ask in asks]


def variants(name: str, seeds=SEEDS, **params):
    return [GENERATORS[name].generate(seed, params) for seed in seeds]


def best_of_n_from_its_distribution(n_runs: int, p: float, test_size: int) -> float:
    """E[max] from the max's own pmf, F(k)^N - F(k-1)^N: another route than the tail sum."""
    k = np.arange(test_size + 1)
    cdf = binom.cdf(k, test_size, p)
    below = np.r_[0.0, cdf[:-1]]
    return float(np.sum(k * (cdf**n_runs - below**n_runs))) / test_size


def item_outcomes(n):
    """Per-item right/wrong for A and B, expanded from the variant's four counts."""
    counts = [int(n[k]) for k in ("both_right", "only_a", "only_b", "both_wrong")]
    a = np.repeat([1, 1, 0, 0], counts)
    b = np.repeat([1, 0, 1, 0], counts)
    return a, b


def test_both_lessons_without_a_generator_now_have_one():
    assert GENERATORS["selection_bias"].lessons == ("selection_bias",)
    assert GENERATORS["mcnemar"].lessons == ("uncertainty",)


@pytest.mark.parametrize("ask", ASKS["selection_bias"])
def test_the_expected_best_of_n_is_scipys_binomial_maximum(ask):
    for variant in variants("selection_bias", ask=ask):
        n = variant.numbers
        runs, size, p = int(n["runs"]), int(n["test_size"]), n["true_accuracy"]
        best = best_of_n_from_its_distribution(runs, p, size)
        expected = best if ask == "best_score" else best - p
        assert variant.numeric.value == pytest.approx(expected, abs=1e-9)
        assert variant.correct.text == f"{expected:.3f}"


def test_the_expected_best_of_n_matches_a_seeded_simulation():
    for variant in variants("selection_bias", range(4), ask="best_score"):
        n = variant.numbers
        simulated = mean_best_of_n(
            int(n["runs"]), n["true_accuracy"], int(n["test_size"]), repeats=20_000
        )
        assert variant.numeric.value == pytest.approx(simulated, abs=0.001)


def test_keeping_the_best_of_more_runs_is_more_optimistic():
    fixed = {"test_size": 400, "true_accuracy": 0.9, "ask": "optimism"}
    gaps = [GENERATORS["selection_bias"].generate(0, {**fixed, "runs": n}) for n in (2, 10, 100)]
    values = [v.numeric.value for v in gaps]
    assert 0 < values[0] < values[1] < values[2]


def test_the_optimism_distractors_name_the_brief_mistakes_with_their_values():
    variant = GENERATORS["selection_bias"].generate(
        7, {"runs": 20, "test_size": 400, "true_accuracy": 0.9, "ask": "optimism"}
    )
    by_id = {o.id: o for o in variant.mistakes}
    assert by_id["took-best-as-true"].text == "0.000"
    assert by_id["gave-best-score"].text == variant.values["expected_best"]
    assert by_id["one-standard-error"].text == f"{math.sqrt(0.9 * 0.1 / 400):.3f}"


def test_the_averaged_not_max_mistake_is_the_true_accuracy():
    for variant in variants("selection_bias", range(10), ask="best_score"):
        averaged = next(o for o in variant.mistakes if o.id == "averaged-not-max")
        assert averaged.text == variant.values["true_accuracy"]


@pytest.mark.parametrize("ask", ASKS["mcnemar"])
def test_the_mcnemar_p_value_is_scipys_exact_binomial_test_on_the_disagreements(ask):
    for variant in variants("mcnemar", ask=ask):
        a, b = item_outcomes(variant.numbers)
        only_a, only_b = int(np.sum((a == 1) & (b == 0))), int(np.sum((a == 0) & (b == 1)))
        expected = binomtest(only_a, only_a + only_b, 0.5).pvalue
        assert variant.numeric.value == pytest.approx(expected, rel=1e-12)
        assert mcnemar_exact(a, b).p_value == pytest.approx(expected, rel=1e-12)
        if ask == "p_value":
            assert variant.correct.text == f"{expected:.3f}"
        else:
            verdict = "Yes" if expected < 0.05 else "No"
            assert variant.correct.text.startswith(f"{verdict}:")
            assert variant.correct.text.endswith(f"{expected:.3f}")


def test_the_one_sided_mistake_is_scipys_one_sided_test():
    for variant in variants("mcnemar", range(20), ask="p_value"):
        n = variant.numbers
        one_sided = binomtest(
            int(n["only_a"]), int(n["only_a"] + n["only_b"]), 0.5, alternative="greater"
        ).pvalue
        shown = {o.id: o.text for o in variant.mistakes}
        if "one-sided" in shown:
            assert shown["one-sided"] == f"{one_sided:.3f}"
        assert variant.values["one_sided_p"] == f"{one_sided:.3f}"


def test_model_a_always_wins_more_disagreements_so_the_question_names_a_leader():
    for variant in variants("mcnemar", ask="verdict"):
        assert variant.numbers["only_a"] > variant.numbers["only_b"]


def test_a_lopsided_split_is_significant_and_a_near_even_one_is_not():
    common = {"both_right": 500, "both_wrong": 20, "ask": "verdict"}
    lopsided = GENERATORS["mcnemar"].generate(
        0, {**common, "disagreements": 40, "a_share_percent": 80}
    )
    even = GENERATORS["mcnemar"].generate(0, {**common, "disagreements": 40, "a_share_percent": 55})
    assert lopsided.correct.text.startswith("Yes:") and lopsided.numeric.value < 0.05
    assert even.correct.text.startswith("No:") and even.numeric.value > 0.05


@pytest.mark.parametrize(("name", "ask"), FAMILIES)
def test_distractors_differ_from_the_key_and_each_other_and_numbers_are_finite(name, ask):
    for variant in variants(name, ask=ask):
        texts = [o.text for o in variant.options]
        assert len(set(texts)) == len(texts) == MISTAKES_SHOWN + 1
        assert all(o.feedback for o in variant.options)
        assert all(math.isfinite(float(v)) for v in variant.numbers.values())
        assert math.isfinite(variant.numeric.value)


@pytest.mark.parametrize(("name", "ask"), FAMILIES)
def test_the_same_seed_gives_the_same_variant(name, ask):
    assert variants(name, range(8), ask=ask) == variants(name, range(8), ask=ask)
    assert len({v.values["total" if name == "mcnemar" else "runs"] for v in variants(name)}) > 5


@pytest.mark.parametrize(("name", "ask"), FAMILIES)
def test_two_hundred_seeds_show_no_problem(name, ask):
    text = {"prompt": "{" + "}, {".join(GENERATORS[name].generate(0, {"ask": ask}).values) + "}"}
    assert check_family(name, {"ask": ask}, text, seeds=range(200)) == []


def test_no_option_puts_the_kept_runs_score_above_one():
    near_perfect = {"true_accuracy": [0.9, 0.97], "test_size": [100, 300], "runs": [2, 500]}
    for variant in variants("selection_bias", ask="best_score", **near_perfect):
        assert all(0 <= float(o.text) <= 1 for o in variant.options)


def test_accuracies_that_read_the_same_are_not_offered_as_one_beating_the_other():
    crowded = {"disagreements": 3, "both_right": 100_000, "both_wrong": 1, "ask": "verdict"}
    for variant in variants("mcnemar", range(10), **crowded):
        assert "compared-accuracies-only" not in {o.id for o in variant.mistakes}
