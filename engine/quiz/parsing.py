"""Parse, then grade (PrairieLearn's parse/grade): a learner's raw input becomes either a
Parsed response, which alone reaches the grader, or a FormatError in plain words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.quiz.grading import Response, parse_number


@dataclass(frozen=True)
class Parsed:
    """Input that reads as an answer; `grade` takes its `response`."""

    response: Response


@dataclass(frozen=True)
class FormatError:
    """Input that cannot be an answer, and what to type instead. Never graded."""

    message: str


# None: nothing entered yet (no choice ticked, an empty box): the page asks for an answer.
ParsedInput = Parsed | FormatError | None


def parse_typed_number(text: str) -> ParsedInput:
    """A numeric question's text box: "0.87", "87%", "1e-3", "1,5" or a format error."""
    if not text.strip():
        return None
    try:
        return Parsed(Response.number(parse_number(text)))
    except ValueError as exc:
        return FormatError(str(exc))


def parse_picked(choice_ids: Iterable[str | None]) -> ParsedInput:
    """Ticked boxes or a chosen radio button (None when unset)."""
    picked = [choice_id for choice_id in choice_ids if choice_id is not None]
    return Parsed(Response.choices(picked)) if picked else None
