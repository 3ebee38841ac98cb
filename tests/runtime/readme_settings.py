"""Rewrite the README's settings table from engine/runtime/settings.py: run after editing it."""

from __future__ import annotations

from pathlib import Path

from engine.runtime.settings import markdown_table

README = Path(__file__).resolve().parents[2] / "README.md"
BEGIN, END = "<!-- settings:begin -->", "<!-- settings:end -->"


def block() -> str:
    return f"{BEGIN}\n{markdown_table()}\n{END}"


if __name__ == "__main__":
    text = README.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    README.write_text(text[:start] + block() + text[end:])
