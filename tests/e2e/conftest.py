"""Browser fixtures: one real `streamlit run app.py` on loopback, Debian's Chromium.

Locally, a machine without Chromium skips these tests with a reason; under CI=true a
missing browser is a failure, because a silent skip would hide a broken journey.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import E2E_PASSCODE, start_app, stop
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling the closed network.
CHROME_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


# Two cores shared by a server, a browser and the test: give assertions room to breathe.
expect.set_options(timeout=45_000)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
    if Path(CHROMIUM).exists() or shutil.which("chromium"):
        return
    if not any(here in Path(item.fspath).parents for item in items):
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI=true but no Chromium at {CHROMIUM}: install it (.ci/run does)")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}; `apt-get install chromium` to run")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def app_data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("tunelab-data")


@pytest.fixture(scope="session")
def app_url(tmp_path_factory, app_data_dir) -> Iterator[str]:
    log = tmp_path_factory.mktemp("st") / "streamlit.log"
    env = {"TUNELAB_DATA_DIR": str(app_data_dir), "TUNELAB_INSTRUCTOR_PASSCODE": E2E_PASSCODE}
    url, proc = start_app(ROOT / "app.py", log, env)
    try:
        yield url
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright cannot download its own browser here; use Debian's.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROME_ARGS}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
