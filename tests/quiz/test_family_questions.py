"""Families in banks: the loader checks them with file:line, attempts carry variant seeds."""

from __future__ import annotations

import pytest
import yaml
from builders import bank_dict, question
from sklearn.metrics import precision_score

from engine.families import variant_seed
from engine.learners.practice import start_practice
from engine.learners.recording import restore_attempt
from engine.modes import AttemptMode
from engine.quiz.attempt import TestAttempt
from engine.quiz.bank import BankInvalid, load_bank_text
from engine.quiz.grading import Response, grade
from engine.quiz.plan import AttemptPlan, plan_attempt, present, question_in_plan
from engine.quiz.variants import instantiate


def family(qid: str = "prec", **overrides: object) -> dict[str, object]:
    base = question(
        qid,
        generator="confusion_metric",
        params={"ask": "precision"},
        prompt="TP = {tp}, FP = {fp}, TN = {tn}, FN = {fn}: what is {metric}?",
        solution={"steps": ["{formula}"], "final_answer": "{precision}"},
        quick_check="Precision {precision} ignores the {tn} true negatives.",
        hints=["TP / (TP + FP)"],
        common_mistakes=[],
        mistake_feedback={"used-accuracy": "That is accuracy, {accuracy}."},
    )
    for key in ("choices", "answer"):
        base.pop(key)
    base.update(overrides)
    return base


def load(questions: list[dict[str, object]], **overrides: object):
    return load_bank_text(yaml.safe_dump(bank_dict(questions, **overrides), sort_keys=False))


def errors_of(questions: list[dict[str, object]]) -> list[str]:
    with pytest.raises(BankInvalid) as raised:
        load(questions)
    return [str(e) for e in raised.value.errors]


# ------------------------------------------------------------------ loading


def test_a_family_question_loads_and_draws_a_variant_whose_key_sklearn_computes():
    drawn = instantiate(load([family()]).questions[0], seed=11)
    assert drawn.variant is not None and drawn.variant.seed == 11
    numbers = drawn.variant.numbers
    tp, fp = int(numbers["tp"]), int(numbers["fp"])
    expected = precision_score([1] * tp + [0] * fp, [1] * (tp + fp))
    key = drawn.choice(drawn.answer)
    assert key is not None and key.text == f"{expected:.3f}"
    assert f"TP = {tp}, FP = {fp}" in drawn.prompt


def test_a_mistakes_feedback_can_be_overridden_with_the_variants_numbers():
    drawn = instantiate(load([family()]).questions[0], seed=3)
    accuracy = drawn.choice("used-accuracy")
    assert accuracy is not None
    assert accuracy.feedback == f"That is accuracy, {accuracy.text}."


def test_an_unknown_generator_is_refused_at_its_line_naming_the_available_ones():
    (error,) = errors_of([family(generator="confusion_metrik")])
    assert "[prec] generator: no generator 'confusion_metrik'; available:" in error
    assert "confusion_metric" in error


def test_a_placeholder_naming_no_variable_is_refused_with_its_field():
    (error,) = errors_of([family(prompt="What is {precison}?")])
    assert "[prec] prompt: {precison} names no variable" in error


def test_a_range_the_generator_cannot_honour_is_refused_at_the_parameter():
    (error,) = errors_of([family(params={"ask": "precision", "tp": [0, 20000]})])
    assert "[prec] params.tp: tp: the range [0, 20000] leaves what the generator can honour" in (
        error
    )


def test_a_lone_brace_is_refused_and_doubled_braces_are_literal():
    (error,) = errors_of([family(hints=["a { here"])])
    assert "[prec] hints[0]: a lone '{'" in error
    drawn = instantiate(load([family(hints=["$\\frac{{TP}}{{TP+FP}}$"])]).questions[0], 1)
    assert drawn.hints == ["$\\frac{TP}{TP+FP}$"]


def test_an_answer_written_for_a_family_is_refused_because_the_generator_computes_it():
    (error,) = errors_of([family(answer="b")])
    assert "[prec] answer: the generator computes this family's answer" in error


def test_a_true_false_question_cannot_name_a_generator():
    errors = errors_of([family(type="true_false")])
    assert any("cannot name a generator" in e for e in errors)


def test_errors_carry_the_file_and_line_of_the_field():
    text = yaml.safe_dump(bank_dict([family(prompt="{nothing}")]), sort_keys=False)
    with pytest.raises(BankInvalid) as raised:
        load_bank_text(text, filename="bank.yaml")
    (error,) = raised.value.errors
    prompt_line = next(i for i, line in enumerate(text.splitlines(), 1) if "prompt:" in line)
    assert str(error).startswith(f"bank.yaml:{prompt_line}: [prec] prompt:")


def test_a_familys_fingerprint_is_the_same_for_every_variant():
    template = load([family()]).questions[0]
    assert {instantiate(template, s).fingerprint for s in range(5)} == {template.fingerprint}


# ------------------------------------------------------------------ attempts


def family_bank():
    qs = [family(f"f{i}", difficulty=d) for i, d in enumerate(["easy"] * 4 + ["medium", "hard"])]
    return load(qs, test={"easy": 2, "medium": 1, "hard": 1})


def test_the_plan_records_each_familys_variant_seed():
    plan = plan_attempt(family_bank(), AttemptMode.TEST, seed=5)
    assert plan.variant_seeds == {q: variant_seed(5, q) for q in plan.question_ids}
    assert AttemptPlan.from_json(plan.to_json()) == plan


def test_a_resumed_test_shows_and_grades_exactly_the_variant_first_shown():
    bank = family_bank()
    attempt = TestAttempt(bank, plan_attempt(bank, AttemptMode.TEST, seed=9))
    qid = attempt.plan.question_ids[0]
    before = present(bank, attempt.plan, qid)
    restored = restore_attempt(bank, attempt.plan.to_json(), {})
    assert restored is not None
    assert present(bank, restored.plan, qid) == before
    right = question_in_plan(bank, restored.plan, qid)
    assert right is not None
    restored.submit(qid, Response.choices([right.answer]))
    assert restored.finish().reviews[0].grade.correct


def test_a_retake_avoids_the_previous_questions_while_the_pool_allows():
    bank = family_bank()
    first = plan_attempt(bank, AttemptMode.TEST, seed=1)
    second = plan_attempt(bank, AttemptMode.TEST, seed=2, avoid=frozenset(first.question_ids))
    easy_first = {q for q in first.question_ids if q in {"f0", "f1", "f2", "f3"}}
    easy_second = {q for q in second.question_ids if q in {"f0", "f1", "f2", "f3"}}
    assert not easy_first & easy_second  # four easy questions, two drawn each time
    # the one medium question comes back, with other numbers
    assert "f4" in second.question_ids
    assert present(bank, first, "f4").prompt != present(bank, second, "f4").prompt


def test_another_one_like_this_draws_a_new_variant_and_clears_the_grade():
    bank = family_bank()
    session = start_practice(bank, seed=4)
    qid = session.current
    old = question_in_plan(bank, session.plan, qid)
    assert old is not None
    session.accept(qid, grade(old, Response.choices([old.answer])))
    session.another_like_this(bank, qid, seed=12345)
    new = question_in_plan(bank, session.plan, qid)
    assert new is not None and new.variant is not None and new.variant.seed == 12345
    assert session.grade_of(qid) is None
    assert new.prompt != old.prompt
    assert set(session.plan.choice_order[qid]) == {c.id for c in new.choices}


def test_practice_draws_a_family_when_shown_always_in_the_same_order_for_its_seed():
    bank = family_bank()
    plan = plan_attempt(bank, AttemptMode.PRACTICE, seed=3)
    qid = plan.question_ids[0]
    assert plan.choice_order[qid] == ()  # nothing drawn up front: the plan spans the bank
    shown = present(bank, plan, qid)
    drawn = question_in_plan(bank, plan, qid)
    assert drawn is not None and drawn.variant is not None
    assert sorted(o.choice_id for o in shown.options) == sorted(c.id for c in drawn.choices)
    assert present(bank, AttemptPlan.from_json(plan.to_json()), qid) == shown
    # The generator lists its key first; the learner must not be able to count on it.
    key_first = set()
    for seed in range(12):
        practice = plan_attempt(bank, AttemptMode.PRACTICE, seed)
        variant = question_in_plan(bank, practice, qid)
        assert variant is not None
        key_first.add(present(bank, practice, qid).options[0].choice_id == variant.answer)
    assert key_first == {True, False}
