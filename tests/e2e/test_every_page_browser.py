"""Every page opens in a real browser without an error, wide and narrow, and is screenshotted."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from browser import open_routed_page, screenshot, wait_idle
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]


def routed_titles() -> list[str]:
    """Every sidebar title, in order, read from app.py: a new page is tested without a list
    here to forget. The router's st.Page(...) calls are the source of truth."""
    tree = ast.parse((ROOT / "app.py").read_text())
    return [
        keyword.value.value
        for call in ast.walk(tree)
        if isinstance(call, ast.Call) and getattr(call.func, "attr", None) == "Page"
        for keyword in call.keywords
        if keyword.arg == "title" and isinstance(keyword.value, ast.Constant)
    ]


PAGES = routed_titles()


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")


@pytest.mark.parametrize("title", PAGES)
def test_every_page_renders_without_an_error(page: Page, app_url, artifacts, title):
    page.set_viewport_size({"width": 1280, "height": 900})
    open_routed_page(page, app_url, title)  # an instructor page: unlocked, as they see it
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


def test_the_page_list_comes_from_the_router_and_includes_the_evaluation_lessons():
    assert len(PAGES) == len(set(PAGES)) >= 20
    for title in ("Home", "Train, validation, test", "Uncertainty", "ROC and PR curves"):
        assert title in PAGES
