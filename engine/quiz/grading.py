"""Grading: a pure function of (question, response) returning score and explanation."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import assert_never

from engine.codecheck.spec import GradeResult
from engine.quiz.models import (
    CodeQuestion,
    MultipleSelectQuestion,
    NumericQuestion,
    Question,
    Scoring,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)

# Without an instructor-given tolerance a numeric answer must match to this relative
# precision: tight enough to be "the" number, loose enough to survive float printing.
DEFAULT_RELATIVE_TOLERANCE = 1e-6
# A key with at most this many decimals was typed by an author: show it as written.
AUTHORED_DECIMALS = 6


class AnswerRejected(ValueError):
    """The response cannot be an answer to this question (e.g. an unknown choice id)."""


@dataclass(frozen=True)
class Response:
    """What a learner submitted: choice ids (stable ids, not letters), a number, or code
    with what the sandbox's checks made of it (``code_result``: grading a code answer stays
    a pure function of the question and this recorded outcome)."""

    choice_ids: frozenset[str] = frozenset()
    value: float | None = None
    code: str | None = None
    code_result: GradeResult | None = None

    @classmethod
    def choices(cls, ids: Iterable[str]) -> Response:
        return cls(choice_ids=frozenset(ids))

    @classmethod
    def number(cls, value: float) -> Response:
        return cls(value=float(value))

    @classmethod
    def code_answer(cls, code: str, result: GradeResult) -> Response:
        return cls(code=code, code_result=result)

    @property
    def is_empty(self) -> bool:
        return not self.choice_ids and self.value is None and self.code is None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"choice_ids": sorted(self.choice_ids), "value": self.value}
        if self.code is not None:
            data["code"] = self.code
            data["code_result"] = self.code_result and self.code_result.model_dump(mode="json")
        return data

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Response:
        ids = data.get("choice_ids") or []
        value = data.get("value")
        code = data.get("code")
        result = data.get("code_result")
        if (
            not isinstance(ids, list)
            or not (value is None or isinstance(value, int | float))
            or not (code is None or isinstance(code, str))
        ):
            raise ValueError(f"not a recorded response: {data!r}")
        return cls(
            choice_ids=frozenset(str(i) for i in ids),
            value=None if value is None else float(value),
            code=code,
            code_result=None if result is None else GradeResult.model_validate(result),
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
    code_result: GradeResult | None = None  # a code answer's per-check outcomes

    @property
    def picked_feedback(self) -> tuple[ChoiceReview, ...]:
        return tuple(c for c in self.choices if c.picked and c.feedback)


def check_response(question: Question, response: Response) -> None:
    """Raise AnswerRejected unless `response` is a well-formed answer to `question`."""
    match question:
        case CodeQuestion():
            _check_code_response(question, response)
        case NumericQuestion():
            _refuse_code(question, response)
            if response.choice_ids:
                raise AnswerRejected(f"question '{question.id}' expects a number, not choices")
            if response.value is not None and not math.isfinite(response.value):
                raise AnswerRejected("the answer must be a finite number")
        case MultipleSelectQuestion():
            _check_choices(question, response, most=None)
        case SingleChoiceQuestion() | TrueFalseQuestion():
            _check_choices(question, response, most=1)
        case _:
            assert_never(question)


def _refuse_code(question: Question, response: Response) -> None:
    if response.code is not None:
        raise AnswerRejected(f"question '{question.id}' expects choices or a number, not code")


def _check_choices(question: Question, response: Response, *, most: int | None) -> None:
    _refuse_code(question, response)
    if response.value is not None:
        raise AnswerRejected(f"question '{question.id}' expects choices, not a number")
    unknown = response.choice_ids - {c.id for c in question.choices}
    if unknown:
        raise AnswerRejected(
            f"choice {', '.join(sorted(unknown))} is not an option of question '{question.id}'"
        )
    if most is not None and len(response.choice_ids) > most:
        raise AnswerRejected(f"question '{question.id}' takes exactly one choice")


def _code_score(result: GradeResult | None) -> float:
    """The share of the checks' points the judge's outcomes earned, recomputed and kept in
    [0, 1]: a stored or sent score is never taken on trust."""
    if result is None or not result.tests:
        return 0.0
    total = sum(t.max_points for t in result.tests)
    earned = sum(min(max(t.points, 0.0), t.max_points) for t in result.tests)
    return min(max(earned / total, 0.0), 1.0) if total else 0.0


def _check_code_response(question: CodeQuestion, response: Response) -> None:
    if response.choice_ids or response.value is not None:
        raise AnswerRejected(f"question '{question.id}' expects code, not choices or a number")
    if response.code is None:
        return
    if response.code_result is None:
        raise AnswerRejected("code is graded by running it in the sandbox; it was never run")
    if not response.code_result.gradable:
        raise AnswerRejected(f"this code could not be graded: {response.code_result.message}")


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


def _numeric_score(question: NumericQuestion, value: float | None) -> float:
    if value is None:
        return 0.0
    target = float(question.answer)
    if question.tolerance is not None:
        ok = abs(value - target) <= question.tolerance
    else:
        # `is None`, not `or`: a relative tolerance of 0 means exact, never the default.
        rel = question.relative_tolerance
        rel_tol = DEFAULT_RELATIVE_TOLERANCE if rel is None else rel
        ok = math.isclose(value, target, rel_tol=rel_tol, abs_tol=1e-12)
    return 1.0 if ok else 0.0


def _choice_score(question: Question, picked: frozenset[str]) -> float:
    correct = question.correct_choice_ids
    if picked == correct:
        return 1.0
    if isinstance(question, MultipleSelectQuestion) and question.scoring is Scoring.PARTIAL:
        # Each right pick earns 1/|correct|, each wrong pick costs the same; floor at 0 so
        # ticking every box never pays.
        right = len(picked & correct)
        wrong = len(picked - correct)
        return max(0.0, (right - wrong) / len(correct))
    return 0.0


def tolerance_text(question: NumericQuestion) -> str:
    """What the grader accepts around the answer, as a learner or instructor reads it:
    "± 0.001" (absolute), "± 1% of the answer" (relative), or "" (the default, exact)."""
    if question.tolerance is not None:
        return f"± {question.tolerance:g}"
    if question.relative_tolerance is not None:
        return f"± {question.relative_tolerance * 100:g}% of the answer"
    return ""


def key_text(question: NumericQuestion) -> str:
    """The key as the learner reads it, with just enough digits that typing exactly what is
    shown is graded right: whole numbers in full ("2628107", never "2.62811e+06"), others
    as written when short (an author's 0.6886), else to the fewest decimals that stay
    within half the accepted error of the key (a computed 0.8928571428571428 as 0.893)."""
    value = float(question.answer)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    written = repr(value)
    if "e" not in written and len(written.partition(".")[2]) <= AUTHORED_DECIMALS:
        return written
    if question.tolerance is not None:
        allowed = question.tolerance
    else:
        rel = question.relative_tolerance
        allowed = abs(value) * (DEFAULT_RELATIVE_TOLERANCE if rel is None else rel)
    for decimals in range(1, 18):
        text = f"{value:.{decimals}f}"
        if abs(float(text) - value) <= allowed / 2 and _numeric_score(question, float(text)):
            return text
    return repr(value)


def answer_text(question: Question) -> str:
    """The right answer in words: the number with its tolerance, the right choices, or
    the reference solution as a code block."""
    match question:
        case CodeQuestion():
            return f"\n\n```python\n{question.reference_solution}\n```"
        case NumericQuestion():
            tolerance = tolerance_text(question)
            return key_text(question) + (f" ({tolerance})" if tolerance else "")
        case SingleChoiceQuestion() | MultipleSelectQuestion() | TrueFalseQuestion():
            right = question.correct_choice_ids
            return "; ".join(c.text for c in question.choices if c.id in right)
        case _:
            assert_never(question)


def share_text(score: float, max_score: float) -> str:
    """A part score as a learner reads it: "1/3" of the marks (a partial multiple_select
    score is a count of choices over the correct ones), else two decimals ("0.42")."""
    share = score / max_score
    close = Fraction(share).limit_denominator(20)
    if abs(float(close) - share) < 1e-9:
        return f"{close.numerator}/{close.denominator}"
    return f"{share:.2f}"


def grade(question: Question, response: Response) -> Grade:
    """Grade `response`. Pure: same inputs, same Grade. Raises AnswerRejected if malformed.

    An empty response (a test question left unanswered) scores 0.
    """
    check_response(question, response)
    match question:
        case NumericQuestion():
            fraction = _numeric_score(question, response.value)
        case SingleChoiceQuestion() | MultipleSelectQuestion() | TrueFalseQuestion():
            picked = response.choice_ids
            fraction = _choice_score(question, picked) if picked else 0.0
        case CodeQuestion():
            fraction = _code_score(response.code_result)
        case _:
            assert_never(question)
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
        correct_answer=answer_text(question),
        solution_steps=tuple(question.solution.steps),
        final_answer=question.solution.final_answer,
        quick_check=question.quick_check,
        hints=tuple(question.hints),
        common_mistakes=tuple(question.common_mistakes),
        lesson=question.lesson,
        code_result=response.code_result,
    )
