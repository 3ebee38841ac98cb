"""Advice for a YAML syntax error read from the lines around it, where libyaml's own words
point at the wrong cause: a key indented too far reads as the rest of the value above it
("mapping values are not allowed"), and text not indented under `prompt: |` reads as a key
without its colon ("could not find expected ':'")."""

from __future__ import annotations

import re

_KEY_LINE = re.compile(r"^(\s*)(?:- )?([A-Za-z_][\w.-]*):(?:\s|$)")
_BLOCK_START = re.compile(r"^(\s*)(?:- )?([A-Za-z_][\w.-]*):\s*[|>][-+]?[0-9]?\s*(?:#.*)?$")
LOOK_BACK = 40  # lines searched above the error for the block it belongs to


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _previous(lines: list[str], index: int) -> int | None:
    """The index of the nearest line above `index` that holds something (not a comment)."""
    for i in range(index - 1, -1, -1):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("#"):
            return i
    return None


def advice(lines: list[str], line: int, detail: str) -> tuple[int, str] | None:
    """(line to report, what to do) when the lines show a likelier cause, else None."""
    index = line - 1
    if not 0 <= index < len(lines):
        return None
    if "mapping values are not allowed" in detail:
        return _over_indented(lines, index)
    if "could not find expected ':'" in detail:
        return _block_not_indented(lines, index)
    return None


def _over_indented(lines: list[str], index: int) -> tuple[int, str] | None:
    here = _KEY_LINE.match(lines[index])
    above = _previous(lines, index)
    if here is None or above is None:
        return None
    parent = _KEY_LINE.match(lines[above])
    if parent is None or _indent(lines[index]) <= _indent(lines[above]):
        return None  # not indented further: a ': ' inside a value is the likelier cause
    key, parent_key = here.group(2), parent.group(2)
    return index + 1, (
        f"'{key}:' is indented further than '{parent_key}:' on the line above, so it reads as "
        f"the rest of {parent_key}'s value; line '{key}:' up with '{parent_key}:' (same "
        "number of spaces)"
    )


def _block_not_indented(lines: list[str], index: int) -> tuple[int, str] | None:
    for start in range(index, max(-1, index - LOOK_BACK), -1):
        block = _BLOCK_START.match(lines[start])
        if block is None:
            continue
        text = next(
            (i for i in range(start + 1, index + 1) if lines[i].strip()),
            None,
        )
        if text is None or _indent(lines[text]) > _indent(lines[start]):
            return None  # the text is indented: the error lies elsewhere
        key = block.group(2)
        return text + 1, (
            f"the text under '{key}: {lines[start].split(':', 1)[1].strip()}' must be indented "
            f"further than '{key}:'; add two spaces before this line and each line of the "
            "text after it"
        )
    return None
