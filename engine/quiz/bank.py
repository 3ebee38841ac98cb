"""Load question banks from YAML into models, or into errors an instructor can act on."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from engine.quiz.bank_errors import BankError, error_at, file_error, translate
from engine.quiz.checks import Problem, questions_problems, recipe_problems
from engine.quiz.course_lessons import CourseLesson, load_lessons
from engine.quiz.models import (
    QUESTION,
    QUESTION_MODELS,
    Question,
    QuestionBank,
    QuestionType,
    SingleChoiceQuestion,
)
from engine.quiz.safe_yaml import MAX_BYTES, KeyPath, ParsedYaml, YamlProblem, parse_yaml
from engine.quiz.variants import family_problems
from engine.quiz.written_text import numbers_as_written

__all__ = ["BankCatalog", "BankError", "BankInvalid", "load_bank", "load_bank_text"]


class BankInvalid(Exception):
    """Raised by `load_bank*` with every problem found in one file."""

    def __init__(self, errors: list[BankError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class BankCatalog:
    """Every bank in a folder: those that loaded, and the errors of those that did not."""

    banks: dict[str, QuestionBank] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)
    lessons: dict[str, list[CourseLesson]] = field(default_factory=dict)  # by bank id
    errors: dict[Path, list[BankError]] = field(default_factory=dict)


def load_bank(path: Path | str) -> QuestionBank:
    """Load one bank file. Raises BankInvalid (never another exception) on any problem."""
    return load_bank_and_lessons(path)[0]


def load_bank_and_lessons(path: Path | str) -> tuple[QuestionBank, list[CourseLesson]]:
    """A bank file and the Markdown lessons beside it (course_lessons.py); BankInvalid with
    the problems of both."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise BankInvalid([file_error(path.name, 0, f"file is larger than {MAX_BYTES} bytes")])
        raw = path.read_bytes()
    except OSError as exc:
        raise BankInvalid([file_error(str(path), 0, f"cannot read file: {exc.strerror}")]) from None
    lessons, lesson_errors = load_lessons(path)
    ids = frozenset(lesson.id for lesson in lessons)
    try:
        bank = load_bank_text(raw, filename=str(path), course_lessons=ids)
    except BankInvalid as invalid:
        raise BankInvalid([*invalid.errors, *lesson_errors]) from None
    if lesson_errors:
        raise BankInvalid(lesson_errors)
    return bank, lessons


def load_bank_text(
    text: str | bytes,
    *,
    filename: str = "<pasted>",
    course_lessons: frozenset[str] = frozenset(),
) -> QuestionBank:
    """Load a bank from YAML text (pasted into the instructor page, or read from disk);
    `course_lessons` are the ids of the lessons written beside it."""
    with _collector_paused():
        try:
            parsed = parse_yaml(text)
        except YamlProblem as problem:
            raise BankInvalid([file_error(filename, problem.line, problem.message)]) from None
        except RecursionError:  # belt and braces: the depth limit should stop this first
            raise BankInvalid([file_error(filename, 0, "nesting is too deep")]) from None
        return _validate(parsed, filename, course_lessons)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a bank is built, on again after.

    A 10 000-question bank is ~500 000 new lists, dicts and models, none in a cycle (an
    alias can only name an anchor already closed). Left on, the collector walks the whole
    growing heap again and again as they pile up: about a third of the load time. Whatever
    is garbage meanwhile is collected once it is back on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_catalog(folder: Path | str) -> BankCatalog:
    """Load every `*.yaml` bank in `folder`; files starting with '_' are templates, skipped.

    A broken file lands in `errors` and never stops the other banks from loading.
    """
    catalog = BankCatalog()
    for path in sorted(Path(folder).glob("*.y*ml")):
        if path.name.startswith("_"):
            continue
        try:
            bank, lessons = load_bank_and_lessons(path)
        except BankInvalid as invalid:
            catalog.errors[path] = invalid.errors
            continue
        if bank.id in catalog.banks:
            catalog.errors[path] = [duplicate_bank_id(path, bank.id, catalog.sources[bank.id])]
            continue
        catalog.banks[bank.id] = bank
        catalog.sources[bank.id] = path
        if lessons:
            catalog.lessons[bank.id] = lessons
    return catalog


def duplicate_bank_id(path: Path, bank_id: str, first: Path) -> BankError:
    """The error of a second file that reuses a bank id: it names the first file, which
    keeps working, and sits on the `id:` line an instructor must change."""
    return file_error(
        path.name,
        _id_line(path),
        f"bank id '{bank_id}' is already used by {first.name} (line {_id_line(first)}); "
        "bank ids must be unique across files: change one of them",
        "id",
    )


def _id_line(path: Path) -> int:
    # Parsed again only in this rare case: load_bank keeps no lines once a bank is valid.
    try:
        return parse_yaml(path.read_bytes()).line_of(("id",))
    except (OSError, YamlProblem):
        return 1


def _validate(
    parsed: ParsedYaml, filename: str, course_lessons: frozenset[str] = frozenset()
) -> QuestionBank:
    data = parsed.data
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        raise BankInvalid([file_error(filename, 1, f"a bank must be a mapping of keys; got {got}")])

    # A key written twice is reported on its second line; the message names the first.
    errors = [
        error_at(parsed, filename, path, message, line) for path, line, message in parsed.duplicates
    ]
    if ("version",) in parsed.number_text:  # `version: 1.10` is "1.10", never 1.1
        data = {**data, "version": parsed.number_text[("version",)]}
    numbers_as_written(data, parsed.number_text)  # `final_answer: 1.25` means "1.25"
    raw_questions = data.get("questions")
    questions: list[Question] | Any = raw_questions
    parsed_questions: list[tuple[int, Question]] = []
    if isinstance(raw_questions, list):
        for index, raw in enumerate(raw_questions):
            try:
                parsed_questions.append((index, QUESTION.validate_python(raw)))
            except ValidationError as exc:
                prefix = ("questions", index)
                errors += translate(exc, parsed, filename, prefix, _model_for(raw))
        questions = [question for _, question in parsed_questions]
    # Cross-field rules run on every question that parsed, even when others did not, so
    # one run reports everything an instructor has to fix.
    errors += _problem_errors(
        questions_problems(parsed_questions, course_lessons), parsed, filename
    )
    if isinstance(raw_questions, list):
        family = (
            (index, path, message)
            for index, question in parsed_questions
            for path, message in family_problems(question, raw_questions[index])
        )
        errors += _problem_errors(family, parsed, filename)
    if errors:
        # Bank-level keys are still checked so one run reports everything.
        header = {k: v for k, v in data.items() if k != "questions"}
        header["questions"] = [_PLACEHOLDER]
        try:
            QuestionBank.model_validate(header)
        except ValidationError as exc:
            errors += translate(exc, parsed, filename, (), QuestionBank)
        raise BankInvalid(_in_file_order(errors))

    try:
        bank = QuestionBank.model_validate({**data, "questions": questions})
    except ValidationError as exc:
        raise BankInvalid(translate(exc, parsed, filename, (), QuestionBank)) from None
    errors += _problem_errors(recipe_problems(bank), parsed, filename)
    if errors:
        raise BankInvalid(_in_file_order(errors))
    return bank


def _model_for(raw: Any) -> type[BaseModel]:
    """The model a question's `type` names (for its list of allowed keys)."""
    kind = raw.get("type") if isinstance(raw, dict) else None
    return (
        QUESTION_MODELS.get(kind, SingleChoiceQuestion)
        if isinstance(kind, str)
        else (SingleChoiceQuestion)
    )


def _problem_errors(
    problems: Iterable[Problem], parsed: ParsedYaml, filename: str
) -> list[BankError]:
    out = []
    for index, path, message in problems:
        prefix: KeyPath = () if index is None else ("questions", index)
        out.append(error_at(parsed, filename, (*prefix, *path), message))
    return out


def _in_file_order(errors: list[BankError]) -> list[BankError]:
    return sorted(errors, key=lambda error: error.line)


# Stands in for the questions while only the bank's own keys are checked.
_PLACEHOLDER = SingleChoiceQuestion.model_construct(type=QuestionType.SINGLE_CHOICE)
