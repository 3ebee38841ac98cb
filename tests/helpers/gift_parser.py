"""A small GIFT reader (the subset TuneLab writes), to check exports by reading them back.

Written from Moodle's description of the format, independently of engine/quiz/authoring/export.py:
escaped characters are first swapped for private-use placeholders, so the structure can
be split on plain ``{ } = ~ # :`` and the placeholders turned back into text at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_BASE = 0xE000


def _hide_escapes(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: chr(_BASE + ord(m.group(1))), text, flags=re.S)


def _reveal(text: str) -> str:
    def back(ch: str) -> str:
        code = ord(ch) - _BASE
        if not 0 <= code < 0x1000:
            return ch
        return "\n" if chr(code) == "n" else chr(code)

    return "".join(back(ch) for ch in text)


@dataclass
class GiftAnswer:
    correct: bool  # '=' (or a positive weight) vs '~'
    weight: float | None  # %n% when given
    text: str
    feedback: str | None


@dataclass
class GiftQuestion:
    title: str
    text_format: str | None
    text: str
    answers: list[GiftAnswer] = field(default_factory=list)
    true_false: bool | None = None
    true_false_feedback: tuple[str, str] | None = None  # (if wrong, if right)
    numeric: tuple[float, float] | None = None  # (value, tolerance)
    general_feedback: str | None = None


@dataclass
class GiftFile:
    categories: list[str]
    comments: list[str]
    questions: list[GiftQuestion]


def parse_gift(text: str) -> GiftFile:
    hidden = _hide_escapes(text)
    categories, comments, blocks, current = [], [], [], []
    for line in hidden.split("\n"):
        stripped = line.strip()
        if stripped.startswith("//"):
            comments.append(_reveal(stripped[2:].strip()))
        elif stripped.startswith("$CATEGORY:"):
            categories.append(_reveal(stripped.removeprefix("$CATEGORY:").strip()))
        elif stripped:
            current.append(line)
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return GiftFile(categories, comments, [_question(block) for block in blocks])


def _question(block: str) -> GiftQuestion:
    match = re.fullmatch(r"\s*::(.*?)::(?:\[(\w+)\])?(.*?)\{(.*)\}\s*", block, flags=re.S)
    assert match, f"not a GIFT question: {_reveal(block)[:80]!r}"
    title, fmt, text, answers = match.groups()
    question = GiftQuestion(_reveal(title).strip(), fmt, _reveal(text).strip())
    answers, _, general = answers.partition("####")
    question.general_feedback = _reveal(general).strip() if general else None
    answers = answers.strip()
    if answers.startswith("#"):
        value, _, tolerance = answers[1:].strip().partition(":")
        question.numeric = (float(value), float(tolerance or 0))
    elif re.match(r"(TRUE|FALSE|T|F)\b", answers):
        key, *feedback = answers.split("#")
        question.true_false = key.strip() in {"TRUE", "T"}
        if feedback:
            wrong, right = [*feedback, ""][:2]
            question.true_false_feedback = (_reveal(wrong).strip(), _reveal(right).strip())
    else:
        for marker, body in re.findall(r"([=~])([^=~]*)", answers):
            weight = None
            weighted = re.match(r"%(-?[\d.]+)%(.*)", body, flags=re.S)
            if weighted:
                weight, body = float(weighted.group(1)), weighted.group(2)
            text_part, _, feedback = body.partition("#")
            correct = marker == "=" or (weight is not None and weight > 0)
            question.answers.append(
                GiftAnswer(
                    correct,
                    weight,
                    _reveal(text_part).strip(),
                    _reveal(feedback).strip() if feedback else None,
                )
            )
    return question
