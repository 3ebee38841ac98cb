"""Grading is a pure function of (question, response) that explains itself."""

from __future__ import annotations

import pytest
from builders import bank

from engine.quiz.grading import AnswerRejected, Response, grade, parse_number, share_text
from engine.quiz.models import Question


def q(qid: str) -> Question:
    found = bank().question(qid)
    assert found is not None
    return found


def test_a_right_single_choice_scores_full_marks_with_its_feedback():
    result = grade(q("e1"), Response.choices(["a"]))
    assert (result.score, result.max_score, result.correct) == (1.0, 1.0, True)
    assert [c.feedback for c in result.picked_feedback] == ["Yes."]
    assert result.correct_answer == "Right"


def test_a_wrong_single_choice_explains_itself():
    result = grade(q("e1"), Response.choices(["b"]))
    assert result.score == 0 and not result.correct
    assert [c.choice_id for c in result.picked_feedback] == ["b"]
    assert result.solution_steps == ("Think.",)
    assert result.final_answer == "Right"
    assert result.quick_check == "Check it."
    assert result.hints == ("A hint.",)
    assert result.common_mistakes == ("Picking b.",)


def test_grading_is_pure():
    question, response = q("m1"), Response.choices(["a", "b"])
    assert grade(question, response) == grade(question, response)


@pytest.mark.parametrize(
    ("picked", "score"),
    [({"a", "c"}, 1.0), ({"a"}, 0.5), ({"a", "b"}, 0.0), ({"a", "c", "b"}, 0.5), ({"b", "d"}, 0.0)],
)
def test_partial_multiple_select_credits_right_picks_minus_wrong_ones(picked, score):
    assert grade(q("m1"), Response.choices(picked)).score == score


def test_all_or_nothing_multiple_select_needs_the_exact_set():
    question = q("m1").model_copy(update={"scoring": "all_or_nothing"})
    assert grade(question, Response.choices({"a"})).score == 0.0
    assert grade(question, Response.choices({"a", "c"})).score == 1.0


@pytest.mark.parametrize(("value", "ok"), [(0.871, True), (0.8719, True), (0.8721, False)])
def test_numeric_answers_within_absolute_tolerance_are_right(value, ok):
    assert grade(q("h1"), Response.number(value)).correct is ok


def test_relative_tolerance_scales_with_the_answer():
    question = q("h1").model_copy(update={"tolerance": None, "relative_tolerance": 0.01})
    assert grade(question, Response.number(0.8795)).correct
    assert not grade(question, Response.number(0.8805)).correct


def test_true_false_is_graded_by_its_boolean_answer():
    assert grade(q("h2"), Response.choices(["true"])).correct
    assert not grade(q("h2"), Response.choices(["false"])).correct


def test_an_unanswered_question_scores_zero():
    assert grade(q("e1"), Response()).score == 0
    assert grade(q("h1"), Response()).score == 0


def test_a_choice_that_is_not_in_the_question_is_rejected():
    with pytest.raises(AnswerRejected, match="choice z is not an option of question 'e1'"):
        grade(q("e1"), Response.choices(["z"]))


def test_two_choices_for_a_single_choice_question_are_rejected():
    with pytest.raises(AnswerRejected, match="takes exactly one choice"):
        grade(q("e1"), Response.choices(["a", "b"]))


def test_a_number_for_a_choice_question_is_rejected():
    with pytest.raises(AnswerRejected, match="expects choices, not a number"):
        grade(q("e1"), Response.number(1))


def test_a_non_finite_number_is_rejected():
    with pytest.raises(AnswerRejected, match="finite"):
        grade(q("h1"), Response.number(float("nan")))


@pytest.mark.parametrize(
    ("text", "value"), [("0.871", 0.871), (" 87.1% ", 0.871), ("0,871", 0.871), ("1e-3", 0.001)]
)
def test_typed_numbers_are_read_as_learners_write_them(text, value):
    assert parse_number(text) == pytest.approx(value)


def test_text_that_is_not_a_number_says_what_to_type():
    with pytest.raises(ValueError, match=r"'abc' is not a number; type digits such as 0\.87"):
        parse_number("abc")


def test_responses_survive_a_json_round_trip():
    response = Response.choices(["c", "a"])
    assert Response.from_json(response.to_json()) == response
    assert Response.from_json(Response.number(0.5).to_json()) == Response.number(0.5)


def test_a_partial_score_reads_as_a_fraction_of_the_correct_choices():
    partial = grade(q("m1"), Response.choices(["a"]))  # one of two correct choices
    assert share_text(partial.score, partial.max_score) == "1/2"
    assert share_text(1 / 3, 1) == "1/3"
    assert share_text(0.4213, 1) == "0.42"
