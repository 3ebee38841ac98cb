"""Filling `{placeholders}` in bank text with a variant's values, refusing what would mislead.

Syntax (as Python's str.format, minus everything but names):

* ``{name}`` is replaced by the variant's value called ``name``;
* ``{{`` and ``}}`` write a literal ``{`` and ``}``: LaTeX ``$\\frac{{a}}{{b}}$``, code
  ``d = {{"a": 1}}``;
* any other brace is an error, so a typo never reaches a learner as raw text.

A value must not contain Markdown or HTML syntax (``*``, ``_``, ``[``, backticks, ``$``,
``<``...): values are numbers and short labels, and one that formats a page or opens a
formula mid-sentence would show the learner something the instructor never wrote.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MARKDOWN_SYNTAX = frozenset("*_[]`$<>&\\|~")


class TemplateError(ValueError):
    """A placeholder problem; `placeholder` names it so the loader can add file:line."""

    def __init__(self, placeholder: str, message: str) -> None:
        super().__init__(message)
        self.placeholder = placeholder


def placeholders(text: str) -> list[str]:
    """The names `text` refers to, in order; raises TemplateError on a malformed brace."""
    names: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        inner = match.group(1)
        if inner is None:
            raise TemplateError(token, f"a lone {token!r}: write {token * 2!r} for a literal brace")
        if not _NAME.fullmatch(inner):
            raise TemplateError(
                inner,
                f"{{{inner}}} is not a placeholder name; write {{{{{inner}}}}} for literal braces",
            )
        names.append(inner)
    return names


def unsafe_value(name: str, value: str) -> TemplateError | None:
    bad = sorted(set(value) & MARKDOWN_SYNTAX)
    if not bad:
        return None
    return TemplateError(
        name,
        f"{{{name}}}: the value {value!r} contains {' '.join(bad)}, which would change how "
        "the page is formatted",
    )


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with every placeholder replaced; TemplateError names the first bad one."""
    for name in placeholders(text):
        if name not in values:
            known = ", ".join(sorted(values)) or "none"
            raise TemplateError(name, f"{{{name}}} names no variable; this family has: {known}")
        problem = unsafe_value(name, values[name])
        if problem:
            raise problem

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        return values[match.group(1)]

    return _TOKEN.sub(replace, text)
