"""The Leitner rule in engine.learners.leitner, as pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from engine.learners.leitner import (
    BOX_INTERVALS,
    TOP_BOX,
    ReviewResult,
    Schedule,
    classify,
    interval_for,
    next_schedule,
    order_queue,
)

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Card:
    question_id: str
    box: int | None
    due_at: datetime | None


@pytest.mark.parametrize(
    ("correct", "used_hint", "result"),
    [
        (False, False, ReviewResult.MISSED),
        (False, True, ReviewResult.MISSED),
        (True, True, ReviewResult.HINTED),
        (True, False, ReviewResult.CORRECT),
    ],
)
def test_answers_are_classified_as_missed_hinted_or_correct(correct, used_hint, result):
    assert classify(correct=correct, used_hint=used_hint) is result


def test_box_intervals_are_zero_one_three_seven_and_sixteen_days():
    assert [interval_for(box) for box in range(1, TOP_BOX + 1)] == [
        0 * DAY,
        1 * DAY,
        3 * DAY,
        7 * DAY,
        16 * DAY,
    ]
    assert BOX_INTERVALS[0] == timedelta(0)


def test_an_impossible_box_is_named():
    with pytest.raises(ValueError, match=r"^Leitner box must be 1 to 5, got 6\.$"):
        interval_for(6)


@pytest.mark.parametrize("result", [ReviewResult.MISSED, ReviewResult.HINTED])
def test_a_miss_or_a_hinted_answer_enters_box_one_due_now(result):
    assert next_schedule(None, result, now=NOW) == Schedule(box=1, due_at=NOW)


@pytest.mark.parametrize("result", [ReviewResult.MISSED, ReviewResult.HINTED])
def test_a_miss_or_a_hinted_answer_sends_any_card_back_to_box_one(result):
    card = Schedule(box=4, due_at=NOW - DAY)
    assert next_schedule(card, result, now=NOW) == Schedule(box=1, due_at=NOW)


def test_a_correct_first_answer_creates_no_card():
    assert next_schedule(None, ReviewResult.CORRECT, now=NOW) is None


def test_correct_answers_when_due_climb_the_boxes_then_leave_the_queue():
    card = next_schedule(None, ReviewResult.MISSED, now=NOW)
    now = NOW
    seen = []
    while card is not None and card.in_queue:
        now = card.due_at  # answer exactly when due
        card = next_schedule(card, ReviewResult.CORRECT, now=now)
        seen.append((card.box, None if card.due_at is None else card.due_at - now))
    assert seen == [(2, DAY), (3, 3 * DAY), (4, 7 * DAY), (5, 16 * DAY), (None, None)]


def test_a_correct_answer_before_the_card_is_due_changes_nothing():
    card = Schedule(box=3, due_at=NOW + DAY)
    assert next_schedule(card, ReviewResult.CORRECT, now=NOW) is card


def test_a_learned_card_stays_learned_when_answered_correctly_and_returns_when_missed():
    learned = Schedule(box=None, due_at=None)
    assert next_schedule(learned, ReviewResult.CORRECT, now=NOW) is learned
    assert next_schedule(learned, ReviewResult.MISSED, now=NOW) == Schedule(box=1, due_at=NOW)


def test_the_queue_shows_due_cards_most_overdue_first():
    cards = [
        Card("due-today", 1, NOW),
        Card("learned", None, None),
        Card("overdue-3-days", 2, NOW - 3 * DAY),
        Card("tomorrow", 2, NOW + DAY),
        Card("overdue-1-day-box-3", 3, NOW - DAY),
        Card("overdue-1-day-box-2", 2, NOW - DAY),
    ]
    assert [c.question_id for c in order_queue(cards, now=NOW)] == [
        "overdue-3-days",
        "overdue-1-day-box-2",
        "overdue-1-day-box-3",
        "due-today",
    ]
    everything = [c.question_id for c in order_queue(cards, now=NOW, due_only=False)]
    assert everything[-1] == "tomorrow"
    assert "learned" not in everything
