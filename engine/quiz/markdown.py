"""Bank text made safe to render: Markdown images become links, so no browser fetches them.

An image is a link with "!" in front (`![alt](url)`, `![alt][ref]`, `![alt]`); dropping
every "!" run right before a "[" keeps the alt text and the address as a link the learner
may choose to follow. Only fenced code blocks are left as written, and only fences that
CommonMark itself would see: the rule errs towards editing text, because editing a code
sample costs a "!" while missing an image costs every learner a request to a stranger.
Inline code is not exempt, since autolinks and HTML outrank code spans in CommonMark and
a look-alike span could shield a real image. tests/quiz/test_markdown.py renders the results
with a CommonMark parser and looks for images.
"""

from __future__ import annotations

import re

# A fence opens a line (after at most 3 spaces) with 3+ backticks or tildes; a backtick
# fence's info string may not contain a backtick (then it is inline code, not a fence).
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_IMAGE = re.compile(r"!+(?=\[)")
# CommonMark ends lines at \n, \r\n or \r only (str.splitlines also splits at \x85,
# \u2028, ..., which would let a fence seem to start where CommonMark sees none).
_LINE_END = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")


def inert_images(text: str) -> str:
    """`text` with every Markdown image turned into a plain link (fenced code untouched)."""
    if "![" not in text:  # an image needs "!" right before "[": most texts have none
        return text
    lines = [line for line in _LINE_END.split(text) if line]
    code = _fenced_lines(lines)
    return "".join(
        line if index in code else _IMAGE.sub("", line) for index, line in enumerate(lines)
    )


def _fenced_lines(lines: list[str]) -> set[int]:
    """Indexes of the lines of closed fenced code blocks, their fences included.

    An unclosed fence runs to the end of the text in CommonMark; here it protects nothing.
    """
    code: set[int] = set()
    index = 0
    while index < len(lines):
        opening = _FENCE.fullmatch(lines[index].rstrip("\r\n"))
        fence = opening.group(1) if opening else ""
        if opening and not (fence[0] == "`" and "`" in opening.group(2)):
            closing = re.compile(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*")
            end = next(
                (
                    later
                    for later in range(index + 1, len(lines))
                    if closing.fullmatch(lines[later].rstrip("\r\n"))
                ),
                None,
            )
            if end is not None:
                code.update(range(index, end + 1))
                index = end + 1
                continue
        index += 1
    return code
