"""Answers written through the Store API, as a quiz page would have recorded them.

Store, progress, review, gradebook and export tests seed a learner's history the same way:
an attempt at a bank, then scored answers. Each test passes only what it is about; the rest
(out of one point, no hint, one second) is the same everywhere.
"""

from __future__ import annotations

from engine.learners import leitner
from engine.store import Store
from engine.store.models import Answer, Attempt, RecordedResponse


def start_attempt(
    db: Store,
    name: str,
    *,
    mode: str = "test",
    bank_id: str = "demo",
    bank_version: str = "1",
    seed: int = 1,
) -> Attempt:
    """A new attempt (with no plan) by the learner called `name`, created on first use."""
    learner = db.learner(name)
    return db.start_attempt(
        learner.id, bank_id=bank_id, bank_version=bank_version, mode=mode, seed=seed, plan={}
    )


def record_scored_answer(
    db: Store,
    attempt_id: int,
    question_id: str,
    score: float,
    *,
    response: RecordedResponse,
    fingerprint: str = "fp",
    used_hint: bool = False,
    seconds: float = 1.0,
    variant_seed: int | None = None,
) -> Answer:
    """One answer out of 1 point, correct only at full marks."""
    return db.record_answer(
        attempt_id,
        question_id=question_id,
        question_fingerprint=fingerprint,
        response=response,
        score=score,
        max_score=1.0,
        correct=score == 1.0,
        used_hint=used_hint,
        seconds=seconds,
        card=leitner.card_move(correct=score == 1.0, used_hint=used_hint),
        variant_seed=variant_seed,
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
    attempt = start_attempt(db, name)
    for question_id, score in scores.items():
        record_scored_answer(db, attempt.id, question_id, score, response=response or ["a"])
    if finish:
        db.finish_attempt(attempt.id)
    return attempt.learner_id
