"""Bank text carrying HTML, JavaScript and outside-host beacons renders inert in a browser.

A server of its own reads a hostile bank (tests/helpers/hostile_bank.py) beside the
shipped one; a learner practises and takes a test with it. No script may run, no markup
from the bank may become an element, no javascript: link may exist, and no request may
leave loopback (requests to other hosts are recorded and aborted, never sent).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from browser import answer_first, open_page, screenshot, sign_in, wait_idle
from helpers.hostile_bank import MARK, OUTSIDE_HOST, write_hostile_quiz_dir
from helpers.st_page import is_local, record_requests
from helpers.st_ws import serving_app
from playwright.sync_api import Page, expect

# A server of its own and whole journeys: 5-15 s each on two loaded cores.
pytestmark = pytest.mark.slow

# Elements that bank text must never produce (the app itself renders none of these).
FORBIDDEN = {
    "img with onerror": "img[onerror]",
    "iframe": "[data-testid='stMain'] iframe",
    "element with onload": "[data-testid='stMain'] [onload]",
    "javascript: link": 'a[href^="javascript:" i], a[href^=" javascript:" i]',
    "svg from bank text": "[data-testid='stMain'] svg circle",
}


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("hostile")
    write_hostile_quiz_dir(base / "quizzes")
    with serving_app(base) as url:
        yield url


def assert_inert(page: Page) -> None:
    """Nothing from the bank ran, and none of its markup became an element."""
    assert page.evaluate("() => window.__pwned") is None, "a bank payload ran in the page"
    scripts = page.evaluate(
        "() => [...document.scripts].filter(s => s.textContent.includes('__pwned')).length"
    )
    assert scripts == 0, "a <script> from bank text is in the DOM"
    for what, selector in FORBIDDEN.items():
        assert page.locator(selector).count() == 0, f"bank text produced an element: {what}"


def practise_all(page: Page, url: str) -> None:
    """Practise the 3 hostile questions: hint, answer, submit, read the feedback."""
    open_page(page, url, "Practice")
    for number in (1, 2, 3):
        expect(page.get_by_text(f"Question {number} of 3")).to_be_visible()
        page.get_by_role("button", name="Show a hint").click()
        wait_idle(page)
        answer_first(page)
        page.get_by_role("button", name="Submit", exact=True).click()
        wait_idle(page)
        # Feedback, solution, quick check and mistakes are all on the page now.
        expect(page.get_by_test_id("stMain").get_by_text("Final answer:")).to_be_visible()
        assert_inert(page)
        if number < 3:
            page.get_by_role("button", name="Next question").click()
            wait_idle(page)
    page.wait_for_timeout(500)  # give any lazy image a moment to ask for its source


def test_hostile_text_is_inert_while_practising(page: Page, hostile_url, artifacts):
    practise_all(page, hostile_url)
    assert page.get_by_test_id("stMain").get_by_text(MARK).count() >= 5, "nothing was rendered"
    assert_inert(page)
    screenshot(page, artifacts / "hostile_practice.png")


def test_hostile_text_is_inert_through_a_test_and_its_report(page: Page, hostile_url, artifacts):
    open_page(page, hostile_url, "Test this pattern")
    sign_in(page, f"hostile-{uuid.uuid4().hex[:8]}")
    assert_inert(page)  # the start screen shows the bank's pattern text
    page.get_by_role("button", name="Start the test").click()
    wait_idle(page)
    for number in (1, 2, 3):
        expect(page.get_by_text(f"Question {number} of 3")).to_be_visible()
        assert_inert(page)
        answer_first(page)
        page.get_by_role("button", name="Submit answer").click()
        wait_idle(page)
    expect(page.get_by_role("button", name="Retake with new questions")).to_be_visible()
    for expander in page.locator('[data-testid="stExpander"] summary').all():
        expander.click()
    wait_idle(page)
    page.wait_for_timeout(500)
    main = page.get_by_test_id("stMain")
    assert main.get_by_text(MARK).count() >= 10, "the report did not show the hostile text"
    assert_inert(page)
    screenshot(page, artifacts / "hostile_report.png")


def test_bank_text_makes_the_browser_contact_no_outside_host(page: Page, hostile_url):
    requests = record_requests(page)
    practise_all(page, hostile_url)
    assert page.locator(f'img[src*="{OUTSIDE_HOST}"]').count() == 0
    contacted = sorted({url for url in requests if OUTSIDE_HOST in url})
    assert not contacted, f"bank text made the browser contact {contacted}"


def test_no_request_leaves_loopback_on_any_visit(page: Page, hostile_url):
    requests = record_requests(page)
    page.goto(hostile_url)
    wait_idle(page)
    page.wait_for_timeout(500)
    outside = sorted({url for url in requests if not is_local(url)})
    assert not outside, f"requests left loopback: {outside}"
