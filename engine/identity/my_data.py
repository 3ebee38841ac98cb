"""Everything TuneLab records about one learner, as plain data for a download."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from engine.store import Learner, Store

KEEP_COUNTS_ENV = "TUNELAB_KEEP_ANONYMOUS_COUNTS"
KEEP_COUNTS_KEY = "keep_anonymous_counts"  # in .streamlit/secrets.toml
_YES = ("1", "true", "yes", "on")


def keeps_anonymous_counts(
    secrets: Mapping[str, object] | None, env: Mapping[str, str] = os.environ
) -> bool:
    """The instructor's policy for a deleted account's test answers: kept without a name for
    item statistics (true), or deleted with everything else (the default: the learner asked
    for their data to go, so only an explicit policy keeps even anonymous counts)."""
    for value in ((secrets or {}).get(KEEP_COUNTS_KEY), env.get(KEEP_COUNTS_ENV)):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip():
            return value.strip().casefold() in _YES
    return False


def delete_account(db: Store, learner: Learner, *, keep_anonymous_counts: bool) -> None:
    db.accounts().delete_learner(learner.id, keep_anonymous_counts=keep_anonymous_counts)


def learner_record(db: Store, learner: Learner) -> dict[str, Any]:
    """The learner, each attempt with its answers, and review cards of the banks they used.
    Never the PIN hash: it is not the learner's data but the server's check of it."""
    attempts = db.attempts(learner.id)
    banks = sorted({attempt.bank_id for attempt in attempts})
    return {
        "learner": {"name": learner.name, "created_at": learner.created_at.isoformat()},
        "attempts": [
            {
                **_plain(asdict(attempt)),
                "answers": [_plain(asdict(answer)) for answer in db.answers(attempt.id)],
            }
            for attempt in attempts
        ],
        "review_cards": [
            _plain(asdict(card)) for bank in banks for card in db.review_cards(learner.id, bank)
        ],
    }


def record_json(record: dict[str, Any]) -> str:
    return json.dumps(record, indent=2, ensure_ascii=False)


def answers_csv(record: dict[str, Any]) -> str:
    """One row per answer; cells that a spreadsheet would run as a formula are defused."""
    out = io.StringIO()
    fields = ["bank_id", "mode", "attempt_id", "question_id", "response", "score", "max_score"]
    fields += ["correct", "used_hint", "seconds", "answered_at"]
    writer = csv.DictWriter(out, fields)
    writer.writeheader()
    for attempt in record["attempts"]:
        for answer in attempt["answers"]:
            row = {**answer, "bank_id": attempt["bank_id"], "mode": attempt["mode"]}
            row["response"] = json.dumps(row["response"])
            writer.writerow({key: _defused(row[key]) for key in fields})
    return out.getvalue()


def _defused(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in values.items()}
