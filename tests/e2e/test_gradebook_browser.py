"""The gradebook in a real browser: an instructor unlocks it with the passcode, filters the
class down to one learner and opens that learner's test as the learner saw it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import screenshot, settle, sidebar_link, wait_idle, write_shipped_bank
from helpers.arrival import sqlite_url
from helpers.st_ws import quiz_folder, serving_app
from playwright.sync_api import Page, expect

from engine.learners.pattern_test import finish_test, start_test
from engine.learners.recording import record_answer
from engine.quiz.bank import load_bank
from engine.quiz.grading import Response, grade
from engine.quiz.models import NumericQuestion, Question, QuestionBank
from engine.quiz.plan import question_in_plan
from engine.store import Store

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "quizzes" / "fine_tuning_metrics.yaml"
PASSCODE = "e2e-gradebook-passcode"


def answer_to(question: Question, *, right: bool) -> Response:
    if isinstance(question, NumericQuestion):
        return Response.number(float(question.answer) + (0 if right else 1000))
    if right:
        return Response.choices(question.correct_choice_ids)
    wrong = next(c.id for c in question.choices if c.id not in question.correct_choice_ids)
    return Response.choices([wrong])


def take_test(db: Store, bank: QuestionBank, name: str, *, right: bool, seed: int) -> None:
    session = start_test(db, db.learner(name).id, bank, seed)
    assert session.attempt_id is not None
    for question_id in session.attempt.plan.question_ids:
        # A family is answered in the variant the plan drew, as the learner would see it.
        question = question_in_plan(bank, session.attempt.plan, question_id)
        assert question is not None
        response = answer_to(question, right=right)
        graded = grade(question, response)
        record_answer(
            db, session.attempt_id, question, response, graded, used_hint=False, seconds=4
        )
        session.attempt.submit(question_id, response)
    finish_test(db, session)


@pytest.fixture(scope="module")
def class_app(tmp_path_factory) -> Iterator[str]:
    """A server of our own with a passcode, over a class of two who each took a test."""
    base = tmp_path_factory.mktemp("gradebook")
    # The shipped bank without its code questions: answering those needs the sandbox, and
    # this journey is about the gradebook (tests/e2e/test_code_browser.py runs code).
    bank = load_bank(write_shipped_bank(quiz_folder(base), lambda q: q.get("type") != "code"))
    (base / "data").mkdir()
    with Store.open(sqlite_url(base / "data")) as db:
        take_test(db, bank, "Grace Hopper", right=True, seed=1)
        take_test(db, bank, "Alan Turing", right=False, seed=2)
    with serving_app(base, {"TUNELAB_INSTRUCTOR_PASSCODE": PASSCODE}) as url:
        yield url


def test_an_instructor_filters_the_gradebook_and_opens_a_learners_answers(
    page: Page, class_app, artifacts
):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(class_app)
    wait_idle(page)
    sidebar_link(page, "Gradebook").click()
    wait_idle(page)
    page.get_by_label("Instructor passcode").fill(PASSCODE)
    page.get_by_role("button", name="Unlock").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"^2 of 2 row\(s\),"))).to_be_visible()
    expect(page.get_by_role("button", name="Gradebook (CSV)")).to_be_visible()

    page.get_by_label("Learner name contains").fill("alan")
    page.get_by_label("Learner name contains").press("Enter")
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"^1 of 2 row\(s\),"))).to_be_visible()
    chosen = page.get_by_role("combobox", name="Learner and bank")
    expect(chosen).to_have_value(f"Alan Turing · {load_bank(SHIPPED).id}")
    expect(page.get_by_text(re.compile(r"^Pattern not yet"))).to_be_visible()

    page.get_by_test_id("stExpander").first.locator("summary").click()
    settle(page)
    first = page.get_by_test_id("stExpander").first
    expect(first.get_by_text("Alan Turing's answer:")).to_be_visible()
    expect(first.get_by_text("Correct answer:")).to_be_visible()
    expect(first.get_by_text("Solution", exact=True)).to_be_visible()
    assert page.get_by_test_id("stException").count() == 0
    screenshot(page, artifacts / "gradebook_journey.png")
