"""My progress, driven through AppTest with answers seeded through the Store API."""

from __future__ import annotations

import pytest
from helpers.lesson_page import open_lesson
from helpers.seeded_answers import take_test
from streamlit.testing.v1 import AppTest


def open_as(name: str | None) -> AppTest:
    at = open_lesson("progress.py", learner=name)
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
