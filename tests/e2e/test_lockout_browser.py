"""Issue 19 in Chromium: a learner's own browser (its device cookie) gets past a stranger's
lock on their name, and an instructor reviewing a hostile learner's test in the Gradebook
makes no request to any host the learner chose (requests off loopback are recorded and
aborted, never sent)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from browser import settle, sidebar_link, sign_in, wait_idle, write_shipped_bank
from helpers.arrival import sqlite_url
from helpers.st_page import is_local, record_requests
from helpers.st_ws import quiz_folder, serving_app
from playwright.sync_api import Browser, Page, expect

from engine.codecheck.spec import CheckOutcome, GradeResult
from engine.learners.pattern_test import finish_test, start_test
from engine.learners.recording import record_answer
from engine.modes import AttemptMode
from engine.quiz.bank import load_bank
from engine.quiz.grading import Response, grade
from engine.quiz.models import CodeQuestion, NumericQuestion, Question
from engine.quiz.plan import plan_attempt, question_in_plan
from engine.store import Store

pytestmark = pytest.mark.slow
PASSCODE = "e2e-lockout-passcode"
OUTSIDE = "http://outside.example"
HOSTILE_NAME = f"![n]({OUTSIDE}/name.png)"
HOSTILE_CODE = f"s = '''\n```\n![c]({OUTSIDE}/code.png)\n```\n'''\nraise Exception(s)\n"
HOSTILE_RESULT = GradeResult(
    gradable=True,
    message=f"Your code raised Exception: ![m]({OUTSIDE}/msg.png)",
    tests=[
        CheckOutcome(
            name="a check",
            points=0,
            max_points=1,
            passed=False,
            message=f"![t]({OUTSIDE}/check.png)",
        )
    ],
)


def hostile_answer(question: Question) -> Response:
    if isinstance(question, CodeQuestion):
        return Response.code_answer(HOSTILE_CODE, HOSTILE_RESULT)
    if isinstance(question, NumericQuestion):
        return Response.number(float(question.answer) + 1000)
    wrong = next(c.id for c in question.choices if c.id not in question.correct_choice_ids)
    return Response.choices([wrong])


def _draws_code(bank, seed: int) -> bool:
    plan = plan_attempt(bank, AttemptMode.TEST, seed)
    return any(
        isinstance(question_in_plan(bank, plan, question_id), CodeQuestion)
        for question_id in plan.question_ids
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[str]:
    """A server of our own: the shipped bank, a passcode, and a hostile learner's test."""
    base = tmp_path_factory.mktemp("lockout")
    bank = load_bank(write_shipped_bank(quiz_folder(base), lambda q: True))
    (base / "data").mkdir()
    with Store.open(sqlite_url(base / "data")) as db:
        # A seed whose test draws a code question: the hostile code answer must be reviewed.
        seed = next(s for s in range(200) if _draws_code(bank, s))
        session = start_test(db, db.learner(HOSTILE_NAME).id, bank, seed)
        assert session.attempt_id is not None
        for question_id in session.attempt.plan.question_ids:
            question = question_in_plan(bank, session.attempt.plan, question_id)
            assert question is not None
            response = hostile_answer(question)
            record_answer(
                db,
                session.attempt_id,
                question,
                response,
                grade(question, response),
                used_hint=False,
                seconds=4,
            )
            session.attempt.submit(question_id, response)
        finish_test(db, session)
    with serving_app(base, {"TUNELAB_INSTRUCTOR_PASSCODE": PASSCODE}) as url:
        yield url


def test_a_learners_own_browser_gets_past_a_strangers_lock_on_their_name(browser: Browser, served):
    name = f"owner-{uuid.uuid4().hex[:8]}"
    owner_context, stranger_context = browser.new_context(), browser.new_context()
    try:
        owner = owner_context.new_page()
        owner.goto(f"{served}/progress")
        wait_idle(owner)
        sign_in(owner, name, pin="owner's pin 1")
        expect(owner.get_by_text(f"Welcome, {name}")).to_be_visible()
        settle(owner)
        assert "tunelab_device" in {c["name"] for c in owner_context.cookies()}
        owner.get_by_role("button", name="Sign out").click()
        wait_idle(owner)

        stranger = stranger_context.new_page()
        stranger.goto(f"{served}/progress")
        wait_idle(stranger)
        for guess in ("guess 1", "guess 2", "guess 3", "guess 4"):
            sign_in(stranger, name, pin=guess)
        expect(stranger.get_by_text("Too many wrong PINs for this name")).to_be_visible()

        # Tomorrow, in a new tab of the browser she used: the cookie is all it brings.
        again = owner_context.new_page()
        again.goto(f"{served}/progress")
        wait_idle(again)
        sign_in(again, name, pin="owner's pin 1")
        expect(again.get_by_text(f"Welcome back, {name}")).to_be_visible()
    finally:
        owner_context.close()
        stranger_context.close()


def test_reviewing_a_hostile_learners_test_fetches_nothing_from_their_hosts(page: Page, served):
    requests = record_requests(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(served)
    wait_idle(page)
    sidebar_link(page, "Gradebook").click()
    wait_idle(page)
    page.get_by_label("Instructor passcode").fill(PASSCODE)
    page.get_by_role("button", name="Unlock").click()
    wait_idle(page)
    expanders = page.get_by_test_id("stExpander")
    expect(expanders.first).to_be_visible()
    for index in range(expanders.count()):
        expanders.nth(index).locator("summary").click()
        settle(page)
    main = page.get_by_test_id("stMain")
    # The name as typed (an invisible word joiner keeps "http://" from being linked).
    as_typed = re.escape(HOSTILE_NAME).replace("://", ":\u2060?//")
    expect(main.get_by_text(re.compile(f"^{as_typed}'s answer:$")).first).to_be_visible()
    expect(main.get_by_text("Your code raised Exception:").first).to_be_visible()
    page.wait_for_timeout(500)  # give any lazy image a moment to ask for its source
    live = main.locator("img[src*='outside.example'], a[href*='outside.example']")
    assert live.count() == 0, [
        live.nth(i).evaluate("e => e.parentElement.outerHTML") for i in range(min(3, live.count()))
    ]
    assert [url for url in requests if not is_local(url)] == []
