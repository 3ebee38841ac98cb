"""Judging a test score: the optimism of keeping the best of N runs, and McNemar's exact test.

scipy.stats computes every key: the binomial distribution for best-of-N, binomtest for McNemar.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.stats import binom, binomtest, chi2, norm

from engine.families.core import (
    THREE_DECIMALS,
    Draft,
    FloatRange,
    Generator,
    IntRange,
    NumericKey,
    OneOf,
    fixed,
    keyed_draft,
    redraw,
)

ALPHA = 0.05  # the significance level the verdict uses; the lesson tests at 5 %
Z_95 = 1.96  # the two-sided 95 % normal quantile a learner remembers


def expected_best_of_n(n_runs: int, true_accuracy: float, test_size: int) -> float:
    """E[max of N iid Binomial(test_size, p)] / test_size, exactly: E[X] = sum_k P(X > k)."""
    below = binom.cdf(np.arange(test_size), test_size, true_accuracy)
    return float(np.sum(1.0 - below**n_runs)) / test_size


def _selection_bias(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    n_runs, test_size, accuracy, ask = p["runs"], p["test_size"], p["true_accuracy"], p["ask"]
    best = expected_best_of_n(n_runs, accuracy, test_size)
    optimism = best - accuracy
    standard_error = math.sqrt(accuracy * (1 - accuracy) / test_size)
    # Lucky-run guesses, measured as optimism above the true accuracy.
    guesses = {
        "one-standard-error": (
            standard_error,
            "That is one standard error: the luck of a typical single run. The best of N "
            "is the luckiest of N, and N changes how lucky.",
        ),
        "upper-95-bound": (
            Z_95 * standard_error,
            "That is the top of one run's 95 % interval; the best of N runs is not tied to "
            "a 95 % level, it grows with N.",
        ),
        "large-n-bound": (
            math.sqrt(2 * math.log(n_runs)) * standard_error,
            "sqrt(2 ln N) standard errors is the limit for very many runs; for this N it "
            "overshoots.",
        ),
        "averaged-runs-standard-error": (
            standard_error / math.sqrt(n_runs),
            "That is the standard error of the average of N runs: averaging shrinks the "
            "luck, but keeping the maximum grows it.",
        ),
    }
    # A guess that puts the kept run's score above 1 gives itself away; offer the others.
    guesses = {name: guess for name, guess in guesses.items() if accuracy + guess[0] <= 1}
    if ask == "best_score":
        key = best
        first = (
            "averaged-not-max",
            accuracy,
            "That is the true accuracy, which is also what the N runs score on average. "
            "You keep the maximum, and the maximum of noisy scores sits above it.",
        )
        rest = [(name, accuracy + gap, why) for name, (gap, why) in guesses.items()]
    else:
        key = optimism
        first = (
            "took-best-as-true",
            0.0,
            "No optimism would mean the best test score is the kept run's true accuracy; "
            "but it was kept for its luck on this test set.",
        )
        rest = [
            (
                "gave-best-score",
                best,
                "That is the expected best test score itself; the optimism is how far it "
                "sits above the true accuracy.",
            ),
            *((name, gap, why) for name, (gap, why) in guesses.items()),
        ]
    return keyed_draft(
        values={
            "runs": str(n_runs),
            "test_size": f"{test_size:,}",
            "true_accuracy": fixed(accuracy),
            "expected_best": fixed(best),
            "optimism": fixed(optimism),
            "standard_error": fixed(standard_error),
        },
        numbers={
            "runs": n_runs,
            "test_size": test_size,
            "true_accuracy": accuracy,
            "expected_best": best,
            "optimism": optimism,
            "key": key,
        },
        key=key,
        feedback=(
            f"Right: the best of {n_runs} equally good runs is expected to score {fixed(best)} "
            f"on {test_size:,} test items, {fixed(optimism)} above their true "
            f"{fixed(accuracy)}. Choose on validation, report test once."
        ),
        mistakes=[first, *rest],
    )


SELECTION_BIAS = Generator(
    name="selection_bias",
    summary="N equally good runs on an n-item test: the expected best test score, or its "
    "optimism over the true accuracy.",
    lessons=("selection_bias",),
    params=(
        IntRange("runs", (5, 50), (2, 500), "number of runs you choose among (N)"),
        IntRange("test_size", (200, 1000), (100, 20_000), "test items each run is scored on"),
        FloatRange("true_accuracy", (0.8, 0.95), (0.5, 0.97), "every run's true accuracy", 3),
        OneOf("ask", ("best_score", "optimism"), "what the question asks"),
    ),
    compute=_selection_bias,
    library="scipy.stats binom.cdf (exact expected maximum of N binomials)",
    value_names=frozenset(
        {"expected_best", "optimism", "runs", "standard_error", "test_size", "true_accuracy"}
    ),
    mistake_names=frozenset(
        {
            "averaged-not-max",
            "gave-best-score",
            "large-n-bound",
            "one-standard-error",
            "took-best-as-true",
            "upper-95-bound",
        }
    ),
)


def exact_mcnemar_p(only_a: int, only_b: int) -> float:
    """Two-sided exact McNemar p: each disagreement a fair coin flip under "equally good"."""
    return float(binomtest(only_a, only_a + only_b, 0.5).pvalue)


def _mcnemar_counts(p: dict[str, Any]) -> tuple[int, int, int, int]:
    """(both right, only A right, only B right, both wrong); A wins most disagreements."""
    disagreements = p["disagreements"]
    only_a = round(disagreements * p["a_share_percent"] / 100)
    only_b = disagreements - only_a
    if only_a <= only_b:
        raise redraw()  # a tie names no leader to ask about
    return p["both_right"], only_a, only_b, p["both_wrong"]


def _mcnemar(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    both_right, only_a, only_b, both_wrong = _mcnemar_counts(p)
    total = both_right + only_a + only_b + both_wrong
    disagreements = only_a + only_b
    key = exact_mcnemar_p(only_a, only_b)
    one_sided = float(binomtest(only_a, disagreements, 0.5, alternative="greater").pvalue)
    right_a, right_b = both_right + only_a, both_right + only_b
    accuracy_a, accuracy_b = right_a / total, right_b / total
    # Two accuracies as if from independent test sets: ignores that the items are shared.
    pooled = (right_a + right_b) / (2 * total)
    z = (accuracy_a - accuracy_b) / math.sqrt(pooled * (1 - pooled) * 2 / total)
    unpaired = float(2 * norm.sf(abs(z)))
    # A's right answers on every item, tested against B's accuracy as if it were exact.
    all_items = float(binomtest(right_a, total, accuracy_b).pvalue)
    asymptotic = float(chi2.sf((only_a - only_b) ** 2 / disagreements, df=1))
    catalogue = {
        "one-sided": (
            one_sided,
            "the one-sided p",
            "That is one-sided: it asks only whether A beats B, a direction chosen after "
            "seeing the data. Count both tails.",
        ),
        "unpaired-accuracies": (
            unpaired,
            "a two-proportion z-test on the accuracies gives p",
            "That compares the accuracies as if they came from two test sets; both models "
            "answered the same items, and only the disagreements carry evidence.",
        ),
        "used-all-items": (
            all_items,
            "a binomial test of A's right answers on all items against B's accuracy gives p",
            "That uses all items, not only the disagreements: items both got right (or both "
            "wrong) say nothing about which is better, and B's accuracy is itself a guess.",
        ),
        "chi-square-approximation": (
            asymptotic,
            "McNemar's chi-square approximation gives p",
            "That is the large-sample chi-square form; with this few disagreements, use the "
            "exact binomial count.",
        ),
    }

    def verdict(p_value: float) -> str:
        return "Yes" if p_value < ALPHA else "No"

    if p["ask"] == "p_value":
        answer = fixed(key)
        mistakes = [(n, fixed(v), why) for n, (v, _, why) in catalogue.items()]
    else:
        answer = f"{verdict(key)}: the exact two-sided McNemar p = {fixed(key)}"
        compared = (
            "compared-accuracies-only",
            f"Yes: A's accuracy {fixed(accuracy_a)} beats B's {fixed(accuracy_b)}",
            "A higher accuracy on one test set may be luck; the test asks how surprising "
            "the split of the disagreements would be if both were equally good.",
        )
        # Accuracies that read the same at three decimals cannot be said to beat each other.
        mistakes = [
            *([compared] if fixed(accuracy_a) != fixed(accuracy_b) else []),
            *(
                (n, f"{verdict(v)}: {says} = {fixed(v)}", why)
                for n, (v, says, why) in catalogue.items()
            ),
        ]
    return Draft(
        values={
            "both_right": str(both_right),
            "only_a": str(only_a),
            "only_b": str(only_b),
            "both_wrong": str(both_wrong),
            "disagreements": str(disagreements),
            "total": str(total),
            "accuracy_a": fixed(accuracy_a),
            "accuracy_b": fixed(accuracy_b),
            "p_value": fixed(key),
            "one_sided_p": fixed(one_sided),
            "verdict": verdict(key),
        },
        numbers={
            "both_right": both_right,
            "only_a": only_a,
            "only_b": only_b,
            "both_wrong": both_wrong,
            "p_value": key,
        },
        answer=answer,
        answer_feedback=(
            f"Right: under 'equally good' A's {only_a} wins of {disagreements} disagreements "
            f"are Binomial({disagreements}, 1/2); both tails give p = {fixed(key)}, so A is "
            f"{'' if key < ALPHA else 'not '}shown better at 5 %."
        ),
        mistakes=mistakes,
        numeric=NumericKey(key, THREE_DECIMALS),
    )


MCNEMAR = Generator(
    name="mcnemar",
    summary="Two models on the same items: the exact McNemar p-value from the disagreements, "
    "or whether A is really better at 5 %.",
    lessons=("uncertainty",),
    params=(
        IntRange("disagreements", (10, 40), (3, 10_000), "items exactly one model gets right"),
        IntRange("a_share_percent", (60, 85), (51, 100), "share of those A gets right, in %"),
        IntRange("both_right", (300, 900), (1, 100_000), "items both models get right"),
        IntRange("both_wrong", (5, 60), (1, 100_000), "items both models get wrong"),
        OneOf("ask", ("p_value", "verdict"), "what the question asks"),
    ),
    compute=_mcnemar,
    library="scipy.stats binomtest (exact two-sided McNemar)",
    value_names=frozenset(
        {
            "accuracy_a",
            "accuracy_b",
            "both_right",
            "both_wrong",
            "disagreements",
            "one_sided_p",
            "only_a",
            "only_b",
            "p_value",
            "total",
            "verdict",
        }
    ),
    mistake_names=frozenset(
        {"compared-accuracies-only", "one-sided", "unpaired-accuracies", "used-all-items"}
    ),
)
