"""Every page opens in a real browser without an error, wide and narrow, and is screenshotted."""

from __future__ import annotations

import re

import pytest
from browser import screenshot, wait_idle
from playwright.sync_api import Page, expect

PAGES = [
    "Home",
    "Which metrics, and why",
    "Confusion matrix",
    "Precision vs recall",
    "Good vs bad runs",
    "Pitfalls",
    "Regression metrics",
    "Self-check",
    "Freezing lab",
    "Freezing pitfalls",
    "Practice",
    "Test this pattern",
    "My progress",
    "Review",
    "Bank check",
    "Item statistics",
    "My data",
    "Learners",
]


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")


@pytest.mark.parametrize("title", PAGES)
def test_every_page_renders_without_an_error(page: Page, app_url, artifacts, title):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(app_url)
    wait_idle(page)
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=title, exact=True).click()
    wait_idle(page, timeout=120_000)
    expect(page.get_by_test_id("stMain").locator("h1").first).to_be_visible()
    assert page.get_by_test_id("stException").count() == 0
    (artifacts / "pages").mkdir(exist_ok=True)
    screenshot(page, artifacts / "pages" / f"{slug(title)}.png")


def test_home_works_in_a_narrow_window(page: Page, app_url, artifacts):
    page.set_viewport_size({"width": 400, "height": 800})
    page.goto(app_url)
    wait_idle(page)
    expect(page.get_by_role("button", name="Start learning")).to_be_visible()
    expect(page.get_by_role("button", name="Test this pattern")).to_be_visible()
    screenshot(page, artifacts / "pages" / "home_narrow.png")


def test_the_home_buttons_are_reachable_with_the_keyboard(page: Page, app_url):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(app_url)
    wait_idle(page)
    button = page.get_by_role("button", name="Start learning")
    for _ in range(60):  # Tab through the page until the button has focus
        page.keyboard.press("Tab")
        if button.evaluate("b => b === document.activeElement"):
            break
    else:
        pytest.fail("'Start learning' never received keyboard focus")
    page.keyboard.press("Enter")
    wait_idle(page)
    expect(page.get_by_role("heading", name="Which metrics, and why", level=1)).to_be_visible()
