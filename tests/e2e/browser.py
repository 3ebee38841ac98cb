"""Helpers for browser tests: start a Streamlit server, wait for reruns, screenshot."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(
    script: Path, log: Path, env: dict[str, str] | None = None
) -> tuple[str, subprocess.Popen]:
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early ({proc.returncode}); see {log}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return url, proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise TimeoutError(f"streamlit did not become healthy; see {log}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


RUNNING = '[data-testid="stApp"][data-test-script-state="running"]'
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished the rerun a click started."""
    # A click's rerun starts a moment later; catch it running (if it has not already
    # finished), then wait for the end, so we never read the page of the previous run.
    with contextlib.suppress(Exception):  # a fast rerun may already be over
        page.wait_for_selector(RUNNING, timeout=1_000)
    page.wait_for_selector(IDLE, timeout=timeout)
    # Elements of the previous run linger, marked stale, until replaced: never act on them.
    page.wait_for_function(
        "() => !document.querySelector('[data-stale=\"true\"]')", timeout=timeout
    )


def screenshot(page, path: Path) -> None:
    """Full-page screenshot: Streamlit scrolls inside stMain, so grow the viewport first."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 900"
    )
    width = page.viewport_size["width"] if page.viewport_size else 1280
    page.set_viewport_size({"width": width, "height": min(max(int(height), 600), 8000)})
    page.screenshot(path=str(path), full_page=True)


def open_page(page, url: str, link: str) -> None:
    """Open the app and follow a sidebar link, at a laptop-sized viewport."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    wait_idle(page)
    page.get_by_role("link", name=link).click()
    wait_idle(page)


def sign_in(page, name: str) -> None:
    page.get_by_label("Your name, so TuneLab can keep your progress").fill(name)
    page.get_by_role("button", name="Continue").click()
    wait_idle(page)


def answer_first(page, number: str = "0.5") -> None:
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
