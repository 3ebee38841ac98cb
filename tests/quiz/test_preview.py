"""Bank check's answer key names what a tolerance is and never hides a zero."""

from __future__ import annotations

from builders import bank, question

from engine.modes import AttemptMode
from engine.quiz.authoring.preview import answer_key_markdown, perfect_response
from engine.quiz.grading import grade
from engine.quiz.models import NumericQuestion, Question
from engine.quiz.plan import plan_attempt, present


def key_of(**numeric: object) -> str:
    q = question("n1", type="numeric", choices=[], answer=0.5, **numeric)
    demo = bank(questions=[q], test={"easy": 1, "medium": 0, "hard": 0})
    plan = plan_attempt(demo, AttemptMode.PRACTICE, seed=0)
    found = demo.question("n1")
    assert found is not None
    return answer_key_markdown(found, present(demo, plan, "n1"))


def test_a_relative_tolerance_reads_as_relative():
    text = key_of(relative_tolerance=0.01)
    assert "**Answer:** 0.5 (± 1% of the answer)" in text
    assert "**Tolerance:** relative, ± 1% of the answer" in text


def test_an_absolute_tolerance_reads_as_absolute():
    assert "**Tolerance:** absolute, ± 0.001" in key_of(tolerance=0.001)


def test_a_zero_tolerance_is_shown_as_zero_not_as_the_default():
    assert "**Tolerance:** absolute, ± 0" in key_of(tolerance=0)
    assert "**Tolerance:** relative, ± 0% of the answer" in key_of(relative_tolerance=0)
    assert "none given" in key_of()


def test_a_zero_relative_tolerance_grades_as_exact():
    q = question("n1", type="numeric", choices=[], answer=0.5, relative_tolerance=0)
    [found] = bank(questions=[q], test={"easy": 1, "medium": 0, "hard": 0}).questions
    assert isinstance(found, NumericQuestion)
    near = perfect_response(found).value
    assert near is not None
    assert grade(found, perfect_response(found)).correct
    off_by_default_tolerance = found.model_copy(update={"answer": near * (1 + 1e-7)})
    assert not grade(off_by_default_tolerance, perfect_response(found)).correct


def test_the_perfect_response_to_every_builder_question_scores_full_marks():
    questions: list[Question] = list(bank().questions)
    assert all(grade(q, perfect_response(q)).correct for q in questions)
