"""Rules that span fields of a bank, each reported against the field to fix."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from engine.quiz.models import LESSON_IDS, Difficulty, Question, QuestionBank, QuestionType
from engine.quiz.safe_yaml import KeyPath

# (question index or None, field path inside the question or bank, message)
Problem = tuple[int | None, KeyPath, str]


def _ids(ids: set[str] | frozenset[str] | list[str]) -> str:
    return ", ".join(sorted(ids))


def question_problems(q: Question) -> Iterator[tuple[KeyPath, str]]:
    """Yield (field path, message) for every rule `q` breaks."""
    counts = Counter(c.id for c in q.choices)
    for choice_id, n in counts.items():
        if n > 1:
            index = next(i for i, c in enumerate(q.choices) if c.id == choice_id)
            yield ("choices", index, "id"), f"choice id '{choice_id}' is used {n} times"
    known = set(counts)
    kind = q.type
    if q.lesson is not None and q.lesson not in LESSON_IDS:
        yield ("lesson",), f"unknown lesson '{q.lesson}'; lessons are: {', '.join(LESSON_IDS)}"

    if kind is QuestionType.NUMERIC:
        if q.choices:
            yield ("choices",), "numeric questions have no choices; remove 'choices'"
        if isinstance(q.answer, bool) or not isinstance(q.answer, int | float):
            yield ("answer",), f"numeric needs a number as answer; got {q.answer!r}"
        if q.tolerance is not None and q.relative_tolerance is not None:
            yield ("tolerance",), "give 'tolerance' or 'relative_tolerance', not both"
        return

    for name in ("tolerance", "relative_tolerance"):
        if getattr(q, name) is not None:
            yield (name,), f"'{name}' applies only to numeric questions"

    if kind is QuestionType.TRUE_FALSE:
        if not isinstance(q.answer, bool):
            yield ("answer",), f"true_false needs answer: true or answer: false; got {q.answer!r}"
        if known != {"true", "false"}:
            yield (
                ("choices",),
                (
                    "true_false choices must have ids 'true' and 'false' "
                    f"(found: {_ids(known) or 'none'}); or leave 'choices' out"
                ),
            )
        return

    if len(q.choices) < 2:
        yield ("choices",), f"{kind.value} needs at least 2 choices; found {len(q.choices)}"

    if kind is QuestionType.SINGLE_CHOICE:
        if isinstance(q.answer, list):
            found = f"{len(q.answer)} ({', '.join(q.answer)})"
            yield (
                ("answer",),
                (
                    f"single_choice needs exactly one correct choice; found {found}. "
                    "Use type: multiple_select for several"
                ),
            )
        elif not isinstance(q.answer, str):
            yield ("answer",), f"single_choice needs a choice id as answer; got {q.answer!r}"
        elif q.answer not in known:
            yield ("answer",), _unknown_choice(q.answer, known)
        return

    # multiple_select
    if not isinstance(q.answer, list):
        yield (
            ("answer",),
            f"multiple_select needs a list of choice ids as answer, e.g. [a, c]; got {q.answer!r}",
        )
        return
    if not q.answer:
        yield ("answer",), "multiple_select needs at least one correct choice"
    for picked in q.answer:
        if picked not in known:
            yield ("answer",), _unknown_choice(picked, known)
    repeated = sorted(i for i, n in Counter(q.answer).items() if n > 1)
    if repeated:
        yield ("answer",), f"choice ids listed twice in answer: {', '.join(repeated)}"


def _unknown_choice(choice_id: str, known: set[str]) -> str:
    return f"answer '{choice_id}' is not a choice id; choices are: {_ids(known)}"


def questions_problems(indexed: Iterable[tuple[int, Question]]) -> Iterator[Problem]:
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
        for path, message in question_problems(question):
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
