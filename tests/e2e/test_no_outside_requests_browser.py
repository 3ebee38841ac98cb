"""No page makes the learner's browser talk to another host: every request of every page
(the code editor's included, whose bundle imported a Google font) goes to loopback."""

from __future__ import annotations

from urllib.parse import urlsplit

from browser import E2E_PASSCODE, open_page, sidebar_link, wait_idle
from playwright.sync_api import Page, Request, expect
from test_code_browser import QUESTION, practice_position
from test_every_page_browser import PAGES

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def watch_outside_requests(page: Page) -> list[str]:
    outside: list[str] = []

    def seen(request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOOPBACK:
            outside.append(request.url)

    page.on("request", seen)
    return outside


def test_no_page_requests_anything_from_a_host_other_than_loopback(page: Page, app_url) -> None:
    outside = watch_outside_requests(page)
    open_page(page, app_url, "Practice")
    for _ in range(practice_position(QUESTION.id)):
        page.get_by_role("button", name="Next question").click()
        wait_idle(page)
    expect(page.get_by_text("Write count_trainable_scalars(model)")).to_be_visible()
    page.wait_for_timeout(2000)  # the editor's iframe loads its bundle and themes
    for title in PAGES:
        sidebar_link(page, title).click()
        wait_idle(page, timeout=120_000)
        passcode = page.get_by_label("Instructor passcode")
        if passcode.count():
            passcode.fill(E2E_PASSCODE)
            page.get_by_role("button", name="Unlock").click()
            wait_idle(page, timeout=120_000)
    assert outside == []
