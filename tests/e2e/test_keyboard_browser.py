"""Keyboard only, in a real Chromium: a learner answers a practice question without a mouse."""

from __future__ import annotations

import re

import pytest
from browser import open_page, settle, wait_idle
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

FOCUSED_KIND = """() => {
  const el = document.activeElement;
  if (!el || !el.closest('[data-testid="stMain"]')) return null;
  if (el.tagName === 'INPUT') return el.type;      // radio, checkbox, text
  if (el.tagName === 'BUTTON') return 'button:' + el.innerText.trim();
  return el.tagName.toLowerCase();
}"""


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
