"""Text a learner controls (a name, an answer, a code result's message, an error) made inert
for Markdown: it reads on the page exactly as typed and can never become an image, a link,
a heading, a colour or a formula.

Every page that puts such text in Markdown (st.markdown, captions, alerts, labels) passes
it through `inert_text`, and code through `inert_code`. CommonMark lets any ASCII
punctuation be backslash-escaped, and every Markdown construct (images, links, autolinks,
raw HTML, emphasis, code spans, Streamlit's `:red[...]` and `$...$`) starts with one, so
escaping every punctuation character leaves nothing to parse: `![n](http://x)` renders as
those characters. GFM's bare autolinks (`http://x`, `www.x`, `a@x.org`) are another matter:
Streamlit's renderer finds them in the text *after* escapes are resolved, so an invisible
WORD JOINER (U+2060) goes where their pattern needs two characters side by side
(`http:⁠//`, `www⁠.`, `@⁠`): the text reads the same and links nowhere. Bank text is Markdown
on purpose and goes through engine.quiz.markdown.inert_images instead.
tests/test_inert_text.py parses the results with a CommonMark parser and GFM's patterns;
tests/e2e/test_lockout_browser.py checks Streamlit's own rendering in Chromium.
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = frozenset(string.punctuation)  # exactly CommonMark's escapable characters
_LINE_END = re.compile(r"\r\n|\r|\n")
_BACKTICKS = re.compile(r"`+")
_WORD_JOINER = "\u2060"
# Where GFM's autolink patterns (mdast-util-gfm-autolink-literal) need two characters
# adjacent: the scheme's ":" and "//", "www" and ".", "@" and the domain.
_AUTOLINK_JOINTS = re.compile(r"(?i)(?<=https:)(?=//)|(?<=http:)(?=//)|(?<=www)(?=\.)|(?<=@)")


def inert_text(value: object) -> str:
    """``value`` as Markdown that renders as its plain characters, line breaks kept."""
    unlinked = _AUTOLINK_JOINTS.sub(_WORD_JOINER, str(value))
    escaped = "".join(f"\\{ch}" if ch in _PUNCTUATION else ch for ch in unlinked)
    # A hard break ("  " + newline) keeps each line of a message on its own line.
    return _LINE_END.sub("  \n", escaped)


def inert_code(code: str, language: str = "") -> str:
    """``code`` as a fenced block that no line of it can close: the fence is one backtick
    longer than the longest backtick run inside (CommonMark closes a fence only with a run
    at least as long), and never shorter than three."""
    longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
    fence = "`" * max(3, longest + 1)
    info = "".join(ch for ch in language if ch.isalnum() or ch in "+-_")
    return f"{fence}{info}\n{code}\n{fence}"
