"""Small builders for banks and questions, so each test states only what it is about."""

from __future__ import annotations

from typing import Any

import yaml

from engine.quiz.models import QuestionBank


def question(qid: str = "q1", **overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": qid,
        "difficulty": "easy",
        "topic": "metrics",
        "type": "single_choice",
        "prompt": "Which is right?",
        "choices": [
            {"id": "a", "text": "Right", "feedback": "Yes."},
            {"id": "b", "text": "Wrong", "feedback": "No."},
            {"id": "c", "text": "Also wrong"},
        ],
        "answer": "a",
        "solution": {"steps": ["Think."], "final_answer": "Right"},
        "quick_check": "Check it.",
        "hints": ["A hint."],
        "common_mistakes": ["Picking b."],
    }
    base.update(overrides)
    return base


def bank_dict(questions: list[dict[str, Any]] | None = None, **overrides: Any) -> dict[str, Any]:
    qs = questions if questions is not None else standard_questions()
    # By default the test draws one question of each difficulty the bank has.
    present = {q.get("difficulty") for q in qs if isinstance(q, dict)}
    recipe = {d: int(d in present) for d in ("easy", "medium", "hard")}
    base: dict[str, Any] = {
        "id": "demo",
        "title": "Demo bank",
        "pattern": "Demo pattern",
        "version": "1",
        "test": recipe,
        "questions": qs,
    }
    base.update(overrides)
    return base


def standard_questions() -> list[dict[str, Any]]:
    """One question per difficulty and per type: easy choice, medium multi, hard numeric."""
    return [
        question("e1", difficulty="easy", topic="basics"),
        question(
            "m1",
            difficulty="medium",
            type="multiple_select",
            answer=["a", "c"],
            scoring="partial",
            choices=[
                {"id": "a", "text": "A", "feedback": "fa"},
                {"id": "b", "text": "B", "feedback": "fb"},
                {"id": "c", "text": "C", "feedback": "fc"},
                {"id": "d", "text": "D"},
            ],
        ),
        question(
            "h1", difficulty="hard", type="numeric", choices=[], answer=0.871, tolerance=0.001
        ),
        question("h2", difficulty="hard", type="true_false", choices=[], answer=True),
    ]


def bank_yaml(**overrides: Any) -> str:
    return yaml.safe_dump(bank_dict(**overrides), sort_keys=False)


def bank(**overrides: Any) -> QuestionBank:
    return QuestionBank.model_validate(bank_dict(**overrides))
