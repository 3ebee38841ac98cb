"""The code editor component (``code_editor``) served from a copy of its bundle with the
Google Fonts ``@import`` removed: its themes would make every learner's browser request
fonts.googleapis.com. The editor falls back to the browser's monospace font."""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path

import code_editor  # ships no types: see pyproject.toml mypy overrides
import streamlit.components.v1 as components

OUTSIDE_FONT = (
    b"@import url('https://fonts.googleapis.com/css2?family=Source+Code+Pro:ital,wght@0,400;"
    b"0,500;0,600;0,700;1,400&display=swap');"
)


def strip_outside_font(build: Path) -> int:
    """Remove the font import from every script under ``build``; how many files changed."""
    changed = 0
    for script in build.rglob("*.js"):
        data = script.read_bytes()
        if OUTSIDE_FONT in data:
            script.write_bytes(data.replace(OUTSIDE_FONT, b""))
            changed += 1
    return changed


@functools.cache
def use_local_bundle() -> Path:
    """Copy the installed bundle once per server, strip the import, and point the
    component at the copy (Streamlit serves a component's files from its own folder only,
    so a copy, not links)."""
    installed = Path(code_editor.__file__).resolve().parent / "frontend" / "build"
    copy = Path(tempfile.mkdtemp(prefix="tunelab-code-editor-")) / "build"
    shutil.copytree(installed, copy, ignore=shutil.ignore_patterns("*.map"))
    strip_outside_font(copy)
    code_editor._component_func = components.declare_component("code_editor", path=str(copy))
    return copy
