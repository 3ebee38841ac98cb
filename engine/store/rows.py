"""Row-to-record conversion and the per-transaction helpers the Store composes."""

from __future__ import annotations

import math
from dataclasses import fields
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Row, insert, select, update

from engine.modes import AttemptMode
from engine.store import schema as t
from engine.store.models import (
    Answer,
    Attempt,
    CardMove,
    CardState,
    RecordedResponse,
    ReviewCard,
)

# Any of the store's frozen dataclass records.
RecordT = TypeVar("RecordT", Answer, Attempt, ReviewCard)


def schedule_card(
    conn: Connection,
    learner_id: int,
    bank_id: str,
    question_id: str,
    card: CardMove,
    now: datetime,
) -> None:
    row = conn.execute(card_query(learner_id, bank_id, question_id)).first()
    current = None if row is None else CardState(box=row.box, due_at=row.due_at)
    following = card.move(current, now)
    if following is None:
        return
    values = dict(box=following.box, due_at=following.due_at, last_result=card.result)
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


def clean_response(response: Any) -> RecordedResponse:
    if isinstance(response, bool):
        raise ValueError("response must be a list of choice ids or a number, got a bool.")
    if isinstance(response, int | float):
        if not math.isfinite(response):
            raise ValueError(f"A numeric response must be finite, got {response!r}.")
        return response
    if isinstance(response, list | tuple) and all(isinstance(item, str) for item in response):
        return list(response)
    if (
        isinstance(response, dict)
        and set(response) == {"code", "result"}
        and isinstance(response["code"], str)
        and isinstance(response["result"], dict | None)
    ):
        return dict(response)
    raise ValueError(
        "response must be a list of choice ids (str), a number or {code, result}, "
        f"got {response!r}."
    )


def record_from_row(record: type[RecordT], row: Row[Any], **converted: Any) -> RecordT:
    """The record whose fields are the row's columns of the same names (``converted`` wins)."""
    columns = row._mapping
    values = {f.name: columns[f.name] for f in fields(record) if f.name not in converted}
    return record(**values, **converted)


def attempt_from_row(row: Row[Any]) -> Attempt:
    return record_from_row(Attempt, row, mode=AttemptMode(row.mode))


def answer_from_row(row: Row[Any]) -> Answer:
    return record_from_row(Answer, row)


def card_from_row(row: Row[Any]) -> ReviewCard:
    return record_from_row(ReviewCard, row)
