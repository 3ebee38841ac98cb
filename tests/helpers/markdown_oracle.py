"""Every string an AppTest page hands Streamlit's Markdown renderer, and what in it would
make a browser fetch or follow another host: images, links, raw HTML, GFM autolinks.

Markdown reaches the browser in an element's ``body`` (st.markdown, captions, alerts),
``label`` (widgets, expanders) and ``help``; st.code, st.text, dataframes and st.html are
not Markdown and are left out (st.html carries this server's own script, never learner
text). The parser is markdown-it-py in CommonMark mode; GFM's autolinks (``http://...``,
``www.``, addresses with "@"), which CommonMark does not know, are looked for the way
Streamlit's renderer finds them: in the text of the parsed document, escapes resolved, code
left out (mdast-util-gfm-autolink-literal runs on text nodes).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from google.protobuf.json_format import MessageToDict
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

MARKDOWN_FIELDS = {"body", "label", "help"}
NOT_MARKDOWN = {"code", "text", "html", "arrow_data_frame", "dataframe", "json", "exception"}
# mdast-util-gfm-autolink-literal's patterns (JavaScript's \w is ASCII only).
GFM_AUTOLINK = re.compile(r"(?i)(?:https?://|www\.)[-.\w]|[-.\w+]@[-\w]+\.[-\w]", re.ASCII)


def markdown_strings(at: AppTest) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(node, "type", None) not in NOT_MARKDOWN:
            found.extend(_fields(MessageToDict(proto)))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def _fields(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in MARKDOWN_FIELDS and isinstance(value, str):
                yield value
            else:
                yield from _fields(value)
    elif isinstance(data, list):
        for item in data:
            yield from _fields(item)


def _tokens(text: str) -> list[Any]:
    tokens = []
    for token in MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text):
        tokens.append(token)
        tokens.extend(token.children or [])
    return tokens


def prose(text: str) -> str:
    """The text a reader sees outside code, escapes resolved, one line per paragraph."""
    return "\n".join(t.content for t in _tokens(text) if t.type == "text")


def live_markup(text: str) -> list[str]:
    """What in ``text`` a browser would render as an image, a link or HTML."""
    found = [
        f"{token.type} {token.attrs.get('src') or token.attrs.get('href') or token.content!r}"
        for token in _tokens(text)
        if token.type in ("image", "link_open", "html_inline", "html_block")
    ]
    found += [f"autolink {m.group(0)!r}" for m in GFM_AUTOLINK.finditer(prose(text))]
    return found


def hostile_markup_on(at: AppTest) -> list[str]:
    """Every piece of live markup on the page, with the string it came from."""
    return [
        f"{problem} in {text[:120]!r}"
        for text in markdown_strings(at)
        for problem in live_markup(text)
    ]
