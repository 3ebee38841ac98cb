"""Attempts are reproducible from a seed and presented without answer keys."""

from __future__ import annotations

import dataclasses

import pytest
from builders import bank, bank_dict, question

from engine.modes import AttemptMode
from engine.quiz.models import QuestionBank
from engine.quiz.plan import AttemptPlan, plan_attempt, present


def big_bank() -> QuestionBank:
    qs = [
        question(f"{d[0]}{i}", difficulty=d) for d in ("easy", "medium", "hard") for i in range(6)
    ]
    return QuestionBank.model_validate(
        bank_dict(questions=qs, test={"easy": 3, "medium": 4, "hard": 3})
    )


def test_the_same_seed_gives_the_same_attempt():
    assert plan_attempt(big_bank(), AttemptMode.TEST, 7) == plan_attempt(
        big_bank(), AttemptMode.TEST, 7
    )


def test_different_seeds_give_different_attempts():
    plans = {plan_attempt(big_bank(), AttemptMode.TEST, s).question_ids for s in range(10)}
    assert len(plans) > 1


def test_a_test_draws_the_banks_recipe_easy_first():
    plan = plan_attempt(big_bank(), AttemptMode.TEST, 3)
    assert [qid[0] for qid in plan.question_ids] == list("eeemmmmhhh")


def test_practice_walks_the_whole_bank_from_easy_to_hard():
    plan = plan_attempt(bank(), AttemptMode.PRACTICE, 1)
    assert plan.question_ids == ("e1", "m1", "h1", "h2")


def test_letters_are_assigned_after_shuffling():
    b = bank()
    orders = set()
    for seed in range(20):
        shown = present(b, plan_attempt(b, AttemptMode.PRACTICE, seed), "m1")
        assert [o.letter for o in shown.options] == ["A", "B", "C", "D"]
        orders.add(tuple(o.choice_id for o in shown.options))
    assert len(orders) > 1


def test_shuffle_false_keeps_the_file_order():
    b = bank()
    shown = present(b, plan_attempt(b, AttemptMode.PRACTICE, 5), "h2")
    assert [(o.letter, o.choice_id) for o in shown.options] == [("A", "true"), ("B", "false")]


def test_a_presented_question_carries_no_answer_key_or_feedback():
    b = bank()
    shown = present(b, plan_attempt(b, AttemptMode.TEST, 1), "e1")
    names = {f.name for f in dataclasses.fields(shown)}
    assert not names & {"answer", "feedback", "solution", "correct", "quick_check"}
    text = repr(shown)
    for secret in ("Yes.", "No.", "Think.", "Check it.", "Picking b."):
        assert secret not in text


def test_hints_are_offered_in_practice_but_not_in_a_test():
    b = bank()
    assert present(b, plan_attempt(b, AttemptMode.PRACTICE, 1), "e1").hints == ("A hint.",)
    assert present(b, plan_attempt(b, AttemptMode.TEST, 1), "e1").hints == ()


def test_a_question_outside_the_attempt_cannot_be_presented():
    b = big_bank()
    plan = plan_attempt(b, AttemptMode.TEST, 1)
    outside = next(q.id for q in b.questions if q.id not in plan.question_ids)
    with pytest.raises(KeyError, match="is not part of this attempt"):
        present(b, plan, outside)


def test_a_plan_survives_a_json_round_trip():
    plan = plan_attempt(big_bank(), AttemptMode.TEST, 11)
    assert AttemptPlan.from_json(plan.to_json()) == plan
