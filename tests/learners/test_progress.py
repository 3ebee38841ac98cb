"""Progress aggregation: finished tests over time, score by difficulty/topic, weak questions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from builders import bank
from helpers.seeded_answers import record_scored_answer

from engine.learners.progress import (
    NOT_IN_BANK,
    Grouping,
    answers_frame,
    finished_tests,
    learner_history,
    score_by,
    weak_questions,
)
from engine.modes import AttemptMode
from engine.store.models import Answer, Attempt

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def attempt(attempt_id: int, mode: str = "test", finished: bool = True) -> Attempt:
    start = T0 + timedelta(days=attempt_id)
    return Attempt(
        id=attempt_id,
        learner_id=1,
        bank_id="demo",
        bank_version="1",
        mode=AttemptMode(mode),
        seed=attempt_id,
        plan={},
        started_at=start,
        finished_at=start + timedelta(minutes=5) if finished else None,
    )


def answer(attempt_id: int, qid: str, score: float, *, hint: bool = False, n: int = 0) -> Answer:
    return Answer(
        id=attempt_id * 100 + n,
        attempt_id=attempt_id,
        question_id=qid,
        question_fingerprint="fp",
        response=["a"],
        score=score,
        max_score=1.0,
        correct=score == 1.0,
        used_hint=hint,
        seconds=1.0,
        answered_at=T0 + timedelta(days=attempt_id, seconds=n),
    )


HISTORY = [
    (attempt(1), [answer(1, "e1", 1), answer(1, "m1", 0.5, n=1), answer(1, "h1", 0, n=2)]),
    (attempt(2, finished=False), [answer(2, "e1", 0)]),
    (attempt(3, mode="practice"), [answer(3, "h1", 0), answer(3, "h1", 1, hint=True, n=1)]),
    (attempt(4), [answer(4, "e1", 1), answer(4, "gone", 0, n=1), answer(4, "h1", 1, n=2)]),
]


def test_finished_tests_lists_only_finished_test_attempts_with_their_score_fraction():
    table = finished_tests(HISTORY)
    assert list(table["test"]) == [1, 2]
    assert list(table["score"]) == [1.5, 2.0]
    assert list(table["fraction"]) == pytest.approx([0.5, 2 / 3])
    assert list(table["finished_at"]) == [
        T0 + timedelta(days=1, minutes=5),
        T0 + timedelta(days=4, minutes=5),
    ]


def test_a_new_learner_has_empty_tables_with_the_expected_columns():
    frame = answers_frame([])
    assert frame.empty and finished_tests([]).empty
    assert list(score_by(frame, bank(), Grouping.TOPIC).columns) == [
        "topic",
        "answers",
        "score",
        "max_score",
        "fraction",
    ]
    assert weak_questions(frame, bank()).empty


def test_score_by_difficulty_counts_every_answer_and_keeps_removed_questions_apart():
    table = score_by(answers_frame(HISTORY), bank(), Grouping.DIFFICULTY)
    assert list(table["difficulty"]) == ["easy", "medium", "hard", NOT_IN_BANK]
    assert list(table["answers"]) == [3, 1, 4, 1]
    assert list(table["score"]) == [2.0, 0.5, 2.0, 0.0]
    assert list(table["fraction"]) == pytest.approx([2 / 3, 0.5, 0.5, 0.0])


def test_score_by_topic_uses_the_bank_topics():
    table = score_by(answers_frame(HISTORY), bank(), Grouping.TOPIC)
    assert dict(zip(table["topic"], table["answers"], strict=True)) == {
        NOT_IN_BANK: 1,
        "basics": 3,
        "metrics": 5,
    }


def test_weak_questions_put_the_most_missed_first_and_leave_out_questions_never_missed():
    table = weak_questions(answers_frame(HISTORY), bank())
    assert list(table["question_id"]) == ["h1", "gone", "m1", "e1"]
    assert list(table["missed"]) == [2, 1, 1, 1]
    assert list(table["hinted"]) == [1, 0, 0, 0]
    assert table["topic"][1] == NOT_IN_BANK
    assert len(weak_questions(answers_frame(HISTORY), bank(), limit=2)) == 2


def test_without_a_bank_every_question_is_grouped_as_not_in_the_bank():
    table = score_by(answers_frame(HISTORY), None, Grouping.DIFFICULTY)
    assert list(table["difficulty"]) == [NOT_IN_BANK]


def test_a_learners_history_pairs_each_attempt_at_the_bank_with_its_answers_oldest_first(db):
    ada, grace = db.learner("Ada"), db.learner("Grace")
    plan = dict(bank_version="1", seed=1, plan={})
    first = db.start_attempt(ada.id, bank_id="demo", mode=AttemptMode.TEST, **plan)
    db.start_attempt(ada.id, bank_id="other", mode=AttemptMode.TEST, **plan)
    second = db.start_attempt(ada.id, bank_id="demo", mode=AttemptMode.PRACTICE, **plan)
    db.start_attempt(grace.id, bank_id="demo", mode=AttemptMode.TEST, **plan)
    for qid in ("e1", "m1"):
        record_scored_answer(db, first.id, qid, 1.0, response=["a"])
    history = learner_history(db, ada.id, "demo")
    assert [(attempt.id, [a.question_id for a in answers]) for attempt, answers in history] == [
        (first.id, ["e1", "m1"]),
        (second.id, []),
    ]
