"""Lesson 7 hides the answer until the learner commits, then explains with real counts."""

from __future__ import annotations

from helpers.lesson_page import lesson_fixture
from sklearn.metrics import accuracy_score, recall_score
from streamlit.testing.v1 import AppTest

from engine.metrics.classification import (
    always_negative_counts,
    counts_for_accuracy_and_recall,
    labels_from_counts,
)

at = lesson_fixture("self_check.py")
CORRECT = "No: it misses most fraud, and the accuracy is high only because fraud is rare."
WRONG = "Yes: 98 % accuracy means it is right on almost every transaction."


def answer_and_reveal(at: AppTest, choice: str) -> AppTest:
    at.radio(key="selfcheck_answer").set_value(choice).run()
    at.button(key="selfcheck_reveal").click().run()
    assert not at.exception
    return at


def test_nothing_is_preselected_and_nothing_explained_before_answering(at):
    assert at.title[0].value == "Self-check"
    assert at.radio(key="selfcheck_answer").value is None
    assert at.button(key="selfcheck_reveal").disabled
    assert not at.success and not at.error and not at.dataframe


def test_choosing_without_revealing_shows_no_explanation(at):
    at.radio(key="selfcheck_answer").set_value(CORRECT).run()
    assert not at.button(key="selfcheck_reveal").disabled
    assert not at.success and not at.dataframe


def test_the_right_answer_is_confirmed_and_the_worked_example_comes_from_sklearn(at):
    answer_and_reveal(at, CORRECT)
    assert at.success[0].value.startswith("Correct.")
    table = at.dataframe[0].value.set_index("model")
    model = counts_for_accuracy_and_recall(10_000, 200, 0.98, 0.12)
    y_true, y_pred = labels_from_counts(model)
    assert table.loc["your model", "Accuracy"] == round(accuracy_score(y_true, y_pred), 3) == 0.98
    assert table.loc["your model", "Recall"] == round(recall_score(y_true, y_pred), 3) == 0.12
    assert table.loc["never flags fraud", "Accuracy"] == 0.98
    assert table.loc["never flags fraud", "Recall"] == 0.0
    assert at.code[0].value == "[[9776   24]\n [ 176   24]]"


def test_a_wrong_answer_is_explained_and_changing_it_hides_the_reveal_again(at):
    answer_and_reveal(at, WRONG)
    assert at.error[0].value.startswith("Not quite.")
    at.radio(key="selfcheck_answer").set_value(CORRECT).run()
    assert not at.success and not at.error


def test_feedback_claims_are_true():
    # "about one case in eight" and "99 % accuracy when fraud is 1 % of traffic".
    assert round(1 / 0.12) == 8
    assert always_negative_counts(total=10_000, positive_rate=0.01).accuracy == 0.99
