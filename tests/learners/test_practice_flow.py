"""Practice and review sessions: their typed state, and the attempts they record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from builders import bank, question
from helpers.store_backends import FakeClock

from engine.learners.practice import practice_attempt_id, start_practice
from engine.learners.recording import record_answer
from engine.learners.review import (
    ReviewSession,
    close_review,
    coming_up,
    due_cards,
    review_attempt,
    review_question,
)
from engine.modes import AttemptMode
from engine.quiz.grading import Response, grade
from engine.quiz.plan import AttemptPlan
from engine.store import Store

QUESTIONS = [question("e1"), question("e2", answer="b"), question("m1", difficulty="medium")]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db(tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    """Overrides conftest's ``db``: review schedules need a clock the test moves."""
    with Store.open(f"sqlite:///{tmp_path / 'tunelab.db'}", clock=clock) as store:
        yield store


def demo(version: str = "1", questions: list | None = None):
    return bank(questions=questions or QUESTIONS, version=version)


def answered(bank_, qid: str, choice: str):
    q = bank_.question(qid)
    response = Response.choices([choice])
    return q, response, grade(q, response)


def test_practice_walks_the_whole_bank_from_its_first_question():
    session = start_practice(demo(), seed=5)
    assert session.plan.mode is AttemptMode.PRACTICE
    assert session.plan.question_ids == ("e1", "e2", "m1")
    assert (session.current, session.is_last, session.attempt_id) == ("e1", False, None)
    session.index = 2
    assert (session.current, session.is_last) == ("m1", True)


def test_a_right_answer_counts_for_good_and_a_retry_gives_fresh_inputs():
    b = demo()
    session = start_practice(b, seed=5)
    *_, wrong = answered(b, "e1", "b")
    session.accept("e1", wrong)
    assert session.grade_of("e1") is wrong and session.done == set()
    session.retry("e1")
    assert session.grade_of("e1") is None and session.tries == {"e1": 1}
    *_, right = answered(b, "e1", "a")
    session.accept("e1", right)
    session.retry("e1")
    assert session.done == {"e1"} and session.tries == {"e1": 2}


def test_hints_are_revealed_one_at_a_time_per_question():
    session = start_practice(demo(), seed=5)
    session.reveal_hint("e1")
    session.reveal_hint("e1")
    session.reveal_hint("e2")
    assert session.hints == {"e1": 2, "e2": 1}


def test_a_practice_attempt_is_recorded_once_on_first_need(db):
    b, ada = demo(), db.learner("Ada")
    session = start_practice(b, seed=5)
    assert db.attempts(ada.id) == []
    first = practice_attempt_id(db, ada.id, b, session)
    assert practice_attempt_id(db, ada.id, b, session) == first == session.attempt_id
    [record] = db.attempts(ada.id)
    assert (record.mode, record.plan) == (AttemptMode.PRACTICE, session.plan.to_json())


def test_a_review_session_asks_the_most_overdue_card_until_it_is_answered(db, clock):
    b, ada = demo(), db.learner("Ada")
    practice = practice_attempt_id(db, ada.id, b, start_practice(b, seed=1))
    for qid in ("e2", "e1"):
        q, response, graded = answered(b, qid, "c")
        record_answer(db, practice, q, response, graded, used_hint=False, seconds=1.0)
        clock.advance(minutes=1)
    due = due_cards(db.review_cards(ada.id, b.id), b, clock.now)
    assert [c.question_id for c in due] == ["e2", "e1"]
    state = ReviewSession()
    assert state.ask(due) == "e2"
    state.graded = answered(b, "e2", "b")[2]
    assert state.ask(due[1:]) == "e2"  # answered: it stays until "Next question"
    state.hints = 1
    state.next_question()
    assert (state.question_id, state.graded, state.hints, state.round) == (None, None, 0, 1)
    assert state.ask(due[1:]) == "e1"
    assert state.ask([]) is None


def test_due_cards_skip_questions_the_bank_no_longer_has(db, clock):
    b, ada = demo(), db.learner("Ada")
    attempt = review_attempt(db, ada.id, b, "e1", seed=1)
    for qid in ("e1", "e2"):
        q, response, graded = answered(b, qid, "c")
        record_answer(db, attempt.id, q, response, graded, used_hint=False, seconds=1.0)
    cards = db.review_cards(ada.id, b.id)
    fewer = demo(questions=[q for q in QUESTIONS if q["id"] != "e1"])
    assert [c.question_id for c in due_cards(cards, fewer, clock.now)] == ["e2"]
    assert due_cards(cards, b, clock.now - timedelta(days=1)) == []


def test_one_review_attempt_serves_every_due_question_of_its_bank_version(db):
    b, ada = demo(), db.learner("Ada")
    first = review_attempt(db, ada.id, b, "e1", seed=1)
    assert first.mode is AttemptMode.REVIEW
    assert review_attempt(db, ada.id, b, "m1", seed=2) == first
    newer = review_attempt(db, ada.id, demo("2"), "e1", seed=3)
    assert newer.id != first.id and newer.bank_version == "2"
    assert db.get_attempt(first.id).finished  # the stale one is closed, not left open


def test_closing_review_finishes_only_an_attempt_that_recorded_answers(db):
    b, ada = demo(), db.learner("Ada")
    attempt = review_attempt(db, ada.id, b, "e1", seed=1)
    close_review(db, ada.id, b)
    assert not db.get_attempt(attempt.id).finished
    q, response, graded = answered(b, "e1", "a")
    record_answer(db, attempt.id, q, response, graded, used_hint=False, seconds=1.0)
    close_review(db, ada.id, b)
    assert db.get_attempt(attempt.id).finished
    close_review(db, ada.id, b)  # nothing open: nothing to do


def test_coming_up_lists_queued_cards_not_yet_due_soonest_first(db, clock):
    b, ada = demo(), db.learner("Ada")
    attempt = review_attempt(db, ada.id, b, "e1", seed=1)
    for qid in ("e1", "e2", "m1"):
        q, response, graded = answered(b, qid, "c")  # a miss: box 1, due at once
        record_answer(db, attempt.id, q, response, graded, used_hint=False, seconds=1.0)
        clock.advance(hours=1)
    for qid in ("m1", "e1"):  # right while due: box 2, due a day after the answer
        q, response, graded = answered(b, qid, "a")
        record_answer(db, attempt.id, q, response, graded, used_hint=False, seconds=1.0)
        clock.advance(hours=1)
    cards = db.review_cards(ada.id, b.id)
    assert [c.question_id for c in coming_up(cards, clock.now)] == ["m1", "e1"]
    assert coming_up(cards, clock.now + timedelta(days=2)) == []


def test_a_review_question_is_numbered_as_the_first_of_those_due(db):
    b, ada = demo(), db.learner("Ada")
    attempt = review_attempt(db, ada.id, b, "m1", seed=1)
    shown = review_question(b, AttemptPlan.from_json(attempt.plan), "m1", due_count=4)
    assert (shown.id, shown.number, shown.total) == ("m1", 1, 4)
    assert shown.hints == ("A hint.",)  # review plans are practice-style: hints show
    assert review_question(b, AttemptPlan.from_json(attempt.plan), "m1", due_count=0).total == 1
