"""JSON Schema for bank files, so editors (VS Code + YAML extension) autocomplete them."""

from __future__ import annotations

import json
from typing import Any

from engine.quiz.models import QUESTION_MODELS, QuestionBank

SCHEMA_ID = "https://tunelab.example/schema/bank.json"


def bank_schema() -> dict[str, Any]:
    schema = QuestionBank.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "TuneLab question bank"
    # The models accept two shorthands in a before-validator; the generated schema does
    # not know them, so editors would flag valid banks. Teach it both.
    for model in QUESTION_MODELS.values():
        question = schema["$defs"][model.__name__]["properties"]
        question["hint"] = {"type": "string", "description": "Shorthand for hints: [one hint]."}
        question["choices"] = {
            "description": question["choices"]["description"],
            "anyOf": [
                {"type": "array", "items": {"$ref": "#/$defs/Choice"}},
                {"type": "object", "additionalProperties": {"type": "string"}},
            ],
        }
    return schema


def bank_schema_text() -> str:
    return json.dumps(bank_schema(), indent=2, sort_keys=True) + "\n"
