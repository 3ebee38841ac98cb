"""Rules that span fields of a bank, each reported against the field to fix."""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import assert_never

from engine.quiz.composition import composition_problems, unmet_recipe
from engine.quiz.models import (
    LESSON_IDS,
    ChoiceQuestion,
    CodeQuestion,
    Difficulty,
    MultipleSelectQuestion,
    NumericQuestion,
    Question,
    QuestionBank,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from engine.quiz.safe_yaml import KeyPath

# (question index or None, field path inside the question or bank, message)
Problem = tuple[int | None, KeyPath, str]


def _ids(ids: set[str] | frozenset[str] | list[str]) -> str:
    return ", ".join(sorted(ids))


def question_problems(
    q: Question, course_lessons: frozenset[str] = frozenset()
) -> Iterator[tuple[KeyPath, str]]:
    """Yield (field path, message) for every rule `q` breaks.

    The answer's shape (a number, a list of ids, ...) is each model's own field check;
    what is left here are rules that compare fields (answer ids against choice ids).
    """
    if q.lesson is not None and q.lesson not in LESSON_IDS and q.lesson not in course_lessons:
        own = f"; this bank's own: {_ids(course_lessons)}" if course_lessons else ""
        yield (
            ("lesson",),
            f"unknown lesson '{q.lesson}'; lessons are: {', '.join(LESSON_IDS)}{own}",
        )
    match q:
        case NumericQuestion():
            if q.tolerance is not None and q.relative_tolerance is not None:
                yield ("tolerance",), "give 'tolerance' or 'relative_tolerance', not both"
        case TrueFalseQuestion():
            yield from _repeated_choice_ids(q)
            known = {c.id for c in q.choices}
            if known != {"true", "false"}:
                yield (
                    ("choices",),
                    (
                        "true_false choices must have ids 'true' and 'false' "
                        f"(found: {_ids(known) or 'none'}); or leave 'choices' out"
                    ),
                )
        case SingleChoiceQuestion() if q.is_family:
            pass  # choices and key come from the generator (family_questions.py checks)
        case SingleChoiceQuestion():
            yield from _repeated_choice_ids(q)
            yield from _enough_choices(q)
            if q.answer not in {c.id for c in q.choices}:
                yield ("answer",), _unknown_choice(q.answer, {c.id for c in q.choices})
        case MultipleSelectQuestion():
            yield from _repeated_choice_ids(q)
            yield from _enough_choices(q)
            known = {c.id for c in q.choices}
            if not q.answer:
                yield ("answer",), "multiple_select needs at least one correct choice"
            for picked in q.answer:
                if picked not in known:
                    yield ("answer",), _unknown_choice(picked, known)
            repeated = sorted(i for i, n in Counter(q.answer).items() if n > 1)
            if repeated:
                yield ("answer",), f"choice ids listed twice in answer: {', '.join(repeated)}"
        case CodeQuestion():
            yield from _code_problems(q)
        case _:
            assert_never(q)


def _code_problems(q: CodeQuestion) -> Iterator[tuple[KeyPath, str]]:
    """Starter and reference code must parse, and the reference must define the function
    (whether it passes its checks needs the sandbox: tests run it through run-code)."""
    for field in ("starter_code", "reference_solution"):
        try:
            tree = ast.parse(getattr(q, field))
        except SyntaxError as error:
            yield (field,), f"{field} has a syntax error on its line {error.lineno}: {error.msg}"
            continue
        defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        if q.function not in defined:
            yield (field,), f"{field} must define `def {q.function}(model):`"


def _repeated_choice_ids(q: ChoiceQuestion) -> Iterator[tuple[KeyPath, str]]:
    ids = [c.id for c in q.choices]
    if len(set(ids)) == len(ids):  # the usual case, and a big bank has thousands of them
        return
    for choice_id, n in Counter(ids).items():
        if n > 1:
            index = next(i for i, c in enumerate(q.choices) if c.id == choice_id)
            yield ("choices", index, "id"), f"choice id '{choice_id}' is used {n} times"


def _enough_choices(
    q: SingleChoiceQuestion | MultipleSelectQuestion,
) -> Iterator[tuple[KeyPath, str]]:
    if len(q.choices) < 2:
        yield ("choices",), f"{q.type.value} needs at least 2 choices; found {len(q.choices)}"


def _unknown_choice(choice_id: str, known: set[str]) -> str:
    return f"answer '{choice_id}' is not a choice id; choices are: {_ids(known)}"


def questions_problems(
    indexed: Iterable[tuple[int, Question]], course_lessons: frozenset[str] = frozenset()
) -> Iterator[Problem]:
    """Yield the cross-field problems of every question given (index, question) for,
    including ids used twice; questions that failed to parse are simply not given."""
    seen: dict[str, int] = {}
    for index, question in indexed:
        if question.id in seen:
            yield (
                index,
                ("id",),
                (
                    f"question id '{question.id}' is already used by question "
                    f"{seen[question.id] + 1}; ids must be unique in a bank"
                ),
            )
        seen.setdefault(question.id, index)
        for path, message in question_problems(question, course_lessons):
            yield index, path, message


def recipe_problems(bank: QuestionBank) -> Iterator[Problem]:
    """Yield the problems of the test recipe against the questions the bank has."""
    available = Counter(q.difficulty for q in bank.questions)
    for difficulty in Difficulty:
        wanted = bank.test.count(difficulty)
        if wanted > available[difficulty]:
            yield (
                None,
                ("test", difficulty.value),
                (
                    f"the test draws {wanted} {difficulty.value} questions but the bank has "
                    f"{available[difficulty]}; add questions or lower test.{difficulty.value}"
                ),
            )
    if bank.test.total == 0:
        yield None, ("test",), "the test draws no questions; set easy/medium/hard counts"
    composed = list(composition_problems(bank))
    yield from ((None, path, message) for path, message in composed)
    if not composed and (unmet := unmet_recipe(bank)) is not None:
        seed, reason = unmet
        path, _, message = reason.partition(": ")
        yield (
            None,
            tuple(path.split(".")),
            f"{message} (a test drawn with seed {seed}); relax test.topics or test.groups",
        )
