"""A test attempt locks answers, refuses late or foreign ones, and reports a verdict."""

from __future__ import annotations

import pytest
from builders import bank, bank_dict

from engine.learners.recording import response_to_record, restore_attempt
from engine.modes import AttemptMode
from engine.quiz.attempt import TestAttempt
from engine.quiz.grading import AnswerRejected, Response
from engine.quiz.models import Difficulty, QuestionBank, Verdict, VerdictRule
from engine.quiz.plan import plan_attempt
from engine.quiz.report import score_test

RIGHT = {
    "e1": Response.choices(["a"]),
    "m1": Response.choices(["a", "c"]),
    "h1": Response.number(0.871),
    "h2": Response.choices(["true"]),
}
WRONG = {
    "e1": Response.choices(["b"]),
    "m1": Response.choices(["b"]),
    "h1": Response.number(5),
    "h2": Response.choices(["false"]),
}


def full_bank() -> QuestionBank:
    return QuestionBank.model_validate(bank_dict(test={"easy": 1, "medium": 1, "hard": 2}))


def attempt() -> TestAttempt:
    b = full_bank()
    return TestAttempt(b, plan_attempt(b, AttemptMode.TEST, 1))


def test_an_answer_is_locked_once_submitted():
    run = attempt()
    run.submit("e1", RIGHT["e1"])
    with pytest.raises(AnswerRejected, match="question 'e1' is already answered and locked"):
        run.submit("e1", WRONG["e1"])
    assert run.responses["e1"] == RIGHT["e1"]


def test_answers_after_the_end_are_refused():
    run = attempt()
    run.finish()
    with pytest.raises(AnswerRejected, match="this test has ended"):
        run.submit("e1", RIGHT["e1"])
    assert run.responses == {}


def test_a_question_outside_the_test_is_refused():
    with pytest.raises(AnswerRejected, match="question 'zz' is not part of this test"):
        attempt().submit("zz", RIGHT["e1"])


def test_a_choice_outside_the_question_is_refused_and_not_recorded():
    run = attempt()
    with pytest.raises(AnswerRejected, match="choice q is not an option"):
        run.submit("e1", Response.choices(["q"]))
    assert "e1" not in run.responses


def test_an_empty_submission_is_refused():
    with pytest.raises(AnswerRejected, match="choose an answer"):
        attempt().submit("e1", Response())


def test_all_right_is_strong():
    run = attempt()
    for qid in run.plan.question_ids:
        run.submit(qid, RIGHT[qid])
    report = run.finish()
    assert report.overall.fraction == 1.0
    assert report.verdict is Verdict.STRONG


def test_the_report_breaks_scores_down_by_difficulty_and_topic():
    b = full_bank()
    plan = plan_attempt(b, AttemptMode.TEST, 1)
    report = score_test(b, plan, {"e1": RIGHT["e1"], "m1": RIGHT["m1"], "h1": WRONG["h1"]})
    assert report.by_difficulty[Difficulty.EASY].fraction == 1.0
    assert report.by_difficulty[Difficulty.HARD].fraction == 0.0
    assert report.by_difficulty[Difficulty.HARD].answered == 1
    assert report.by_topic["basics"].score == 1.0
    assert report.overall.score == 2.0 and report.overall.max_score == 4.0
    assert [r.question.id for r in report.reviews] == list(plan.question_ids)
    assert report.reviews[2].grade.solution_steps == ("Think.",)


def test_a_high_score_without_the_hard_questions_is_not_strong():
    rule = VerdictRule(strong_at=0.5, developing_at=0.25, hard_at_least=0.5)
    b = QuestionBank.model_validate(
        {**bank_dict(test={"easy": 1, "medium": 1, "hard": 2}), "verdict": rule.model_dump()}
    )
    plan = plan_attempt(b, AttemptMode.TEST, 1)
    report = score_test(b, plan, {"e1": RIGHT["e1"], "m1": RIGHT["m1"]})
    assert report.overall.fraction == 0.5
    assert report.verdict is Verdict.DEVELOPING
    assert report.reason == "50% overall, but 0% on hard questions; strong needs 50% there too."


@pytest.mark.parametrize(
    ("overall", "hard", "verdict"),
    [
        (0.8, 0.5, Verdict.STRONG),
        (0.79, 1.0, Verdict.DEVELOPING),
        (0.5, 0.0, Verdict.DEVELOPING),
        (0.49, 1.0, Verdict.NOT_YET),
        (0.9, None, Verdict.STRONG),
    ],
)
def test_the_default_verdict_rule(overall, hard, verdict):
    assert VerdictRule().verdict(overall, hard) is verdict


def test_a_verdict_rule_with_developing_above_strong_is_invalid():
    with pytest.raises(ValueError, match=r"developing_at \(0.9\) must not exceed strong_at"):
        VerdictRule(strong_at=0.8, developing_at=0.9)


def test_a_practice_plan_cannot_drive_a_test_attempt():
    b = bank()
    with pytest.raises(ValueError, match="needs a test plan"):
        TestAttempt(b, plan_attempt(b, AttemptMode.PRACTICE, 1))


def test_an_unfinished_attempt_is_restored_from_its_record():
    run = attempt()
    run.submit("e1", RIGHT["e1"])
    run.submit("m1", RIGHT["m1"])
    stored = {q: response_to_record(r) for q, r in run.responses.items()}
    back = restore_attempt(full_bank(), run.plan.to_json(), stored)
    assert back is not None
    assert back.responses == run.responses
    assert back.current == run.current


def test_a_record_from_another_bank_version_is_not_restored():
    run = attempt()
    newer = full_bank().model_copy(update={"version": "2"})
    assert restore_attempt(newer, run.plan.to_json(), {}) is None


def test_a_record_whose_questions_left_the_bank_under_the_same_version_is_not_restored():
    run = attempt()
    current = run.current
    edited = full_bank()
    edited = edited.model_copy(
        update={"questions": [q for q in edited.questions if q.id != current]}
    )
    assert restore_attempt(edited, run.plan.to_json(), {}) is None


def test_recorded_answers_outside_the_plan_are_dropped():
    run = attempt()
    back = restore_attempt(full_bank(), run.plan.to_json(), {"zz": ["a"], "e1": ["a"]})
    assert back is not None and set(back.responses) == {"e1"}
