"""Text a learner controls (a name, an answer, a code result's message, an error) made inert
for Markdown: it reads on the page exactly as typed and can never become an image, a link,
a heading, a list, a colour or a formula.

Every page that puts such text in Markdown (st.markdown, captions, alerts, labels) passes
it through `inert_text`, and code through `inert_code`. CommonMark lets any ASCII
punctuation be backslash-escaped. Every character that opens a construct anywhere in a line
(images, links, autolinks, raw HTML, entities, emphasis, code spans, strikethrough, tables,
Streamlit's `:red[...]` and `$...$`) is escaped wherever it stands; "-" and "." only where
they would start a list, a rule or a heading (first on a line, "1." there), so the
everyday "Jean-Luc" or "St. Ives" goes over the wire as typed. Leading spaces become
no-break spaces, so no line is taken for indented code (where escapes would show).

GFM's bare autolinks (`http://x`, `www.x`, `a@x.org`) are found by Streamlit's renderer in
the text *after* escapes are resolved, so an invisible WORD JOINER (U+2060) goes where
their pattern needs two characters side by side (`http:⁠//`, `www⁠.`, `@⁠`): the text reads
the same and links nowhere. Bank text is Markdown on purpose and goes through
engine.quiz.markdown.inert_images instead. tests/quiz/test_inert_text.py parses the results
with a CommonMark parser and GFM's patterns; tests/e2e/test_lockout_browser.py checks
Streamlit's own rendering in Chromium.
"""

from __future__ import annotations

import re

_ALWAYS = frozenset("\\`*_[]()<>!&~$:|#+=")  # the characters that open constructs
_LINE_END = re.compile(r"\r\n|\r|\n")
_BACKTICKS = re.compile(r"`+")
_WORD_JOINER = "\u2060"
_NO_BREAK_SPACE = "\u00a0"
# Where GFM's autolink patterns (mdast-util-gfm-autolink-literal) need two characters
# adjacent: the scheme's ":" and "//", "www" and ".", "@" and the domain.
_AUTOLINK_JOINTS = re.compile(r"(?i)(?<=https:)(?=//)|(?<=http:)(?=//)|(?<=www)(?=\.)|(?<=@)")
_LIST_NUMBER = re.compile(r"^(\d{1,9})\.")


def inert_text(value: object) -> str:
    """``value`` as Markdown that renders as its plain characters, line breaks kept."""
    unlinked = _AUTOLINK_JOINTS.sub(_WORD_JOINER, str(value))
    # A hard break ("  " + newline) keeps each line of a message on its own line.
    return "  \n".join(_inert_line(line) for line in _LINE_END.split(unlinked))


def _inert_line(line: str) -> str:
    body = line.lstrip(" \t")
    indent = line[: len(line) - len(body)].replace("\t", "    ").replace(" ", _NO_BREAK_SPACE)
    escaped = "".join(f"\\{ch}" if ch in _ALWAYS else ch for ch in body)
    if escaped.startswith("-"):
        escaped = "\\" + escaped
    return indent + _LIST_NUMBER.sub(r"\1\\.", escaped)


def inert_code(code: str, language: str = "") -> str:
    """``code`` as a fenced block that no line of it can close: the fence is one backtick
    longer than the longest backtick run inside (CommonMark closes a fence only with a run
    at least as long), and never shorter than three."""
    longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
    fence = "`" * max(3, longest + 1)
    info = "".join(ch for ch in language if ch.isalnum() or ch in "+-_")
    return f"{fence}{info}\n{code}\n{fence}"
