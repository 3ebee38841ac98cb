"""Review: due cards first, practice-style feedback, and the answer moves the card."""

from __future__ import annotations

from helpers.lesson_page import open_lesson
from helpers.seeded_answers import take_test
from streamlit.testing.v1 import AppTest

from engine.learners.review import review_due
from engine.store import AttemptMode, Store


def miss(db: Store, name: str, *question_ids: str) -> int:
    return take_test(db, name, dict.fromkeys(question_ids, 0.0), response=["b"])


def open_as(name: str) -> AppTest:
    at = open_lesson("review.py", learner=name)
    assert at.title[0].value == "Review"
    return at


def test_nothing_due_shows_an_empty_state_and_the_schedule_rule(db):
    at = open_as("Newcomer")
    assert "Nothing is due for review" in at.success[0].value
    assert "box 1: at once, box 2: 1 d, box 3: 3 d, box 4: 7 d, box 5: 16 d" in at.caption[0].value
    assert not at.radio


def test_a_missed_question_answered_right_moves_up_a_box_and_is_recorded_as_review(db):
    learner_id = miss(db, "Ada", "e1")
    at = open_as("Ada")
    at.radio(key="review_answer_e1_0").set_value("a")
    at.button(key="review_submit").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Correct")
    assert any("Now in box 2" in c.value for c in at.caption)
    card = db.review_card(learner_id, "demo", "e1")
    assert card.box == 2
    [review_attempt] = [a for a in db.attempts(learner_id) if a.mode is AttemptMode.REVIEW]
    [recorded] = db.answers(review_attempt.id)
    assert (recorded.question_id, recorded.response, recorded.correct) == ("e1", ["a"], True)

    at.button(key="review_next").click().run()
    assert "Nothing is due for review" in at.success[0].value
    assert list(at.dataframe[0].value["question"]) == ["e1"]  # coming up, tomorrow
    assert db.get_attempt(review_attempt.id).finished


def test_a_wrong_answer_keeps_the_question_due_and_explains_it(db):
    learner_id = miss(db, "Ada", "e1", "h1")
    at = open_as("Ada")
    at.radio(key="review_answer_e1_0").set_value("b")  # equally overdue: by question id
    at.button(key="review_submit").click().run()
    assert at.error[0].value == "Not quite."
    assert any("Now in box 1" in c.value for c in at.caption)
    assert len(review_due(db, learner_id, "demo")) == 2


def test_the_hint_counts_as_used_when_revealed(db):
    learner_id = miss(db, "Ada", "e1")
    at = open_as("Ada")
    at.button(key="review_hint").click().run()
    assert "A hint." in at.info[0].value
    at.radio(key="review_answer_e1_0").set_value("a")
    at.button(key="review_submit").click().run()
    assert db.review_card(learner_id, "demo", "e1").box == 1  # a hinted answer starts over
