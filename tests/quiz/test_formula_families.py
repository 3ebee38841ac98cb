"""Formula families: a family written in the bank's YAML loads, draws, checks and exports
like a reviewed generator, and what it may not do is refused at load with file:line."""

from __future__ import annotations

import pytest

from engine.quiz.authoring.export import bank_to_gift
from engine.quiz.authoring.preview import preview_text
from engine.quiz.bank import BankInvalid, load_bank_text
from engine.quiz.grading import Response, grade
from engine.quiz.models import QuestionBank
from engine.quiz.sampling import family_problems
from engine.quiz.variants import draw_variant, instantiate

HEAD = """\
id: regularisation
title: Regularisation
pattern: Weight decay, dropout and label smoothing.
version: "1"
test: {easy: 1, medium: 0, hard: 0}
questions:
"""

DROPOUT = """\
  - id: dropout-scale
    difficulty: easy
    topic: dropout
    type: numeric
    formula:
      variables:
        p: {range: [0.1, 0.5], step: 0.05}
      derived:
        scale: 1 / (1 - p)
      answer: scale
      mistakes:
        multiplied-by-p: 1 - p
        divided-by-p: 1 / p
    prompt: With dropout p = {p}, by what factor are the kept activations scaled?
    solution:
      steps: ["1 / (1 - {p}) = {scale}"]
      final_answer: "{answer}"
    quick_check: The factor is above 1.
"""

SMOOTHING = """\
  - id: smoothed-target
    difficulty: easy
    topic: label smoothing
    type: single_choice
    formula:
      variables:
        eps: {range: [0.05, 0.3], step: 0.05}
        k: {choose: [3, 5, 10, 100]}
      derived:
        target: 1 - eps + eps / k
      answer: target
      digits: 3
      mistakes:
        forgot-the-share: 1 - eps
        divided-by-k-minus-one: 1 - eps + eps / (k - 1)
        used-eps: eps
      conditions:
        - eps / k > 0.001
    prompt: "Label smoothing {eps} over {k} classes: the target of the true class?"
    mistake_feedback:
      forgot-the-share: "The true class also gets its share {eps}/{k} of the smoothing."
    solution:
      steps: ["1 - {eps} + {eps} / {k} = {target}"]
      final_answer: "{target}"
    quick_check: Just below 1.
"""


def load(*questions: str) -> QuestionBank:
    return load_bank_text(HEAD + "".join(questions), filename="reg.yaml")


def errors(*questions: str) -> list[str]:
    with pytest.raises(BankInvalid) as raised:
        load(*questions)
    return [str(e) for e in raised.value.errors]


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the bank (HEAD + text) that holds `fragment`."""
    return next(n for n, line in enumerate((HEAD + text).splitlines(), 1) if fragment in line)


# ------------------------------------------------------------------ drawing


def test_a_formula_family_draws_a_key_equal_to_its_formula_in_python() -> None:
    question = load(DROPOUT).questions[0]
    for seed in range(50):
        drawn = instantiate(question, seed)
        assert drawn.variant is not None
        p = drawn.variant.numbers["p"]
        assert f"p = {p:.2f}," in drawn.prompt
        assert drawn.answer == round(1 / (1 - p), 3)
        assert grade(drawn, Response.number(1 / (1 - p))).correct
        assert not grade(drawn, Response.number(1 - p)).correct
        assert drawn.solution.steps == [f"1 / (1 - {p:.2f}) = {1 / (1 - p):.3f}"]


def test_a_choice_formula_shows_its_key_and_named_mistakes_each_with_feedback() -> None:
    question = load(SMOOTHING).questions[0]
    drawn = instantiate(question, 4)
    assert drawn.variant is not None
    eps, k = drawn.variant.numbers["eps"], drawn.variant.numbers["k"]
    key = drawn.choice(drawn.answer)
    assert key is not None and key.text == f"{1 - eps + eps / k:.3f}"
    assert {c.id for c in drawn.choices} == {
        "correct",
        "forgot-the-share",
        "divided-by-k-minus-one",
        "used-eps",
    }
    forgot = drawn.choice("forgot-the-share")
    assert forgot is not None and forgot.text == f"{1 - eps:.3f}"
    assert forgot.feedback == f"The true class also gets its share {eps:g}/{k:g} of the smoothing."


def test_the_same_seed_draws_the_same_variant_and_other_seeds_draw_others() -> None:
    question = load(SMOOTHING).questions[0]
    assert draw_variant(question, 7) == draw_variant(question, 7)
    again = load(SMOOTHING).questions[0]  # a fresh load: nothing cached decides it
    assert instantiate(again, 7) == instantiate(question, 7)
    assert len({draw_variant(question, seed).values["eps"] for seed in range(40)}) > 2


def test_a_draw_whose_options_would_read_the_same_is_drawn_again() -> None:
    # 1 - eps + eps / k equals 1 - eps + eps / (k - 1) never, but round(eps, 1) equals eps
    # whenever eps has one decimal: those draws must never reach a learner.
    text = SMOOTHING.replace("used-eps: eps", "rounded: round(1 - eps + eps / k, 1)")
    question = load(text).questions[0]
    for seed in range(100):
        texts = [c.text for c in instantiate(question, seed).choices]
        assert len(set(texts)) == len(texts)


def test_a_bank_of_formula_families_passes_the_200_seed_check() -> None:
    bank = load(DROPOUT, SMOOTHING)
    assert family_problems(bank.questions, 200, workers=1) == [[], []]


def test_preview_and_gift_export_show_formula_variants() -> None:
    bank = load(DROPOUT, SMOOTHING)
    assert "dropout-scale · numeric · easy · formula seed 3" in preview_text(bank.questions[0], 3)
    gift = bank_to_gift(bank, variants=3)
    assert gift.count("of family formula") == 6
    p = instantiate(bank.questions[0], 2).variant.numbers["p"]  # type: ignore[union-attr]
    assert f"p \\= {p:.2f}" in gift or f"p = {p:.2f}" in gift


# ------------------------------------------------------------------ refused at load


@pytest.mark.parametrize(
    ("hostile", "message"),
    [
        ("__import__('os').system('id')", "attribute access ('.') is not allowed"),
        ("open('/etc/passwd')", "unknown function 'open'"),
        ("9 ** 9 ** 9", "is too large; exponents are limited"),
        ("(lambda: 1)()", "only the listed functions can be called"),
        ("[q for q in [p]]", "comprehensions are not allowed"),
        ("abs(" * 35 + "p" + ")" * 35, "nested more than 30 deep"),
    ],
)
def test_a_hostile_expression_is_refused_at_load_on_its_own_line(
    hostile: str, message: str
) -> None:
    text = DROPOUT.replace("scale: 1 / (1 - p)", f'scale: "{hostile}"')
    (error,) = errors(text)
    line = line_of(text, 'scale: "')
    assert error.startswith(f"reg.yaml:{line}: [dropout-scale] formula.derived.scale: ")
    assert message in error


def test_a_name_used_before_it_is_derived_is_refused_with_the_names_in_scope() -> None:
    text = DROPOUT.replace("answer: scale", "answer: scale * gain")
    (error,) = errors(text)
    assert error == (
        f"reg.yaml:{line_of(text, 'answer: scale')}: [dropout-scale] formula.answer: "
        "'gain' names no variable; defined before this: p, scale"
    )


def test_a_placeholder_the_formula_does_not_define_is_refused_at_its_line() -> None:
    text = DROPOUT.replace('final_answer: "{answer}"', 'final_answer: "{scal}"')
    (error,) = errors(text)
    assert error == (
        f"reg.yaml:{line_of(text, 'final_answer')}: [dropout-scale] solution.final_answer: "
        "{scal} names no variable; this formula has: answer, p, scale"
    )


def test_a_condition_no_draw_can_meet_is_refused_at_load() -> None:
    text = SMOOTHING.replace("eps / k > 0.001", "eps > 1")
    (error,) = errors(text)
    assert "[smoothed-target] formula: formula: no draw in 100 gave a key and 3" in error
    assert "that meets every condition; widen the ranges" in error


def test_a_formula_family_refuses_an_answer_written_by_hand() -> None:
    text = DROPOUT.replace("    prompt:", "    answer: 1.25\n    prompt:")
    (error,) = errors(text)
    assert f"reg.yaml:{line_of(text, 'answer: 1.25')}: [dropout-scale] answer: " in error
    assert "the formula gives this family's answer; remove 'answer'" in error


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        (
            "{range: [0.1, 0.5], step: 0.05}",
            "{range: [0.1, 0.5]}",
            "formula.variables.p",
            "a range of decimals needs a 'step', e.g. step: 0.05",
        ),
        (
            "{range: [0.1, 0.5], step: 0.05}",
            "{range: [0.5, 0.1], step: 0.05}",
            "formula.variables.p",
            "the range [0.5, 0.1] is empty; write it low first",
        ),
        (
            "scale: 1 / (1 - p)",
            "sqrt: 1 - p\n        scale: 1 / (1 - p)",
            "formula.derived.sqrt",
            "'sqrt' is taken",
        ),
    ],
)
def test_a_variable_or_name_that_cannot_be_drawn_is_refused_with_the_fix(
    old: str, new: str, where: str, message: str
) -> None:
    (error,) = errors(DROPOUT.replace(old, new))
    assert f"[dropout-scale] {where}: {message}" in error
