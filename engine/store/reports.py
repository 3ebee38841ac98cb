"""Reporting beside the store: answers as a DataFrame (item statistics) and as CSV (export)."""

from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import select

from engine.modes import AttemptMode
from engine.store import schema as t
from engine.store.accounts import ANONYMOUS_KEY
from engine.store.store import Store

RESPONSE_COLUMNS: tuple[str, ...] = (
    "answer_id",
    "attempt_id",
    "learner_id",
    "bank_id",
    "bank_version",
    "mode",
    "attempt_finished",
    "question_id",
    "question_fingerprint",
    "response",
    "score",
    "max_score",
    "correct",
    "used_hint",
    "seconds",
    "answered_at",
    "variant_seed",
)
# Spreadsheets run a cell starting with these as a formula ("CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def responses_frame(
    db: Store,
    bank_id: str,
    bank_version: str | None = None,
    mode: AttemptMode | None = AttemptMode.TEST,
    *,
    finished_only: bool = False,
    include_names: bool = False,
) -> pd.DataFrame:
    """One row per answer at this bank, oldest first, for statistics and export.

    ``bank_version`` and ``mode`` None mean every version and every mode; names appear
    (as ``learner_name``) only with ``include_names``. Raises StoreError if the read fails.
    """
    a, q = t.attempts, t.answers
    columns = [
        q.c.id.label("answer_id"),
        q.c.attempt_id,
        a.c.learner_id,
        a.c.bank_id,
        a.c.bank_version,
        a.c.mode,
        a.c.finished_at.is_not(None).label("attempt_finished"),
        q.c.question_id,
        q.c.question_fingerprint,
        q.c.response,
        q.c.score,
        q.c.max_score,
        q.c.correct,
        q.c.used_hint,
        q.c.seconds,
        q.c.answered_at,
        q.c.variant_seed,
    ]
    joined = q.join(a, q.c.attempt_id == a.c.id)
    if include_names:
        columns.insert(3, t.learners.c.name.label("learner_name"))
        joined = joined.join(t.learners, a.c.learner_id == t.learners.c.id)
    query = select(*columns).select_from(joined).where(a.c.bank_id == bank_id)
    if bank_version is not None:
        query = query.where(a.c.bank_version == bank_version)
    if mode is not None:
        query = query.where(a.c.mode == mode.value)
    if finished_only:
        query = query.where(a.c.finished_at.is_not(None))
    with db.reading() as conn:
        rows = conn.execute(query.order_by(q.c.answered_at, q.c.id)).all()
    names = [str(column.name) for column in columns]
    frame = pd.DataFrame([tuple(row) for row in rows], columns=names)
    # Keep dtypes stable when there are no rows (pages chart empty frames too).
    for name, dtype in (("score", float), ("max_score", float), ("seconds", float)):
        frame[name] = frame[name].astype(dtype)
    for name in ("correct", "used_hint", "attempt_finished"):
        frame[name] = frame[name].astype(bool)
    return frame


def frame_to_csv(frame: pd.DataFrame) -> str:
    """CSV with responses as JSON text and formula-like learner names defused."""
    out = frame.copy()
    out["response"] = [json.dumps(value) for value in out["response"]]
    out["answered_at"] = [value.isoformat() for value in out["answered_at"]]
    if "learner_name" in out:
        out["learner_name"] = [
            "'" + name if name.startswith(_FORMULA_STARTS) else name for name in out["learner_name"]
        ]
    return out.to_csv(index=False, lineterminator="\n")


def seen_learners(db: Store) -> list[tuple[int, str, str]]:
    """(learner id, name, bank id) for every learner with an attempt, the anonymous
    counts of deleted accounts left out: they are nobody's grades."""
    a, lr = t.attempts, t.learners
    query = (
        select(lr.c.id, lr.c.name, a.c.bank_id)
        .select_from(a.join(lr, a.c.learner_id == lr.c.id))
        .where(lr.c.name_key != ANONYMOUS_KEY)
        .distinct()
    )
    with db.reading() as conn:
        found = [(int(row[0]), str(row[1]), str(row[2])) for row in conn.execute(query)]
    # Sorted here, not in SQL: collations differ between SQLite and PostgreSQL.
    return sorted(found, key=lambda row: (row[1].casefold(), row[1], row[2], row[0]))
