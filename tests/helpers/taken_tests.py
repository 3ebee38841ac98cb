"""Whole tests taken through the engine the test page uses, for gradebook tests."""

from __future__ import annotations

from engine.learners.pattern_test import finish_test, start_test
from engine.learners.recording import record_answer
from engine.quiz.grading import Response, grade
from engine.quiz.models import QuestionBank
from engine.quiz.report import TestReport
from engine.store import Store

# Answers to tests/builders.standard_questions, all right or all (at least partly) wrong.
RIGHT: dict[str, Response] = {
    "e1": Response.choices(["a"]),
    "m1": Response.choices(["a", "c"]),
    "h1": Response.number(0.871),
    "h2": Response.choices(["true"]),
}
WRONG: dict[str, Response] = {
    "e1": Response.choices(["b"]),
    "m1": Response.choices(["a"]),  # half the marks under partial scoring
    "h1": Response.number(0.5),
    "h2": Response.choices(["false"]),
}


def take_test(
    db: Store, name: str, bank: QuestionBank, answers: dict[str, Response], seed: int = 1
) -> TestReport:
    """Draw, answer every question of and finish a test; returns the learner's report."""
    session = start_test(db, db.learner(name).id, bank, seed)
    assert session.attempt_id is not None
    for question_id in session.attempt.plan.question_ids:
        question = bank.question(question_id)
        assert question is not None
        response = answers[question_id]
        graded = grade(question, response)
        record_answer(
            db, session.attempt_id, question, response, graded, used_hint=False, seconds=3.0
        )
        session.attempt.submit(question_id, response)
    return finish_test(db, session)
