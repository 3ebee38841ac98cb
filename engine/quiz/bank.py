"""Load question banks from YAML into models, or into errors an instructor can act on."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from engine.quiz.checks import Problem, questions_problems, recipe_problems
from engine.quiz.models import Question, QuestionBank
from engine.quiz.safe_yaml import MAX_BYTES, KeyPath, ParsedYaml, YamlProblem, parse_yaml


@dataclass(frozen=True)
class BankError:
    """One problem: where it is (file, line, question, field) and what to do about it."""

    file: str
    line: int
    question_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:"
        parts = [where]
        if self.question_id:
            parts.append(f"[{self.question_id}]")
        if self.field:
            parts.append(f"{self.field}:")
        parts.append(self.message)
        return " ".join(parts)


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
    errors: dict[Path, list[BankError]] = field(default_factory=dict)


def load_bank(path: Path | str) -> QuestionBank:
    """Load one bank file. Raises BankInvalid (never another exception) on any problem."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise BankInvalid([_error(path.name, 0, f"file is larger than {MAX_BYTES} bytes")])
        raw = path.read_bytes()
    except OSError as exc:
        raise BankInvalid([_error(str(path), 0, f"cannot read file: {exc.strerror}")]) from None
    return load_bank_text(raw, filename=str(path))


def load_bank_text(text: str | bytes, *, filename: str = "<pasted>") -> QuestionBank:
    """Load a bank from YAML text (pasted into the instructor page, or read from disk)."""
    return _validate(_parse(text, filename), filename)


def _parse(text: str | bytes, filename: str) -> ParsedYaml:
    try:
        return parse_yaml(text)
    except YamlProblem as problem:
        raise BankInvalid([_error(filename, problem.line, problem.message)]) from None
    except RecursionError:  # belt and braces: the depth limit should stop this first
        raise BankInvalid([_error(filename, 0, "nesting is too deep")]) from None


def load_catalog(folder: Path | str) -> BankCatalog:
    """Load every `*.yaml` bank in `folder`; files starting with '_' are templates, skipped.

    A broken file lands in `errors` and never stops the other banks from loading.
    """
    catalog = BankCatalog()
    for path in sorted(Path(folder).glob("*.y*ml")):
        if path.name.startswith("_"):
            continue
        try:
            bank = load_bank(path)
        except BankInvalid as invalid:
            catalog.errors[path] = invalid.errors
            continue
        if bank.id in catalog.banks:
            other = catalog.sources[bank.id].name
            catalog.errors[path] = [
                _error(path.name, 1, f"bank id '{bank.id}' is already used by {other}", "id")
            ]
            continue
        catalog.banks[bank.id] = bank
        catalog.sources[bank.id] = path
    return catalog


def _error(file: str, line: int, message: str, field: str | None = None) -> BankError:
    return BankError(file=file, line=line, question_id=None, field=field, message=message)


def _validate(parsed: ParsedYaml, filename: str) -> QuestionBank:
    data = parsed.data
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        raise BankInvalid([_error(filename, 1, f"a bank must be a mapping of keys; got {got}")])

    errors = [_duplicate_error(parsed, filename, *found) for found in parsed.duplicates]
    raw_questions = data.get("questions")
    questions: list[Question] | Any = raw_questions
    parsed_questions: list[tuple[int, Question]] = []
    if isinstance(raw_questions, list):
        for index, raw in enumerate(raw_questions):
            try:
                parsed_questions.append((index, Question.model_validate(raw)))
            except ValidationError as exc:
                errors += _translate(exc, parsed, filename, ("questions", index), Question)
        questions = [question for _, question in parsed_questions]
    # Cross-field rules run on every question that parsed, even when others did not, so
    # one run reports everything an instructor has to fix.
    ids = {index: question.id for index, question in parsed_questions}
    errors += _problem_errors(questions_problems(parsed_questions), parsed, filename, ids)
    if errors:
        # Bank-level keys are still checked so one run reports everything.
        header = {k: v for k, v in data.items() if k != "questions"}
        header["questions"] = [_PLACEHOLDER]
        try:
            QuestionBank.model_validate(header)
        except ValidationError as exc:
            errors += _translate(exc, parsed, filename, (), QuestionBank)
        raise BankInvalid(_in_file_order(errors))

    try:
        bank = QuestionBank.model_validate({**data, "questions": questions})
    except ValidationError as exc:
        raise BankInvalid(_translate(exc, parsed, filename, (), QuestionBank)) from None
    errors += _problem_errors(recipe_problems(bank), parsed, filename, ids)
    if errors:
        raise BankInvalid(_in_file_order(errors))
    return bank


def _duplicate_error(
    parsed: ParsedYaml, filename: str, path: KeyPath, line: int, message: str
) -> BankError:
    question_id, field = None, path
    if path[:1] == ("questions",) and len(path) > 2 and isinstance(path[1], int):
        raw = parsed.data["questions"][path[1]]
        question_id = raw.get("id") if isinstance(raw, dict) else None
        question_id = question_id if isinstance(question_id, str) else None
        field = path[2:]
    return BankError(filename, line, question_id, _field_name(field), message)


def _problem_errors(
    problems: Iterable[Problem], parsed: ParsedYaml, filename: str, ids: dict[int, str]
) -> list[BankError]:
    out = []
    for index, path, message in problems:
        prefix: KeyPath = () if index is None else ("questions", index)
        out.append(
            BankError(
                file=filename,
                line=parsed.line_of((*prefix, *path)),
                question_id=None if index is None else ids.get(index),
                field=_field_name(path),
                message=message,
            )
        )
    return out


def _in_file_order(errors: list[BankError]) -> list[BankError]:
    return sorted(errors, key=lambda error: error.line)


_PLACEHOLDER = Question.model_construct()


def _field_name(path: KeyPath) -> str | None:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or None


def _translate(
    exc: ValidationError,
    parsed: ParsedYaml,
    filename: str,
    prefix: KeyPath,
    model: type[BaseModel],
) -> list[BankError]:
    """Pydantic errors → BankErrors with a line, a question id, a field and a fix."""
    question_id = None
    if prefix[:1] == ("questions",):
        raw = parsed.data["questions"][prefix[1]]
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            question_id = raw["id"]
    out: list[BankError] = []
    seen: set[tuple[KeyPath, str]] = set()
    for err in exc.errors():
        loc = _clean_loc(tuple(err["loc"]))
        message = _message(err, loc, model)
        if (loc, message) in seen:
            continue
        seen.add((loc, message))
        if prefix == () and loc[:1] == ("questions",) and len(loc) > 1:
            continue  # question errors were reported by the per-question pass
        out.append(
            BankError(
                file=filename,
                line=parsed.line_of((*prefix, *loc)),
                question_id=question_id,
                field=_field_name(loc) or ("question" if prefix else None),
                message=message,
            )
        )
    return out


_UNION_MEMBERS = {"bool", "int", "float", "str", "list[str]", "function-after", "function-before"}


def _clean_loc(loc: KeyPath) -> KeyPath:
    # Pydantic adds union member names ("answer", "list[str]", 0) to the location.
    return tuple(
        p
        for p in loc
        if not (isinstance(p, str) and p.split("[")[0] in {m.split("[")[0] for m in _UNION_MEMBERS})
    )


def _message(err: Any, loc: KeyPath, model: type[BaseModel]) -> str:
    kind = err["type"]
    name = loc[-1] if loc else ""
    if kind == "missing":
        return f"required key '{name}' is missing"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc, model)
        close = difflib.get_close_matches(str(name), allowed, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"unknown key '{name}'{hint} Allowed keys: {', '.join(allowed)}"
    if kind == "enum":
        return f"must be one of {err['ctx']['expected']}; got {err['input']!r}"
    if kind == "string_pattern_mismatch":
        return (
            f"{err['input']!r} is not a valid id: use letters, digits, '-', '_' or '.', "
            "starting with a letter or digit, at most 64 characters"
        )
    if name == "answer":
        return (
            "answer must be a choice id (single_choice), a list of choice ids "
            "(multiple_select), true/false (true_false) or a number (numeric)"
        )
    if kind in {"string_too_short", "too_short"}:
        return "must not be empty"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"must be a mapping of keys; got {type(err['input']).__name__}"
    if kind == "list_type":
        return f"must be a list; got {type(err['input']).__name__}"
    msg = str(err["msg"])
    return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _allowed_keys(loc: KeyPath, model: type[BaseModel]) -> list[str]:
    """The keys the model at `loc` accepts (walks nested models by field name)."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if info is None:
            break
        annotation = info.annotation
        inner = getattr(annotation, "__args__", (annotation,))
        current = next(
            (a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)), current
        )
    names = list(getattr(current, "model_fields", {}))
    if current is Question:
        names.append("hint")  # shorthand accepted by the before-validator
    return sorted(names)
