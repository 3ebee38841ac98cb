"""Bank text meets a variant: placeholders, literal braces, parameter ranges, the checker."""

from __future__ import annotations

import pytest

from engine.families import FamilyError, TemplateError, check_family, fill, generator
from engine.families.templating import placeholders

VALUES = {"tp": "40", "fp": "10", "precision": "0.800"}


def test_fill_replaces_placeholders_in_prompt_text():
    assert fill("With TP = {tp} and FP = {fp}: {precision}", VALUES) == (
        "With TP = 40 and FP = 10: 0.800"
    )


def test_doubled_braces_write_literal_braces_for_latex_and_code():
    text = r"$\frac{{TP}}{{TP + FP}} = \frac{{{tp}}}{{50}}$ and `d = {{'a': 1}}`"
    assert fill(text, VALUES) == r"$\frac{TP}{TP + FP} = \frac{40}{50}$ and `d = {'a': 1}`"


def test_a_placeholder_naming_no_variable_is_an_error_naming_it():
    with pytest.raises(TemplateError, match=r"\{recal\} names no variable; this family has: ") as e:
        fill("Recall is {recal}", VALUES)
    assert e.value.placeholder == "recal"


@pytest.mark.parametrize("value", ["0.8*", "a_b", "[x]", "`x`", "$x$", "<b>", "a|b"])
def test_a_value_that_would_break_markdown_is_an_error_naming_the_placeholder(value):
    with pytest.raises(TemplateError, match=r"\{tp\}: the value .* would change how") as e:
        fill("TP = {tp}", {"tp": value})
    assert e.value.placeholder == "tp"


def test_a_lone_or_malformed_brace_says_how_to_write_a_literal_one():
    with pytest.raises(TemplateError, match="a lone '}': write '}}' for a literal brace"):
        fill("x } y", VALUES)
    with pytest.raises(TemplateError, match=r"\{a: 1\} is not a placeholder name; write"):
        fill("d = {a: 1}", VALUES)


def test_placeholders_lists_names_in_order_and_skips_escapes():
    assert placeholders("{{x}} {tp} {fp} {tp}") == ["tp", "fp", "tp"]


def test_a_range_outside_the_generators_limits_is_a_precise_error():
    family = generator("roc_auc")
    with pytest.raises(
        FamilyError,
        match=r"positives: the range \[2, 40\] leaves what the generator can honour, \[2, 12\]",
    ):
        family.resolve({"positives": [2, 40]})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"positives": [6, 3]}, r"positives: the range \[6, 3\] is empty; write \[3, 6\]"),
        ({"positives": [2.5, 4]}, r"positives: write a range as \[low, high\] of whole numbers"),
        ({"positives": "many"}, r"positives: write a range as \[low, high\]"),
        ({"positive": [3, 4]}, r"roc_auc has no parameter 'positive'; it takes positives, "),
    ],
)
def test_malformed_params_are_errors_that_say_the_fix(params, message):
    with pytest.raises(FamilyError, match=message):
        generator("roc_auc").resolve(params)


def test_a_choice_parameter_accepts_a_subset_and_refuses_what_it_does_not_offer():
    family = generator("confusion_metric")
    assert family.resolve({"ask": "f1"})["ask"] == ("f1",)
    with pytest.raises(FamilyError, match="ask: mcc is not offered; allowed: precision, "):
        family.resolve({"ask": ["f1", "mcc"]})


def test_a_single_number_fixes_a_parameter():
    variant = generator("confusion_metric").generate(5, {"tp": 30, "fp": 7, "ask": "f1"})
    assert (variant.values["tp"], variant.values["fp"], variant.values["metric"]) == (
        "30",
        "7",
        "f1",
    )


def test_an_unknown_generator_lists_the_available_ones():
    with pytest.raises(FamilyError, match="no generator 'f1_score'; available: average_precision"):
        generator("f1_score")


def test_check_family_names_the_generator_seed_and_field_of_a_placeholder_problem():
    problems = check_family(
        "confusion_metric", {"ask": "f1"}, {"prompt": "TP = {tp}", "hints[0]": "{recal}"},
        seeds=range(5),
    )  # fmt: skip
    assert [str(p) for p in problems] == [
        "confusion_metric (seed 0) hints[0]: {recal} names no variable; this family has: "
        + ", ".join(sorted(generator("confusion_metric").generate(0, {"ask": "f1"}).values))
    ]


def test_check_family_reports_a_bad_range_once_for_every_seed():
    problems = check_family("loss_curve", {"epochs": [2, 100]}, {}, seeds=range(50))
    assert len(problems) == 1 and problems[0].seed is None and problems[0].field == "params"


def test_check_family_reports_a_range_that_cannot_give_distinct_choices_with_its_seed():
    # Fixing every count and the metric leaves "swapped FP and FN" equal to the key: with
    # FP = FN = TN, precision, recall, specificity and NPV all coincide.
    fixed = {"tp": 10, "fp": 10, "tn": 10, "fn": 10, "ask": "precision"}
    problems = check_family("confusion_metric", fixed, {}, seeds=range(3))
    assert [(p.seed, p.field) for p in problems] == [(0, "params")]
    assert "no draw in 100 gave a key and 3 distinct mistakes; widen the ranges" in str(problems[0])


def test_variant_seeds_are_stable_distinct_per_question_and_fit_a_bigint():
    from engine.families import variant_seed

    assert variant_seed(7, "f1-family") == variant_seed(7, "f1-family")
    seeds = {variant_seed(plan, qid) for plan in range(50) for qid in ("a", "b", "c")}
    assert len(seeds) == 150
    assert all(0 <= seed < 2**63 for seed in seeds)
    # Pinned: a stored seed must re-create the same variant after any upgrade.
    assert (
        variant_seed(1, "q")
        == int.from_bytes(__import__("hashlib").sha256(b"1:q").digest()[:8], "big") >> 1
    )
