"""What Bank check shows an instructor about one question's key (no Streamlit here)."""

from __future__ import annotations

from typing import assert_never

from engine.codecheck.spec import CheckOutcome, GradeResult
from engine.quiz.grading import (
    DEFAULT_RELATIVE_TOLERANCE,
    Response,
    answer_text,
    grade,
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
from engine.quiz.plan import PresentedQuestion
from engine.quiz.variants import instantiate


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


def preview_text(question: Question, seed: int) -> str:
    """Plain text for the terminal: the variant for ``seed`` as the learner reads it (choices
    in bank order, lettered), then the key, each choice's feedback and the solution."""
    drawn = instantiate(question, seed)
    letters = {c.id: chr(ord("A") + i) for i, c in enumerate(drawn.choices)}
    head = f"{drawn.id} · {drawn.type.value} · {drawn.difficulty.value}"
    if drawn.variant is not None:
        head += f" · {drawn.family_name} seed {seed}"
    lines = [head, "", drawn.prompt, ""]
    lines += [f"  {letters[c.id]}. {c.text}" for c in drawn.choices]
    lines += _input_line(drawn)
    graded = grade(drawn, perfect_response(drawn))
    lines += ["", "--- key ---", f"Answer: {graded.correct_answer}"]
    lines += [
        f"  {letters[c.id]} ({'right' if c.id in drawn.correct_choice_ids else 'wrong'}): "
        f"{c.feedback}"
        for c in drawn.choices
        if c.feedback
    ]
    if drawn.variant is not None and (chart := instantiate_chart(question, seed)):
        lines.append(f"Chart: {chart}")
    lines += ["", "--- solution ---"]
    lines += [f"{n}. {step}" for n, step in enumerate(graded.solution_steps, start=1)]
    lines += [f"Final answer: {graded.final_answer}", f"Quick check: {graded.quick_check}"]
    return "\n".join(lines)


def instantiate_chart(question: Question, seed: int) -> str:
    """The figure a family question shows, named with its size (the terminal draws none)."""
    from engine.quiz.variants import draw_variant

    chart = draw_variant(question, seed).chart
    if chart is None:
        return ""
    return f"{chart.title} ({', '.join(chart.series)}; {len(chart.x)} points on {chart.x_label})"


def _input_line(question: Question) -> list[str]:
    """How the learner answers, for types whose choices do not already say it."""
    match question:
        case NumericQuestion():
            return ["  (the learner types a number)"]
        case CodeQuestion():
            return ["  (the learner writes code, run in the sandbox)", "", question.starter_code]
        case SingleChoiceQuestion() | MultipleSelectQuestion() | TrueFalseQuestion():
            return []
        case _:
            assert_never(question)
