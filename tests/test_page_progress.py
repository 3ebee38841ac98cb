"""My progress, driven through AppTest with answers seeded through the Store API."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.arrival import arrive
from streamlit.testing.v1 import AppTest

from engine.store import Store

PAGE = str(Path(__file__).resolve().parents[1] / "lessons" / "progress.py")


def take_test(db: Store, name: str, scores: dict[str, float], *, finish: bool = True) -> None:
    learner = db.learner(name)
    attempt = db.start_attempt(
        learner.id, bank_id="demo", bank_version="1", mode="test", seed=1, plan={}
    )
    for qid, score in scores.items():
        db.record_answer(
            attempt.id,
            question_id=qid,
            question_fingerprint="fp",
            response=["a"],
            score=score,
            max_score=1.0,
            correct=score == 1.0,
            used_hint=False,
            seconds=1.0,
        )
    if finish:
        db.finish_attempt(attempt.id)


def open_as(name: str | None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if name:
        arrive(at, name)
    at.run()
    assert not at.exception
    assert at.title[0].value == "My progress"
    return at


def test_without_a_learner_the_page_asks_for_a_name(db):
    at = open_as(None)
    assert at.text_input(key="learner_name")
    assert not at.dataframe


def test_a_new_learner_sees_an_empty_state_and_no_chart(db):
    at = open_as("Newcomer")
    assert "Nothing recorded yet" in at.info[0].value
    assert not at.dataframe and not at.get("vega_lite_chart")


def test_finished_tests_are_charted_with_a_table_and_weak_questions_listed(db):
    take_test(db, "Ada", {"e1": 1.0, "m1": 0.5, "h1": 0.0})
    take_test(db, "Ada", {"e1": 1.0, "m1": 1.0, "h1": 0.0, "gone": 1.0})
    take_test(db, "Ada", {"e1": 0.0}, finish=False)  # unfinished: not on the chart
    take_test(db, "Bob", {"e1": 0.0, "h2": 0.0})  # another learner: not Ada's progress
    at = open_as("Ada")
    assert at.get("vega_lite_chart")
    tests, by_difficulty, by_topic, weak = (table.value for table in at.dataframe)
    assert list(tests["fraction"]) == pytest.approx([0.5, 0.75])
    assert list(by_difficulty["difficulty"]) == [
        "easy",
        "medium",
        "hard",
        "(no longer in the bank)",
    ]
    assert list(by_difficulty["answers"]) == [3, 2, 2, 1]
    assert set(by_topic["topic"]) == {"basics", "metrics", "(no longer in the bank)"}
    assert list(weak["question_id"]) == ["h1", "m1", "e1"]  # e1: 1 of 3 missed
    assert weak["question"][0] == "Which is right?"
