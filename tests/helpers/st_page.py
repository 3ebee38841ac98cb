"""What leaves a browser page: requests (and whether they stay local) and websocket frames.

Page steps (open, sign in, answer, wait) live in tests/e2e/browser.py.
"""

from __future__ import annotations

from urllib.parse import urlparse

from playwright.sync_api import Page

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "about"}


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
