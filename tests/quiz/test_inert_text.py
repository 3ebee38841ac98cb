"""Learner text stays text: a CommonMark parser finds no image, link or HTML in what
`inert_text` and `inert_code` make of hostile strings, and the characters read back."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from engine.quiz.inert_text import inert_code, inert_text

HOSTILE = [
    "![n](http://evil.example/name.png)",
    "[click](http://evil.example/)",
    "<http://evil.example/auto>",
    "http://evil.example/bare www.evil.example mail@evil.example",
    '<img src="http://evil.example/x.png"> <script>alert(1)</script>',
    "```\n![c](http://evil.example/code.png)\n```",
    "**bold** _it_ `code` # heading\n- item\n1. one\n> quote",
    ":red[colour] :material/home: $x^2$ $$y$$",
    "![ref][r]\n\n[r]: http://evil.example/ref.png",
    "\\![escaped](http://evil.example/e.png) trailing backslash\\",
    "&lt;img src=x&gt; &#x3C;b&#x3E;",
    "A" * 5000,
    "- a list\n+ another\n* third\n1. ordered\n2) also\n---\ntitle\n===\n    indented code",
    "Jean-Luc O'Brien, St. Ives; 100% sure?",
]

# GFM turns these into links in the text after escapes are resolved (Streamlit's renderer
# runs mdast-util-gfm-autolink-literal on text nodes); CommonMark does not know them.
GFM_AUTOLINK = re.compile(r"(?i)(?:https?://|www\.)[-.\w]|[-.\w+]@[-\w]+\.[-\w]", re.ASCII)
WORD_JOINER = "\u2060"


def md() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def tokens(text: str) -> list:
    found = []
    for token in md().parse(text):
        found.append(token)
        found.extend(token.children or [])
    return found


def plain(text: str) -> str:
    """What a reader sees: the text of every inline token (breaks as newlines)."""
    out = []
    for token in tokens(text):
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak", "paragraph_close"):
            out.append("\n")
    return "".join(out)


def markup_in(text: str) -> list[str]:
    """Every token that is more than a paragraph of text with line breaks."""
    plain_kinds = {"paragraph_open", "paragraph_close", "inline", "text", "softbreak", "hardbreak"}
    return [t.type for t in tokens(text) if t.type not in plain_kinds]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_renders_as_its_own_characters_and_nothing_else(hostile):
    shown = inert_text(hostile)
    assert markup_in(shown) == []
    assert not GFM_AUTOLINK.search(plain(shown))
    # Every character as typed (the invisible word joiners aside).
    seen = plain(shown).replace(WORD_JOINER, "").replace("\u00a0", " ")
    assert seen.split() == hostile.split()


def test_everyday_names_go_over_the_wire_as_typed():
    for name in ("Jean-Luc O'Brien", "St. Ives", "ada.lovelace", "crafter-1ed86946", "Zoë"):
        assert inert_text(name) == name


def test_an_indented_line_is_no_code_block_so_it_shows_no_backslash():
    # In an (indented) code block escapes are not read: "\(" would show as typed.
    shown = inert_text("Traceback:\n\n    raise Exception(s)")
    assert markup_in(shown) == []
    assert "raise Exception(s)" in plain(shown)


def test_each_line_of_a_message_stays_on_its_own_line():
    shown = inert_text("first line\nsecond line\r\nthird")
    assert [t.type for t in tokens(shown) if t.type.endswith("break")] == ["hardbreak"] * 2


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_no_text_at_all_becomes_markup(text):
    shown = inert_text(text)
    assert markup_in(shown) == []
    assert not GFM_AUTOLINK.search(plain(shown))


@pytest.mark.parametrize(
    "code",
    [
        "print('hi')",
        "```\n![c](http://evil.example/code.png)\n```",
        "s = '````'\n````\n![c](http://evil.example/c.png)\n````",
        "x = `a` + ``b``",
        "~~~\n<img src=x>\n~~~",
    ],
)
def test_code_is_one_fenced_block_that_none_of_its_lines_can_close(code):
    block = inert_code(code, "python")
    parsed = md().parse(block)
    assert [t.type for t in parsed] == ["fence"]
    assert parsed[0].content == code + "\n" and parsed[0].info == "python"


@given(st.text(alphabet="`~\n ![]()ab", max_size=80))
@settings(max_examples=300, deadline=None)
def test_any_code_round_trips_through_its_fence(code):
    parsed = md().parse(inert_code(code))
    assert [t.type for t in parsed] == ["fence"]
    assert parsed[0].content == code.replace("\r\n", "\n").replace("\r", "\n") + "\n"
