"""Keyboard only, in a real Chromium: a learner answers a practice question, and takes a whole
test from the sidebar link to the report, without a mouse."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from browser import open_page, settle, wait_idle, write_shipped_bank
from helpers.st_ws import quiz_folder, serving_app
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

FOCUSED_KIND = """() => {
  const el = document.activeElement;
  if (!el || !el.closest('[data-testid="stMain"]')) return null;
  if (el.tagName === 'INPUT') return el.type;      // radio, checkbox, text
  if (el.tagName === 'BUTTON') return 'button:' + el.innerText.trim();
  return el.tagName.toLowerCase();
}"""


IN_BANK_CHOOSER = "() => document.activeElement.getAttribute('aria-label') === 'Question bank'"


def tab_until(page: Page, wanted, limit: int = 80) -> str:
    """Press Tab until the focused element in the page body satisfies `wanted`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        kind = page.evaluate(FOCUSED_KIND)
        if kind and wanted(kind):
            return kind
    raise AssertionError("Tab never reached the element wanted")


def test_a_practice_question_can_be_answered_with_the_keyboard_alone(page: Page, app_url):
    open_page(page, app_url, "Practice")
    settle(page)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")

    # The answer's own input: with several banks the bank chooser (a combobox) comes first.
    kind = tab_until(page, lambda k: k in ("radio", "checkbox", "text"))
    while kind == "text" and page.evaluate(IN_BANK_CHOOSER):
        kind = tab_until(page, lambda k: k in ("radio", "checkbox", "text"))
    if kind == "text":
        page.keyboard.type("0.5")
    else:
        page.keyboard.press("Space")  # select the focused option
        expect(page.locator("[data-testid=stMain] input:checked")).to_have_count(1)
    tab_until(page, lambda k: k == "button:Submit")
    page.keyboard.press("Enter")
    wait_idle(page)

    feedback = page.get_by_test_id("stAlert").filter(
        has_text=re.compile(r"^(Correct|Partly right|Not quite)")
    )
    expect(feedback.first).to_be_visible()


# What has focus, anywhere on the page: "link:Home", "button:Start the test",
# "input:radio", "input:password:Your PIN or passphrase", ...
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return '';
  const label = (el.labels && el.labels[0] ? el.labels[0].innerText
                 : el.getAttribute('aria-label') || '').trim();
  if (el.tagName === 'INPUT') return 'input:' + el.type + ':' + label;
  if (el.tagName === 'A') return 'link:' + el.innerText.trim();
  if (el.tagName === 'BUTTON') return 'button:' + el.innerText.trim();
  return el.tagName.toLowerCase();
}"""


def tab_to(page: Page, wanted, limit: int = 200) -> str:
    """Press Tab until what has focus (FOCUSED's description) satisfies `wanted`."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if wanted(focused):
            return focused
        seen.append(focused)
    raise AssertionError(f"Tab never reached the element wanted; it met: {seen[-20:]}")


@pytest.fixture(scope="module")
def bank_app(tmp_path_factory) -> Iterator[str]:
    """A server of our own over the shipped bank less its code questions (typing into the
    code editor is test_code_browser.py's journey)."""
    base = tmp_path_factory.mktemp("keyboard")
    write_shipped_bank(quiz_folder(base), lambda q: q.get("type") != "code")
    with serving_app(base) as url:
        yield url


def test_a_learner_signs_in_takes_a_whole_test_and_reads_the_report_with_the_keyboard_alone(
    page: Page, bank_app
):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(bank_app)
    wait_idle(page)
    tab_to(page, lambda f: f.startswith("link:") and f.endswith("Test this pattern"))
    page.keyboard.press("Enter")
    wait_idle(page)

    tab_to(page, lambda f: f.endswith(":Your name, so TuneLab can keep your progress"))
    page.keyboard.type(f"keys-{uuid.uuid4().hex[:8]}")
    tab_to(page, lambda f: f.endswith(":Your PIN or passphrase"))
    page.keyboard.type("keyboard-pin-4821")
    page.keyboard.press("Enter")  # Enter in a form's field submits the form
    wait_idle(page)

    tab_to(page, lambda f: f == "button:Start the test")
    page.keyboard.press("Enter")
    wait_idle(page)
    for number in range(1, 11):
        expect(page.get_by_text(f"Question {number} of 10")).to_be_visible()
        settle(page)
        focused = tab_to(
            page, lambda f: f.startswith(("input:radio", "input:checkbox", "input:text"))
        )
        if focused.startswith("input:text"):
            page.keyboard.type("0.5")
        else:
            page.keyboard.press("Space")  # select the focused option
            expect(page.locator("[data-testid=stMain] input:checked")).to_have_count(1)
        tab_to(page, lambda f: f == "button:Submit answer")
        page.keyboard.press("Enter")
        wait_idle(page)

    expect(page.get_by_text(re.compile(r"Pattern (strong|developing|not yet)"))).to_be_visible()
    assert page.get_by_test_id("stException").count() == 0
