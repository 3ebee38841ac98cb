"""Row-to-record conversion and the per-transaction helpers the Store composes."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update
from sqlalchemy.exc import DBAPIError

from engine import review
from engine.store import schema as t
from engine.store.models import Answer, Attempt, AttemptMode, ReviewCard


def schedule_card(
    conn: Connection,
    learner_id: int,
    bank_id: str,
    question_id: str,
    result: review.ReviewResult,
    now: datetime,
) -> None:
    row = conn.execute(card_query(learner_id, bank_id, question_id)).first()
    current = None if row is None else review.Schedule(box=row.box, due_at=row.due_at)
    following = review.next_schedule(current, result, now=now)
    if following is None:
        return
    values = dict(box=following.box, due_at=following.due_at, last_result=result.value)
    if row is None:
        conn.execute(
            insert(t.review_cards).values(
                learner_id=learner_id,
                bank_id=bank_id,
                question_id=question_id,
                updated_at=now,
                **values,
            )
        )
    else:
        conn.execute(
            update(t.review_cards)
            .where(
                t.review_cards.c.learner_id == learner_id,
                t.review_cards.c.bank_id == bank_id,
                t.review_cards.c.question_id == question_id,
            )
            .values(updated_at=now, **values)
        )


def card_query(learner_id: int, bank_id: str, question_id: str) -> Any:
    return select(t.review_cards).where(
        t.review_cards.c.learner_id == learner_id,
        t.review_cards.c.bank_id == bank_id,
        t.review_cards.c.question_id == question_id,
    )


def check_numbers(*, score: float, max_score: float, seconds: float) -> None:
    if not (math.isfinite(max_score) and max_score > 0):
        raise ValueError(f"max_score must be a positive number, got {max_score!r}.")
    if not (math.isfinite(score) and 0 <= score <= max_score):
        raise ValueError(f"score must be between 0 and max_score {max_score}, got {score!r}.")
    if not (math.isfinite(seconds) and seconds >= 0):
        raise ValueError(f"seconds must be a non-negative number, got {seconds!r}.")


def clean_response(response: Any) -> list[str] | float | int:
    if isinstance(response, bool):
        raise ValueError("response must be a list of choice ids or a number, got a bool.")
    if isinstance(response, int | float):
        if not math.isfinite(response):
            raise ValueError(f"A numeric response must be finite, got {response!r}.")
        return response
    if isinstance(response, list | tuple) and all(isinstance(item, str) for item in response):
        return list(response)
    raise ValueError(f"response must be a list of choice ids (str) or a number, got {response!r}.")


def explain_database_error(exc: BaseException) -> str:
    """The database's own words plus what to do about them, for any failed open or write."""
    orig = getattr(exc, "orig", None) or exc
    reason = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    lowered = reason.lower()
    if "disk is full" in lowered or "no space left" in lowered or "disk full" in lowered:
        fix = "the disk holding it is full: free some space or move the data folder, then retry"
    elif "readonly" in lowered or "read-only" in lowered:
        fix = "the file or its folder is read-only: make it writable or point the store elsewhere"
    elif "unable to open database file" in lowered:
        fix = "the file cannot be created or opened: check that its folder exists and is writable"
    elif "locked" in lowered or "busy" in lowered:
        fix = "another program holds a lock on it: close that program or wait, then retry"
    elif "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        fix = (
            "the file is not a readable SQLite database (corrupt or another format): move it "
            "aside to start afresh, or restore it from a backup"
        )
    elif "disk i/o error" in lowered:
        fix = "the operating system refused to write it: check the disk and the data folder"
    else:
        fix = "check the server is running and the URL, user and password are right"
    return f"{reason} ({fix})"


def explain_open_failure(where: str, exc: DBAPIError, folder_trouble: str | None = None) -> str:
    if folder_trouble:
        reason = str(exc.orig).strip() or type(exc.orig).__name__
        return (
            f"Cannot open the TuneLab database at {where}: {reason} ({folder_trouble}: make "
            "room or make it writable, or point the store elsewhere)."
        )
    return f"Cannot open the TuneLab database at {where}: {explain_database_error(exc)}."


def attempt_from_row(row: Row[Any]) -> Attempt:
    return Attempt(
        id=row.id,
        learner_id=row.learner_id,
        bank_id=row.bank_id,
        bank_version=row.bank_version,
        mode=AttemptMode(row.mode),
        seed=row.seed,
        plan=row.plan,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def answer_from_row(row: Row[Any]) -> Answer:
    return Answer(
        id=row.id,
        attempt_id=row.attempt_id,
        question_id=row.question_id,
        question_fingerprint=row.question_fingerprint,
        response=row.response,
        score=row.score,
        max_score=row.max_score,
        correct=row.correct,
        used_hint=row.used_hint,
        seconds=row.seconds,
        answered_at=row.answered_at,
    )


def card_from_row(row: Row[Any]) -> ReviewCard:
    return ReviewCard(
        learner_id=row.learner_id,
        bank_id=row.bank_id,
        question_id=row.question_id,
        box=row.box,
        due_at=row.due_at,
        last_result=row.last_result,
        updated_at=row.updated_at,
    )
