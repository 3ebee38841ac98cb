"""Playwright steps on TuneLab pages shared by the hostile, isolation and fault browser tests."""

from __future__ import annotations

import contextlib
from urllib.parse import urlparse

from playwright.sync_api import Page

RUNNING = '[data-testid="stApp"][data-test-script-state="running"]'
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "about"}


def wait_idle(page: Page, timeout: float = 30_000) -> None:
    """Wait until the rerun a click started has finished (see tests/e2e/browser.py)."""
    with contextlib.suppress(Exception):  # a fast rerun may already be over
        page.wait_for_selector(RUNNING, timeout=1_000)
    page.wait_for_selector(IDLE, timeout=timeout)


def open_page(page: Page, url: str, link: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    wait_idle(page)
    page.get_by_role("link", name=link).click()
    wait_idle(page)


def sign_in(page: Page, name: str) -> None:
    page.get_by_label("Your name, so TuneLab can keep your progress").fill(name)
    page.get_by_role("button", name="Continue").click()
    wait_idle(page)


def answer_first(page: Page, number: str = "0.5") -> None:
    """Pick the first option (or type `number`), whatever the input type on the page."""
    main = page.get_by_test_id("stMain")
    inputs = '[data-testid="stRadio"], [data-testid="stCheckbox"], [data-testid="stTextInput"]'
    main.locator(inputs).first.wait_for()
    radios = main.locator('[data-testid="stRadio"] label:has(input[type=radio])')
    boxes = main.locator('[data-testid="stCheckbox"] label:has(input[type=checkbox])')
    if radios.count():
        radios.first.click()
    elif boxes.count():
        boxes.first.click()
    else:
        main.locator('[data-testid="stTextInput"] input').fill(number)


def is_local(url: str) -> bool:
    """True for loopback http(s)/ws(s) and for data:, blob:, about: URLs."""
    parsed = urlparse(url)
    if parsed.scheme in LOCAL_SCHEMES:
        return True
    return parsed.hostname in LOOPBACK_HOSTS


def record_requests(page: Page) -> list[str]:
    """Every URL the page asks for (HTTP and websockets); outside hosts are aborted, not sent."""
    seen: list[str] = []

    def route(r):
        seen.append(r.request.url)
        if is_local(r.request.url):
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    page.on("request", lambda request: seen.append(request.url))
    page.on("websocket", lambda ws: seen.append(ws.url))
    return seen


def capture_frames(page: Page) -> list[bytes]:
    """Every websocket frame the server sends to this page, as bytes."""
    frames: list[bytes] = []
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived",
            lambda payload: frames.append(
                payload if isinstance(payload, bytes) else payload.encode()
            ),
        ),
    )
    return frames
