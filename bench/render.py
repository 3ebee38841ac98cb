"""Time to first render in a real browser: Home and the quiz pages vs a bare one-line page.

Both servers run side by side in the same run; each measurement is a fresh browser context
(no cache, a new Streamlit session) navigating to the page and waiting until the script has
finished and the page's first heading (or the bare page's text) is visible.

Run: python -m bench.render            (the table in bench/RESULTS.md)
     python -m bench.render --repeats 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "e2e"), str(ROOT / "tests")]
from browser import start_app, stop  # noqa: E402 - the browser tests' server helpers

CHROME_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]  # fmt: skip
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# (label, server, url path, what must be visible)
TARGETS = [
    ("bare one-line page", "bare", "", "text=hello"),
    ("Home", "app", "", "h1"),
    ("Practice (quiz page)", "app", "practice", "[data-testid='stForm']"),
    ("Test this pattern (start screen)", "app", "test_pattern", "h1"),
]


def first_render_seconds(browser, url: str, ready: str) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(IDLE, timeout=60_000)
    page.locator('[data-testid="stMain"]').locator(ready).first.wait_for(timeout=60_000)
    elapsed = time.perf_counter() - started
    context.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    logs = Path(tempfile.mkdtemp(prefix="tunelab-render-"))
    env = {"TUNELAB_DATA_DIR": str(logs / "data")}
    bare_url, bare = start_app(ROOT / "bench" / "bare_page.py", logs / "bare.log", env)
    app_url, app = start_app(ROOT / "app.py", logs / "app.log", env)
    servers = {"bare": bare_url, "app": app_url}
    results: dict[str, list[float]] = {label: [] for label, *_ in TARGETS}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=CHROME_ARGS
            )
            for _label, server, path, ready in TARGETS:  # warm-up: imports, caches
                first_render_seconds(browser, f"{servers[server]}/{path}", ready)
            for _ in range(args.repeats):  # interleaved, so drifting load hits all alike
                for label, server, path, ready in TARGETS:
                    url = f"{servers[server]}/{path}"
                    results[label].append(first_render_seconds(browser, url, ready))
            browser.close()
    finally:
        stop(bare)
        stop(app)
    bare_median = statistics.median(results[TARGETS[0][0]])
    load = os.getloadavg()[0]
    print(f"\n{args.repeats} fresh sessions per page; 1-min load average at the end {load:.2f}\n")
    print("| page | median s | max s | median / bare |")
    print("|---|---|---|---|")
    for label, times in results.items():
        median = statistics.median(times)
        print(f"| {label} | {median:.3f} | {max(times):.3f} | {median / bare_median:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
