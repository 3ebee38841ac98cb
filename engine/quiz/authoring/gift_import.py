"""Moodle GIFT to a TuneLab YAML bank (`python -m engine import gift FILE [-o OUT.yaml]`).

Carried: multiple choice with one right answer (``=right ~wrong``), with several
(``~%50%a ~%50%b ~%-100%c``), true/false (``{TRUE#wrong-feedback#right-feedback}``), numeric
(``{#value:tolerance}``, ``{#low..high}``), per-answer feedback (``#...``), general feedback
(``####...``, read as the worked solution), ``::title::`` (the question id).

GIFT has no difficulty, topic, quick check or worked solution: each question gets a named
default, written as a comment above it, unless a TuneLab export's own comment
(``// easy · topic: ... · points: 1``) says what it was. Not carried, and listed: essays
(``{}``), short answer (only ``=`` answers), matching (``->``), missing-word questions
(text after the answers), descriptions (no answers).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_DIFFICULTY = "medium"
DEFAULT_TOPIC = "imported"
DEFAULT_QUICK_CHECK = "Imported from GIFT, which has no quick check: write one here."
# Choice ids a, b, c...: without y and n, which older YAML readers take for booleans.
CHOICE_IDS = [c for c in "abcdefghijklmopqrstuvwxz"]
_ID = re.compile(r"[^A-Za-z0-9_.-]+")
_TUNELAB_NOTE = re.compile(
    r"^//\s*(easy|medium|hard) · topic: (.+?)(?: · points: ([\d.]+))?(?: ·|$)"
)
_EXPORT_HEADER = re.compile(
    r"^//.*\(bank (?P<id>[A-Za-z0-9][A-Za-z0-9_.-]{0,63}), version (?P<version>[^)]+)\); "
    r"exported by TuneLab$",
    re.M,
)
# Deployed variants of one family (`ID-seedN`): a test should draw at most one of them.
_VARIANT_ID = re.compile(r"^(?P<family>.+)-seed\d+$")
_EXPORTED_SOLUTION = re.compile(
    r"^(?P<steps>(?:\d+\. .*(?:\n|$))+)\n\*\*Final answer:\*\* (?P<final>.*?)"
    r"(?:\n\n\*\*Quick check:\*\* (?P<check>.*))?$",
    re.S,
)


@dataclass
class Imported:
    """The questions GIFT could carry, and a line for each it could not."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    defaults: list[list[str]] = field(default_factory=list)  # per question: what was assumed
    skipped: list[str] = field(default_factory=list)
    category: str | None = None
    # From a TuneLab export's header `// Title (bank ID, version V); exported by TuneLab`:
    # the bank keeps its id (and its statistics) whatever the file is renamed to.
    bank_id: str | None = None
    version: str | None = None


class Unsupported(ValueError):
    """A question GIFT has but TuneLab's bank format does not (the message says which)."""


def unescape(text: str) -> str:
    """GIFT's backslash escapes undone (``\\n`` is a newline), whitespace trimmed."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt)
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out).strip()


def _split_unescaped(text: str, marks: str) -> list[tuple[str, str]]:
    """(mark, chunk) pieces of `text`, cut before each unescaped character in `marks`."""
    pieces: list[tuple[str, str]] = []
    mark, start, i = "", 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in marks:
            pieces.append((mark, text[start:i]))
            mark, start = text[i], i + 1
        i += 1
    pieces.append((mark, text[start:]))
    return pieces


def _find_unescaped(text: str, char: str, start: int = 0) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == char:
            return i
        i += 1
    return -1


def _blocks(source: str) -> tuple[list[tuple[list[str], str]], str | None]:
    """Question texts separated by blank lines, each with the // comments just above it."""
    blocks: list[tuple[list[str], str]] = []
    notes: list[str] = []
    lines: list[str] = []
    category = None
    for raw in [*source.replace("\r\n", "\n").split("\n"), ""]:
        line = raw.strip()
        if line.startswith("$CATEGORY:"):
            category = line.removeprefix("$CATEGORY:").strip().split("/")[-1] or None
        elif line.startswith("//"):
            if not lines:
                notes.append(line)
        elif line:
            lines.append(raw)
        elif lines:
            blocks.append((notes, "\n".join(lines)))
            notes, lines = [], []
        else:
            notes = []
    return blocks, category


def _feedback(chunk: str) -> tuple[str, str | None]:
    parts = _split_unescaped(chunk, "#")
    text = unescape(parts[0][1])
    feedback = unescape("#".join(p for _, p in parts[1:])) if len(parts) > 1 else None
    return text, feedback or None


def _weight(chunk: str) -> tuple[float | None, str]:
    match = re.match(r"\s*%(-?[\d.]+)%", chunk)
    return (float(match.group(1)), chunk[match.end() :]) if match else (None, chunk)


def _choices(answers: str) -> dict[str, Any]:
    if re.search(r"(?<!\\)->", answers):
        raise Unsupported("matching question (->)")
    pieces = [(m, c) for m, c in _split_unescaped(answers, "=~") if m]
    if not pieces:
        raise Unsupported("answers without = or ~")
    if all(mark == "=" for mark, _ in pieces):
        raise Unsupported("short answer (only = answers)")
    choices, weights = [], []
    for index, (mark, chunk) in enumerate(pieces):
        weight, rest = _weight(chunk)
        text, feedback = _feedback(rest)
        choice: dict[str, Any] = {"id": CHOICE_IDS[index], "text": text}
        if feedback:
            choice["feedback"] = feedback
        choices.append(choice)
        weights.append(100.0 if mark == "=" else (weight if weight is not None else 0.0))
    right = [c["id"] for c, w in zip(choices, weights, strict=True) if w > 0]
    positive = sorted({w for w in weights if w > 0})
    if len(right) == 1 and positive == [100.0]:
        return {"type": "single_choice", "choices": choices, "answer": right[0]}
    if len(right) < 2 or len(positive) != 1 or abs(positive[0] * len(right) - 100) > 0.01:
        raise Unsupported("answer weights other than equal shares of 100 %")
    share = positive[0]
    wrong = {w for w in weights if w <= 0}
    question = {"type": "multiple_select", "choices": choices, "answer": right}
    # A wrong pick costing one right pick's share is TuneLab's partial scoring.
    question["scoring"] = "partial" if wrong <= {-share} else "all_or_nothing"
    return question


def _numeric(answers: str) -> dict[str, Any]:
    first = answers[1:].lstrip("=").split("=")[0].strip()
    _, rest = _weight(first)
    value = unescape(_split_unescaped(rest, "#")[0][1])
    if ".." in value:
        low, high = (float(v) for v in value.split(".."))
        return {"type": "numeric", "answer": (low + high) / 2, "tolerance": (high - low) / 2}
    number, _, tolerance = value.partition(":")
    return {"type": "numeric", "answer": float(number), "tolerance": float(tolerance or 0)}


def _true_false(answers: str) -> dict[str, Any] | None:
    parts = _split_unescaped(answers, "#")
    key = parts[0][1].strip().upper()
    if key not in {"T", "TRUE", "F", "FALSE"}:
        return None
    answer = key.startswith("T")
    wrong = unescape(parts[1][1]) if len(parts) > 1 else ""
    right = unescape(parts[2][1]) if len(parts) > 2 else ""
    question: dict[str, Any] = {"type": "true_false", "answer": answer}
    if wrong or right:
        by_id = {str(answer).lower(): right, str(not answer).lower(): wrong}
        question["choices"] = [
            {
                "id": "true",
                "text": "True",
                **({"feedback": by_id["true"]} if by_id["true"] else {}),
            },
            {
                "id": "false",
                "text": "False",
                **({"feedback": by_id["false"]} if by_id["false"] else {}),
            },
        ]
    return question


def _solution(general: str | None, question: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """(solution, quick check or None) from general feedback; TuneLab's export round-trips."""
    if general:
        exported = _EXPORTED_SOLUTION.match(general)
        if exported:
            steps = [re.sub(r"^\d+\. ", "", s) for s in exported["steps"].strip().split("\n")]
            return {"steps": steps, "final_answer": exported["final"].strip()}, exported["check"]
    kind = question["type"]
    if kind == "numeric":
        final = f"{question['answer']:g}"
    elif kind == "true_false":
        final = "True" if question["answer"] else "False"
    else:
        right = question["answer"] if isinstance(question["answer"], list) else [question["answer"]]
        final = "; ".join(c["text"] for c in question["choices"] if c["id"] in right)
    return {
        "steps": [general or "The answer, as the GIFT file gives it."],
        "final_answer": final,
    }, None


def parse_question(notes: list[str], text: str, index: int) -> tuple[dict[str, Any], list[str]]:
    """One GIFT question as a bank question, and the defaults it needed."""
    title = None
    if text.startswith("::"):
        end = text.find("::", 2)
        title, text = unescape(text[2:end]), text[end + 2 :]
    text = re.sub(r"^\s*\[(markdown|html|plain|moodle)\]", "", text)
    opening = _find_unescaped(text, "{")
    if opening < 0:
        raise Unsupported("description (no answers)")
    closing = _find_unescaped(text, "}", opening)
    if closing < 0:
        raise Unsupported("answers without a closing }")
    if text[closing + 1 :].strip():
        raise Unsupported("missing-word question (text after the answers)")
    prompt, body = unescape(text[:opening]), text[opening + 1 : closing].strip()
    if not body:
        raise Unsupported("essay ({})")
    cut = body.find("####")
    answers, general = (body[:cut], unescape(body[cut + 4 :])) if cut >= 0 else (body, None)
    answers = answers.strip()
    if not answers and any("TuneLab code question" in note for note in notes):
        raise Unsupported(
            "a TuneLab code question, exported as an essay: GIFT does not carry its checks; "
            "copy it from the original bank"
        )
    if not answers:
        raise Unsupported("essay (only general feedback, no answers)")
    question = (
        _numeric(answers) if answers.startswith("#") else _true_false(answers) or _choices(answers)
    )
    defaults: list[str] = []
    difficulty, topic, points = DEFAULT_DIFFICULTY, DEFAULT_TOPIC, None
    note = next((m for m in map(_TUNELAB_NOTE.match, notes) if m), None)
    if note:
        difficulty, topic, points = note.group(1), note.group(2), note.group(3)
    else:
        defaults += [f"difficulty: {DEFAULT_DIFFICULTY}", f"topic: {DEFAULT_TOPIC}"]
    solution, check = _solution(general, question)
    if check is None:
        defaults.append("quick_check")
    if not general:
        defaults.append("solution")
    slug = _ID.sub("-", title or "").strip("-._")[:64] or f"q{index}"
    head = {"id": slug, "difficulty": difficulty, "topic": topic, "prompt": prompt or "(no text)"}
    tail: dict[str, Any] = {"solution": solution, "quick_check": check or DEFAULT_QUICK_CHECK}
    if points and float(points) != 1:
        tail["points"] = float(points)
    return {**head, **question, **tail}, defaults


def import_gift(source: str) -> Imported:
    blocks, category = _blocks(source)
    header = _EXPORT_HEADER.search(source)
    result = Imported(
        category=category,
        bank_id=header.group("id") if header else None,
        version=header.group("version").strip() if header else None,
    )
    seen: set[str] = set()
    for index, (notes, text) in enumerate(blocks, start=1):
        try:
            question, defaults = parse_question(notes, text, index)
        except (Unsupported, ValueError) as problem:
            first = " ".join(text.split())[:60]
            result.skipped.append(f"question {index} ({first}...): {problem}")
            continue
        base, n = question["id"], 2
        while question["id"] in seen:  # ids must be unique in a bank
            question["id"], n = f"{base[:60]}-{n}", n + 1
        seen.add(question["id"])
        result.questions.append(question)
        result.defaults.append(defaults)
    return result


def _recipe(questions: list[dict[str, Any]]) -> dict[str, Any]:
    groups = _variant_groups(questions)
    group_of = {qid: i for i, group in enumerate(groups) for qid in group}
    wanted = {"easy": 3, "medium": 4, "hard": 3}
    recipe: dict[str, Any] = {}
    for level, count in wanted.items():
        at_level = [q["id"] for q in questions if q["difficulty"] == level]
        # one per group: the test must be able to draw them all at once
        offered = len({group_of[i] for i in at_level if i in group_of}) + sum(
            1 for i in at_level if i not in group_of
        )
        recipe[level] = min(count, offered)
    if groups:
        recipe["groups"] = groups
    return recipe


def _variant_groups(questions: list[dict[str, Any]]) -> list[list[str]]:
    """The deployed variants of each exported family, so a test draws at most one."""
    families: dict[str, list[str]] = {}
    for question in questions:
        match = _VARIANT_ID.match(question["id"])
        if match:
            families.setdefault(match.group("family"), []).append(question["id"])
    return [ids for ids in families.values() if len(ids) > 1]


class _BankDumper(yaml.SafeDumper):
    """Multi-line text as a `|` block, as instructors write it in the shipped banks."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BankDumper.add_representer(str, _text)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_BankDumper, sort_keys=False, allow_unicode=True, width=96)


def bank_yaml(imported: Imported, source_name: str) -> str:
    """The bank as commented YAML; every default it assumed is named above its question."""
    stem = imported.bank_id or _ID.sub("-", Path(source_name).stem).strip("-._")[:64] or "imported"
    title = imported.category or f"Imported from {Path(source_name).name}"
    lines = [
        f"# Imported from {Path(source_name).name} by `python -m engine import gift`.",
        "# GIFT has no difficulty, topic, quick check or worked solution: where a question",
        "# needed one, the comment above it names the default used. Edit them, then run",
        "# `python -m engine validate` on this file.",
    ]
    lines += [f"# Not imported: {line}" for line in imported.skipped]
    lines.append(
        _dump(
            {
                "id": stem,
                "title": title,
                "pattern": f"Questions from {title}.",
                "version": imported.version or "1",
                "test": _recipe(imported.questions),
            }
        ).rstrip()
    )
    lines.append("questions:")
    for question, defaults in zip(imported.questions, imported.defaults, strict=True):
        if defaults:
            lines.append(f"  # defaults (not in GIFT): {', '.join(defaults)}")
        body = _dump([question]).rstrip().split("\n")
        lines += [f"  {line}" for line in body]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m engine import", description=__doc__.split("\n")[0]
    )
    parser.add_argument("format", choices=["gift"])
    parser.add_argument("file", type=Path)
    parser.add_argument("-o", "--out", type=Path, help="YAML bank to write (default: print)")
    args = parser.parse_args(argv)
    try:
        source = args.file.read_text(encoding="utf-8")
    except OSError as error:
        print(f"{args.file}: cannot read ({error.strerror})", file=sys.stderr)
        return 1
    imported = import_gift(source)
    for line in imported.skipped:
        print(f"{args.file}: not imported: {line}", file=sys.stderr)
    if not imported.questions:
        print(f"{args.file}: no question TuneLab can carry", file=sys.stderr)
        return 1
    text = bank_yaml(imported, args.file.name)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out} ({len(imported.questions)} questions)", file=sys.stderr)
    return 0
