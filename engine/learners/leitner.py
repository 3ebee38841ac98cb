"""Leitner scheduling for the self-check review queue (pure functions, no database).

The rule, in full:

* Every question a learner has answered may hold a card with a *box* (1 to 5) and a
  *due* time. Box intervals: box 1 → 0 days (due again at once, so a miss comes back in
  the same session), box 2 → 1 day, box 3 → 3 days, box 4 → 7 days, box 5 → 16 days.
* A miss, or a correct answer that needed the hint, puts the question in box 1 (a new
  card, or an existing one sent back), due now. Only unaided recall counts as learning.
* A correct answer without the hint to a card that is *due* moves it up one box and
  schedules it after that box's interval. Answered correctly in box 5 it leaves the queue
  (learned). A correct answer before the card is due changes nothing: spacing is what
  the box measures, and this also makes scheduling the same answer twice harmless.
* A correct first answer to a question without a card creates none: nothing to review.
* The queue lists due cards first, most overdue first (ties: lower box, then question
  id); ``due_only=False`` appends the cards not yet due, soonest first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol, TypeVar

from engine.store.models import CardMove, CardState

BOX_INTERVALS: tuple[timedelta, ...] = (
    timedelta(days=0),
    timedelta(days=1),
    timedelta(days=3),
    timedelta(days=7),
    timedelta(days=16),
)
TOP_BOX = len(BOX_INTERVALS)


class ReviewResult(StrEnum):
    """How an answer counts for review."""

    MISSED = "missed"
    HINTED = "hinted"  # correct, but only with the hint
    CORRECT = "correct"  # correct without the hint


# The card's state is the store's record; this module only decides how it moves.
Schedule = CardState


def classify(*, correct: bool, used_hint: bool) -> ReviewResult:
    """Sort an answer into missed, correct-with-hint or correct-without-hint."""
    if not correct:
        return ReviewResult.MISSED
    return ReviewResult.HINTED if used_hint else ReviewResult.CORRECT


def interval_for(box: int) -> timedelta:
    """The wait after landing in ``box`` (1-based)."""
    if not 1 <= box <= TOP_BOX:
        raise ValueError(f"Leitner box must be 1 to {TOP_BOX}, got {box}.")
    return BOX_INTERVALS[box - 1]


def next_schedule(
    current: Schedule | None, result: ReviewResult, *, now: datetime
) -> Schedule | None:
    """The card after an answer; None means the question has (and needs) no card."""
    if result is not ReviewResult.CORRECT:
        return Schedule(box=1, due_at=now + interval_for(1))
    if current is None or not current.in_queue:
        return current
    assert current.box is not None and current.due_at is not None
    if current.due_at > now:
        return current
    if current.box == TOP_BOX:
        return Schedule(box=None, due_at=None)
    return Schedule(box=current.box + 1, due_at=now + interval_for(current.box + 1))


def card_move(*, correct: bool, used_hint: bool) -> CardMove:
    """How this answer moves its card, for the store to apply in the answer's transaction."""
    result = classify(correct=correct, used_hint=used_hint)
    return CardMove(
        result=result.value, move=lambda current, now: next_schedule(current, result, now=now)
    )


class Scheduled(Protocol):
    @property
    def box(self) -> int | None: ...
    @property
    def due_at(self) -> datetime | None: ...
    @property
    def question_id(self) -> str: ...


CardT = TypeVar("CardT", bound=Scheduled)


def _due_at(card: Scheduled) -> datetime:
    assert card.due_at is not None, "only cards still in the queue are ordered"
    return card.due_at


def order_queue(cards: Iterable[CardT], *, now: datetime, due_only: bool = True) -> list[CardT]:
    """Cards still in the queue: due first and most overdue first, then (optionally) the rest."""
    queued = [card for card in cards if card.box is not None and card.due_at is not None]
    if due_only:
        queued = [card for card in queued if _due_at(card) <= now]
    return sorted(
        queued,
        key=lambda card: (_due_at(card) > now, _due_at(card), card.box, card.question_id),
    )
