"""The commented template bank, cut to the questions a raw websocket client can answer."""

from __future__ import annotations

from pathlib import Path

import yaml

EXAMPLE = Path(__file__).resolve().parents[2] / "quizzes" / "_example.yaml"


def write_widget_answered_template(path: Path) -> Path:
    """The template's questions whose answers are widgets (radio, checkbox, a number): not
    its code question, which runs in the sandbox, nor its family, whose numbers are drawn
    per attempt. Its test recipe still fits (2 easy, 1 medium, 1 hard)."""
    template = yaml.safe_load(EXAMPLE.read_text())
    template["questions"] = [
        q
        for q in template["questions"]
        if q.get("type") != "code" and "generator" not in q and "formula" not in q
    ]
    # Composition rules may name the questions left out: keep only what still applies.
    kept = {q["id"] for q in template["questions"]}
    recipe = template.get("test", {})
    recipe["groups"] = [g for g in recipe.get("groups", []) if len(set(g) & kept) >= 2]
    recipe["groups"] = [[i for i in g if i in kept] for g in recipe["groups"]]
    if not recipe["groups"]:
        recipe.pop("groups")
    path.write_text(yaml.safe_dump(template, sort_keys=False, allow_unicode=True))
    return path
