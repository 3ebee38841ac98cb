"""Answers written through the Store API, as a test page would have recorded them.

Progress and review tests seed a learner's history the same way: one test attempt at the demo
bank, one scored answer per question. Only the scores (and what was picked) differ.
"""

from __future__ import annotations

from engine.store import Store
from engine.store.models import Answer


def record_scored_answer(
    db: Store, attempt_id: int, question_id: str, score: float, *, response: list[str]
) -> Answer:
    """One unhinted answer out of 1 point, correct only at full marks."""
    return db.record_answer(
        attempt_id,
        question_id=question_id,
        question_fingerprint="fp",
        response=response,
        score=score,
        max_score=1.0,
        correct=score == 1.0,
        used_hint=False,
        seconds=1.0,
    )


def take_test(
    db: Store,
    name: str,
    scores: dict[str, float],
    *,
    response: list[str] | None = None,
    finish: bool = True,
) -> int:
    """`name` answers a test at the demo bank with these scores; returns the learner's id."""
    learner = db.learner(name)
    attempt = db.start_attempt(
        learner.id, bank_id="demo", bank_version="1", mode="test", seed=1, plan={}
    )
    for question_id, score in scores.items():
        record_scored_answer(db, attempt.id, question_id, score, response=response or ["a"])
    if finish:
        db.finish_attempt(attempt.id)
    return learner.id
