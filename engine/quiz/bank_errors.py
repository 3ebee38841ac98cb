"""Bank problems as an instructor reads them: `file:line: [question] field: message`.

Pydantic's errors name internal places (a union tag, a validator) and use its own words;
here they become the field an instructor wrote, the line it is on, and what to do.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from engine.codecheck.spec import Check
from engine.quiz.models import QUESTION_MODELS, QuestionType
from engine.quiz.safe_yaml import KeyPath, ParsedYaml


@dataclass(frozen=True)
class BankError:
    """One problem: where it is (file, line, question, field) and what to do about it."""

    file: str
    line: int
    question_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        parts = [f"{self.file}:{self.line}:"]
        if self.question_id:
            parts.append(f"[{self.question_id}]")
        if self.field:
            parts.append(f"{self.field}:")
        parts.append(self.message)
        return " ".join(parts)


def file_error(file: str, line: int, message: str, field: str | None = None) -> BankError:
    """A problem of the file or the bank as a whole, not of one question."""
    return BankError(file=file, line=line, question_id=None, field=field, message=message)


def question_id_at(parsed: ParsedYaml, path: KeyPath) -> str | None:
    """The id of the question `path` lies in, as written (None outside questions)."""
    if len(path) < 2 or path[0] != "questions" or not isinstance(path[1], int):
        return None
    questions = parsed.data.get("questions") if isinstance(parsed.data, dict) else None
    raw = questions[path[1]] if isinstance(questions, list) else None
    qid = raw.get("id") if isinstance(raw, dict) else None
    return qid if isinstance(qid, str) else None


def error_at(
    parsed: ParsedYaml, filename: str, path: KeyPath, message: str, line: int | None = None
) -> BankError:
    """A problem at `path` of the document: its question, field and (unless given) its
    line follow from the path."""
    in_question = len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int)
    field = path[2:] if in_question else path
    return BankError(
        file=filename,
        line=parsed.line_of(path) if line is None else line,
        question_id=question_id_at(parsed, path),
        field=field_name(field),
        message=message,
    )


def field_name(path: KeyPath) -> str | None:
    """`("choices", 2, "id")` reads as `choices[2].id`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or None


def translate(
    exc: ValidationError,
    parsed: ParsedYaml,
    filename: str,
    prefix: KeyPath,
    model: type[BaseModel],
) -> list[BankError]:
    """Pydantic errors → BankErrors with a line, a question id, a field and a fix."""
    question_id = question_id_at(parsed, prefix)
    out: list[BankError] = []
    seen: set[tuple[KeyPath, str]] = set()
    for err in exc.errors():
        loc = _as_written(_written_loc(tuple(err["loc"])), parsed, prefix)
        if err["type"] in {"union_tag_not_found", "union_tag_invalid"}:
            # pydantic places the tag's error on the question (or the check) itself
            loc = (*loc, str(err["ctx"]["discriminator"]).strip("'"))
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
                field=field_name(loc) or ("question" if prefix else None),
                message=message,
            )
        )
    return out


# A code question's checks are a union tagged by `check` (engine/codecheck/spec.py).
_CHECK_TAGS = [
    tag
    for member in get_args(get_args(Check)[0])
    for tag in get_args(member.model_fields["check"].annotation)
]
_TAGS = {t.value for t in QuestionType} | set(_CHECK_TAGS)
_VALIDATOR_NAMES = {"function-after", "function-before", "function-wrap", "int", "float"}


def _written_loc(loc: KeyPath) -> KeyPath:
    # Pydantic puts the union tag ("numeric") and validator or union member names into
    # the location; an instructor wrote only keys and list positions.
    return tuple(
        p for p in loc if not (isinstance(p, str) and (p in _TAGS or p in _VALIDATOR_NAMES))
    )


def _as_written(loc: KeyPath, parsed: ParsedYaml, prefix: KeyPath) -> KeyPath:
    """`hints` errors of a question written with the `hint:` shorthand name `hint`."""
    if loc[:1] != ("hints",) or not prefix:
        return loc
    questions = parsed.data.get("questions") if isinstance(parsed.data, dict) else None
    index = prefix[1] if len(prefix) > 1 else None
    raw = (
        questions[index]
        if isinstance(questions, list) and isinstance(index, int) and index < len(questions)
        else None
    )
    if isinstance(raw, dict) and "hint" in raw and "hints" not in raw:
        return ("hint",)
    return loc


def _message(err: Any, loc: KeyPath, model: type[BaseModel]) -> str:
    kind = err["type"]
    name = loc[-1] if loc else ""
    if kind in {"missing", "union_tag_not_found"}:
        return f"required key '{name}' is missing"
    if kind == "union_tag_invalid":
        tags = _CHECK_TAGS if name == "check" else _TAGS_IN_ORDER
        return f"must be one of {_quoted(tags)}; got {err['ctx']['tag']!r}"
    if kind == "extra_forbidden":
        elsewhere = [t for t, m in QUESTION_MODELS.items() if name in m.model_fields]
        if elsewhere and len(loc) == 1 and model in QUESTION_MODELS.values():
            return f"'{name}' applies only to {' and '.join(elsewhere)} questions"
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
    if loc[:1] == ("answer",) and kind != "value_error":  # e.g. a mapping in an id list
        return (
            "answer must be a choice id (single_choice), a list of choice ids "
            "(multiple_select), true/false (true_false) or a number (numeric)"
        )
    if err.get("input", "") is None and name and kind != "value_error":  # `hint:` alone
        return f"is empty; write a value after '{name}:' or remove the key"
    if kind in {"string_too_short", "too_short"}:
        return "must not be empty"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"must be a mapping of keys; got {type(err['input']).__name__}"
    if kind == "list_type":
        return f"must be a list; got {type(err['input']).__name__}"
    msg = str(err["msg"])
    return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")


_TAGS_IN_ORDER = [t.value for t in QuestionType]


def _quoted(values: list[str]) -> str:
    quoted = [f"'{v}'" for v in values]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}"


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
    if current in QUESTION_MODELS.values():
        names.append("hint")  # shorthand accepted by the before-validator
    return sorted(names)
