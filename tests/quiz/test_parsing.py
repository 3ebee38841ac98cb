"""Parse, then grade: typed input becomes a Parsed response or a plain-words FormatError."""

from __future__ import annotations

from engine.quiz.grading import Response
from engine.quiz.parsing import FormatError, Parsed, parse_picked, parse_typed_number


def test_a_typed_number_in_any_common_form_parses_to_a_response():
    assert parse_typed_number("87.1%") == Parsed(Response.number(0.871))
    assert parse_typed_number(" 1,5 ") == Parsed(Response.number(1.5))
    assert parse_typed_number("6e-5") == Parsed(Response.number(6e-5))


def test_text_that_is_not_a_number_is_a_format_error_that_says_what_to_type():
    assert parse_typed_number("about 0.8") == FormatError(
        "'about 0.8' is not a number; type digits such as 0.87"
    )


def test_an_empty_box_or_no_choice_is_no_answer_yet():
    assert parse_typed_number("   ") is None
    assert parse_picked([None]) is None
    assert parse_picked([]) is None


def test_picked_choices_parse_to_a_response_of_their_ids():
    assert parse_picked(["b", "a"]) == Parsed(Response.choices(["a", "b"]))
