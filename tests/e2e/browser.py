"""Helpers for browser tests: start a Streamlit server, wait for reruns, screenshot, act."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml
from helpers.st_ws import start_server, stop_server
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_BANK = ROOT / "quizzes" / "fine_tuning_metrics.yaml"
# The shared server's instructor passcode (conftest's app_url), so instructor pages open too.
E2E_PASSCODE = "e2e-every-page-passcode"


def write_shipped_bank(folder: Path, keep: Callable[[dict], bool]) -> Path:
    """The shipped bank cut to the questions `keep` accepts, written into `folder`."""
    raw = yaml.safe_load(SHIPPED_BANK.read_text())
    raw["questions"] = [q for q in raw["questions"] if keep(q)]
    path = folder / SHIPPED_BANK.name
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True))
    return path


def start_app(
    script: Path,
    log: Path,
    env: dict[str, str] | None = None,
    *,
    port: int | None = None,
    options: Sequence[str] = (),
) -> tuple[str, subprocess.Popen]:
    """`streamlit run <script>` on a loopback port, once healthy (helpers/st_ws.py)."""
    return start_server(log, env or {}, script=script, port=port, options=options)


stop = stop_server


RUNNING = '[data-testid="stApp"][data-test-script-state="running"]'
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def wait_idle(page, timeout: float = 90_000) -> None:
    """Wait until Streamlit has finished the rerun a click started."""
    # A click's rerun starts a moment later; catch it running (if it has not already
    # finished), then wait for the end, so we never read the page of the previous run.
    with contextlib.suppress(Exception):  # a fast rerun may already be over
        page.wait_for_selector(RUNNING, timeout=1_000)
    # Elements of the previous run linger, marked stale, until replaced: never act on them.
    settle(page, timeout)


def screenshot(page, path: Path) -> None:
    """Full-page screenshot: Streamlit scrolls inside stMain, so grow the viewport first."""
    settle(page)
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 900"
    )
    width = page.viewport_size["width"] if page.viewport_size else 1280
    page.set_viewport_size({"width": width, "height": min(max(int(height), 600), 8000)})
    # Charts redraw for the new size: let two frames pass so the picture is of the redraw.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.screenshot(path=str(path), full_page=True)


def open_page(page, url: str, link: str) -> None:
    """Open the app and follow a sidebar link, at a laptop-sized viewport."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    wait_idle(page)
    page.get_by_role("link", name=link).click()
    wait_idle(page)


SIDEBAR_PAGES = ".st-key-sidebar-pages"  # lessons/components/sidebar_nav.py's container


def sidebar_link(page, title: str):
    """The sidebar's link to the page called ``title`` (a Locator)."""
    return page.locator(SIDEBAR_PAGES).get_by_role("link", name=title, exact=True)


def open_routed_page(page, url: str, title: str) -> None:
    """Open the app, follow the sidebar link to ``title`` and, on an instructor page, unlock
    it with the shared server's passcode, so the page is seen as its user sees it."""
    page.goto(url)
    wait_idle(page)
    sidebar_link(page, title).click()
    wait_idle(page, timeout=120_000)
    passcode = page.get_by_label("Instructor passcode")
    if passcode.count():
        passcode.fill(E2E_PASSCODE)
        page.get_by_role("button", name="Unlock").click()
        wait_idle(page, timeout=120_000)
        expect(passcode).to_have_count(0)


def metric_value(page, label: str):
    """The value of the st.metric tile whose label contains `label` (a Locator)."""
    tile = page.locator('[data-testid="stMetric"]').filter(has_text=label)
    return tile.locator('[data-testid="stMetricValue"]')


def sign_in(page, name: str, pin: str = "browser-pin-4821") -> None:
    page.get_by_label("Your name, so TuneLab can keep your progress").fill(name)
    page.get_by_role("textbox", name="Your PIN or passphrase").fill(pin)
    page.get_by_role("button", name="Continue").click()
    wait_idle(page)


def settle(page, timeout: float = 90_000) -> None:
    """Wait until no script run is in progress, nothing on the page is stale, and every
    element's code has loaded (Streamlit loads most widgets and charts lazily and shows a
    grey stSkeleton box until then: a screenshot or a click must not meet one)."""
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_function(
        '() => !document.querySelector(\'[data-stale="true"], [data-testid="stSkeleton"]\')',
        timeout=timeout,
    )


def pick(label) -> None:
    """Tick a Streamlit radio/checkbox option and make sure it took.

    Clicks the control itself (top-left of the option), not the middle of the label: an
    option whose text is a code block can swallow a click in its middle, and under load a
    click can land while the option is re-rendered.
    """
    settle(label.page)  # the run that drew the option must be over, or it may redraw it
    control = label.locator("input")
    for _ in range(3):
        label.click(position={"x": 6, "y": 10})
        if control.is_checked():
            return
        label.page.wait_for_timeout(300)
    expect(control).to_be_checked()


# The editor's iframe is titled by its component's module: the local bundle (lessons/components/
# editor_bundle.py) declares it under that module's name.
CODE_EDITOR = 'iframe[title$=".code_editor"]'
# Grading runs in the sandbox; the server's first run also starts its warm workers.
CODE_RUN_TIMEOUT_MS = 120_000


def write_code(page, code: str) -> None:
    """Replace what the code editor holds with ``code``, inserted as a paste (Ace would
    indent typed newlines a second time)."""
    frame = page.frame_locator(CODE_EDITOR).first
    frame.locator(".ace_content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


def run_code(page, *, keyboard: bool = False) -> None:
    """Run the editor's code (its Run button, or Ctrl+Enter) and wait for the grade."""
    if keyboard:
        page.frame_locator(CODE_EDITOR).first.locator(".ace_content").click()
        page.keyboard.press("Control+Enter")
    else:
        page.frame_locator(CODE_EDITOR).first.get_by_text("Run").click()
    wait_idle(page, timeout=CODE_RUN_TIMEOUT_MS)


def answer_first(page, number: str = "0.5") -> bool:
    """Pick the first option (or type `number`), whatever the input type on the page.

    A code question has no separate submit: its starter code is run as the answer, and
    True says it was already submitted."""
    settle(page)  # decide on the input type from this question, not a stale one
    main = page.get_by_test_id("stMain")
    inputs = '[data-testid="stRadio"], [data-testid="stCheckbox"], [data-testid="stTextInput"]'
    main.locator(f"{inputs}, {CODE_EDITOR}").first.wait_for()
    radios = main.locator('[data-testid="stRadio"] label:has(input[type=radio])')
    boxes = main.locator('[data-testid="stCheckbox"] label:has(input[type=checkbox])')
    if main.locator(CODE_EDITOR).count():
        run_code(page)
        return True
    if radios.count():
        pick(radios.first)
    elif boxes.count():
        pick(boxes.first)
    else:
        main.locator('[data-testid="stTextInput"] input').fill(number)
    return False
