"""Two learners side by side in two browser contexts: neither ever sees the other's work.

Covers quiz state (test progress, the report, My progress, the websocket frames) and the
freezing lab's runs.
"""

from __future__ import annotations

import re
import uuid

import pytest
from browser import answer_first, open_page, screenshot, sign_in, wait_idle
from helpers.st_page import capture_frames
from playwright.sync_api import Browser, Page, expect


def answer(page: Page, count: int, first: int = 1) -> None:
    for number in range(first, first + count):
        expect(page.get_by_text(f"Question {number} of 10")).to_be_visible()
        if not answer_first(page):  # a code question is submitted by running it
            page.get_by_role("button", name="Submit answer").click()
            wait_idle(page)


def main_text(page: Page) -> str:
    return page.get_by_test_id("stMain").inner_text()


@pytest.mark.slow  # two whole tests in two browsers: ~20 s
def test_two_learners_side_by_side_never_see_each_others_tests(
    browser: Browser, app_url, artifacts
):
    ada_name, bob_name = (f"{who}-{uuid.uuid4().hex[:8]}" for who in ("ada", "bob"))
    ada_context, bob_context = browser.new_context(), browser.new_context()
    try:
        ada, bob = ada_context.new_page(), bob_context.new_page()
        bob_frames = capture_frames(bob)
        open_page(ada, app_url, "Test this pattern")
        sign_in(ada, ada_name)
        ada.get_by_role("button", name="Start the test").click()
        wait_idle(ada)
        answer(ada, 3)
        expect(ada.get_by_text("3 of 10 answered")).to_be_visible()

        # Bob arrives while Ada is mid-test: a fresh start screen, nothing of Ada's.
        open_page(bob, app_url, "Test this pattern")
        sign_in(bob, bob_name)
        expect(bob.get_by_role("button", name="Start the test")).to_be_visible()
        assert "resumes" not in main_text(bob) and ada_name not in main_text(bob)
        bob.get_by_role("button", name="Start the test").click()
        wait_idle(bob)
        expect(bob.get_by_text("0 of 10 answered")).to_be_visible()
        answer(bob, 1)

        # Ada finishes; her report stays hers, and Bob's test is where he left it.
        answer(ada, 7, first=4)
        expect(ada.get_by_text(re.compile(r"Pattern (strong|developing|not yet)"))).to_be_visible()
        bob.reload()
        wait_idle(bob)
        expect(bob.get_by_text("Question 2 of 10")).to_be_visible()
        expect(bob.get_by_text("1 of 10 answered")).to_be_visible()
        assert not bob.get_by_text(re.compile(r"Pattern (strong|developing|not yet)")).count()

        # My progress: Ada has a finished test; Bob has only his one answer and no test.
        ada.get_by_role("link", name="My progress").click()
        wait_idle(ada)
        expect(ada.get_by_text(f"Signed in as {ada_name}")).to_be_visible()
        bob.get_by_role("link", name="My progress").click()
        wait_idle(bob)
        expect(bob.get_by_text(f"Signed in as {bob_name}")).to_be_visible()
        expect(bob.get_by_text("No finished test yet")).to_be_visible()
        assert ada_name not in main_text(bob)
        bob.wait_for_timeout(1_000)  # let the tables draw before the screenshot
        screenshot(bob, artifacts / "isolation_bob_progress.png")
        screenshot(ada, artifacts / "isolation_ada_progress.png")
    finally:
        ada_context.close()
        bob_context.close()
    # Not on screen, and not on the wire either.
    assert bob_frames, "the capture saw no frames"
    assert not any(ada_name.encode() in frame for frame in bob_frames)


@pytest.mark.slow  # one short training run: ~10 s
def test_a_learners_lab_runs_stay_in_their_own_session(browser: Browser, app_url):
    ada_context, bob_context = browser.new_context(), browser.new_context()
    try:
        ada, bob = ada_context.new_page(), bob_context.new_page()
        open_page(ada, app_url, "Freezing lab")
        ada.get_by_role("button", name="Train", exact=True).click()
        expect(ada.get_by_role("heading", name="Results of run #1")).to_be_visible(timeout=90_000)
        open_page(bob, app_url, "Freezing lab")
        expect(bob.get_by_text("Press Train: the first chart point appears")).to_be_visible()
        assert bob.get_by_role("heading", name=re.compile("Results of run")).count() == 0
        assert "Your runs side by side" not in main_text(bob)
    finally:
        ada_context.close()
        bob_context.close()
