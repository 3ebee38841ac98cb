"""Grading: a pure function of (question, response) returning score and explanation."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from engine.quiz.models import Question, QuestionType, Scoring

# Without an instructor-given tolerance a numeric answer must match to this relative
# precision: tight enough to be "the" number, loose enough to survive float printing.
DEFAULT_RELATIVE_TOLERANCE = 1e-6


class AnswerRejected(ValueError):
    """The response cannot be an answer to this question (e.g. an unknown choice id)."""


@dataclass(frozen=True)
class Response:
    """What a learner submitted: choice ids (stable ids, not letters) or a number."""

    choice_ids: frozenset[str] = frozenset()
    value: float | None = None

    @classmethod
    def choices(cls, ids: Iterable[str]) -> Response:
        return cls(choice_ids=frozenset(ids))

    @classmethod
    def number(cls, value: float) -> Response:
        return cls(value=float(value))

    @property
    def is_empty(self) -> bool:
        return not self.choice_ids and self.value is None

    def to_json(self) -> dict[str, object]:
        return {"choice_ids": sorted(self.choice_ids), "value": self.value}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Response:
        ids = data.get("choice_ids") or []
        value = data.get("value")
        return cls(
            choice_ids=frozenset(str(i) for i in ids),  # type: ignore[union-attr]
            value=None if value is None else float(value),  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class ChoiceReview:
    """One choice after grading: was it picked, is it right, what feedback goes with it."""

    choice_id: str
    text: str
    picked: bool
    correct: bool
    feedback: str | None


@dataclass(frozen=True)
class Grade:
    """The verdict on one response, with everything needed to explain it."""

    question_id: str
    score: float
    max_score: float
    correct: bool
    choices: tuple[ChoiceReview, ...]
    correct_answer: str
    solution_steps: tuple[str, ...]
    final_answer: str
    quick_check: str
    hints: tuple[str, ...]
    common_mistakes: tuple[str, ...]
    lesson: str | None

    @property
    def picked_feedback(self) -> tuple[ChoiceReview, ...]:
        return tuple(c for c in self.choices if c.picked and c.feedback)


def check_response(question: Question, response: Response) -> None:
    """Raise AnswerRejected unless `response` is a well-formed answer to `question`."""
    if question.type is QuestionType.NUMERIC:
        if response.choice_ids:
            raise AnswerRejected(f"question '{question.id}' expects a number, not choices")
        if response.value is not None and not math.isfinite(response.value):
            raise AnswerRejected("the answer must be a finite number")
        return
    if response.value is not None:
        raise AnswerRejected(f"question '{question.id}' expects choices, not a number")
    unknown = response.choice_ids - {c.id for c in question.choices}
    if unknown:
        raise AnswerRejected(
            f"choice {', '.join(sorted(unknown))} is not an option of question '{question.id}'"
        )
    if question.type is not QuestionType.MULTIPLE_SELECT and len(response.choice_ids) > 1:
        raise AnswerRejected(f"question '{question.id}' takes exactly one choice")


def parse_number(text: str) -> float:
    """Read a learner's typed number ("0.871", "87.1%", "1e-3", "1,5"); ValueError if not one."""
    cleaned = text.strip().replace(" ", "")
    percent = cleaned.endswith("%")
    cleaned = cleaned.removesuffix("%")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # decimal comma, as many learners write it
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"'{text}' is not a number; type digits such as 0.87") from None
    if not math.isfinite(value):
        raise ValueError(f"'{text}' is not a finite number")
    return value / 100 if percent else value


def _numeric_score(question: Question, value: float | None) -> float:
    if value is None:
        return 0.0
    target = float(question.answer)  # type: ignore[arg-type]
    if question.tolerance is not None:
        ok = abs(value - target) <= question.tolerance
    else:
        rel = question.relative_tolerance
        ok = math.isclose(value, target, rel_tol=rel or DEFAULT_RELATIVE_TOLERANCE, abs_tol=1e-12)
    return 1.0 if ok else 0.0


def _choice_score(question: Question, picked: frozenset[str]) -> float:
    correct = question.correct_choice_ids
    if picked == correct:
        return 1.0
    if question.type is QuestionType.MULTIPLE_SELECT and question.scoring is Scoring.PARTIAL:
        # Each right pick earns 1/|correct|, each wrong pick costs the same; floor at 0 so
        # ticking every box never pays.
        right = len(picked & correct)
        wrong = len(picked - correct)
        return max(0.0, (right - wrong) / len(correct))
    return 0.0


def _answer_text(question: Question) -> str:
    if question.type is QuestionType.NUMERIC:
        tol = ""
        if question.tolerance is not None:
            tol = f" (± {question.tolerance:g})"
        elif question.relative_tolerance is not None:
            tol = f" (± {question.relative_tolerance:.0%})"
        return f"{question.answer:g}{tol}"  # type: ignore[str-format]
    right = question.correct_choice_ids
    return "; ".join(c.text for c in question.choices if c.id in right)


def grade(question: Question, response: Response) -> Grade:
    """Grade `response`. Pure: same inputs, same Grade. Raises AnswerRejected if malformed.

    An empty response (a test question left unanswered) scores 0.
    """
    check_response(question, response)
    if question.type is QuestionType.NUMERIC:
        fraction = _numeric_score(question, response.value)
    else:
        fraction = _choice_score(question, response.choice_ids) if response.choice_ids else 0.0
    right = question.correct_choice_ids
    return Grade(
        question_id=question.id,
        score=fraction * question.points,
        max_score=question.points,
        correct=fraction == 1.0,
        choices=tuple(
            ChoiceReview(c.id, c.text, c.id in response.choice_ids, c.id in right, c.feedback)
            for c in question.choices
        ),
        correct_answer=_answer_text(question),
        solution_steps=tuple(question.solution.steps),
        final_answer=question.solution.final_answer,
        quick_check=question.quick_check,
        hints=tuple(question.hints),
        common_mistakes=tuple(question.common_mistakes),
        lesson=question.lesson,
    )
