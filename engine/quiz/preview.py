"""What Bank check shows an instructor about one question's key (no Streamlit here)."""

from __future__ import annotations

from typing import assert_never

from engine.codecheck.spec import CheckOutcome, GradeResult
from engine.quiz.grading import (
    DEFAULT_RELATIVE_TOLERANCE,
    Response,
    answer_text,
    tolerance_text,
)
from engine.quiz.models import (
    CodeQuestion,
    MultipleSelectQuestion,
    NumericQuestion,
    Question,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from engine.quiz.session import PresentedQuestion


def perfect_response(question: Question) -> Response:
    """The answer that scores full marks (what the key says). A code question's is its
    reference solution with every check passed as the key claims: only the sandbox can
    confirm that (`python -m engine run-code BANK ID FILE`, and the bank's tests)."""
    match question:
        case CodeQuestion():
            claimed = [
                CheckOutcome(
                    name=check.name or check.check,
                    points=check.points,
                    max_points=check.points,
                    passed=True,
                    message="The reference solution is meant to pass this check.",
                )
                for check in question.checks
            ]
            result = GradeResult(
                gradable=True, score=1.0, message="As the key claims.", tests=claimed
            )
            return Response.code_answer(question.reference_solution, result)
        case NumericQuestion():
            return Response.number(question.answer)
        case SingleChoiceQuestion() | MultipleSelectQuestion() | TrueFalseQuestion():
            return Response.choices(question.correct_choice_ids)
        case _:
            assert_never(question)


def answer_key_markdown(question: Question, shown: PresentedQuestion) -> str:
    """The key in one Markdown block: each option right or wrong, the number with what
    its tolerance is (absolute or relative, named as such), or the scoring rule."""
    lines = []
    for option in shown.options:
        choice = question.choice(option.choice_id)
        feedback = f" — {choice.feedback}" if choice and choice.feedback else ""
        mark = "✓ right" if option.choice_id in question.correct_choice_ids else "✗ wrong"
        lines.append(f"- **{option.letter}** ({mark}){feedback}")
    match question:
        case NumericQuestion():
            lines.append(f"- **Answer:** {answer_text(question)}")
            if question.tolerance is not None:
                kind = f"absolute, {tolerance_text(question)}"
            elif question.relative_tolerance is not None:
                kind = f"relative, {tolerance_text(question)}"
            else:
                kind = f"none given: the default, relative ± {DEFAULT_RELATIVE_TOLERANCE * 100:g}%"
            lines.append(f"- **Tolerance:** {kind}")
        case MultipleSelectQuestion():
            lines.append(f"- **Scoring:** {question.scoring.value}")
        case CodeQuestion():
            lines.append(f"- **Function:** `{question.function}(model)`")
            lines += [
                f"- **Check:** {c.name or c.check} ({c.points:g} points)" for c in question.checks
            ]
        case SingleChoiceQuestion() | TrueFalseQuestion():
            pass
        case _:
            assert_never(question)
    return "\n".join(lines)
