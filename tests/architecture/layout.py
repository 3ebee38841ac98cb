"""The README's Layout table, drawn from architecture.toml.

Run `python tests/architecture/layout.py` after editing the map: it rewrites the table in
README.md, and tests/architecture keeps the two in step.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BEGIN, END = "<!-- layout:begin -->", "<!-- layout:end -->"


def render() -> str:
    parts = tomllib.loads((ROOT / "architecture.toml").read_text())
    rows = [
        f"| {name} | `{', '.join(spec['paths'])}` | {spec['what']} | "
        f"{', '.join(spec['uses']) or '—'} |"
        for name, spec in parts["parts"].items()
    ]
    nevers = [
        f"- never {rule['from'].lstrip('*')} → {', '.join(rule['to'])}: {rule['why']}"
        for rule in parts["never"]
    ]
    table = ["| part | paths | what | may import |", "|---|---|---|---|", *rows]
    return "\n".join([BEGIN, *table, "", *nevers, END])


def rewrite(readme: Path = ROOT / "README.md") -> None:
    text = readme.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    readme.write_text(text[:start] + render() + text[end:])


if __name__ == "__main__":
    rewrite()
