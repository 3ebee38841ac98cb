"""Shared fixtures, and one marker per folder.

The folders mirror the code's parts (architecture.toml), and each test carries its folder's
name as a marker: `pytest -m lab` runs the lab's tests, `-m "not e2e"` leaves the browser out.
Streamlit caches are process-wide, so each test starts with them empty.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import bank_yaml
from hypothesis import settings as hypothesis_settings

from engine.store import Store

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent

# CI draws the same examples on every run (a red CI must be reproducible, never a lucky or
# unlucky draw); a developer's run explores new ones. HYPOTHESIS_PROFILE picks either.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, deadline=None)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev")
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = Path(item.fspath).resolve()
        if TESTS in path.parents and path.parent != TESTS:
            item.add_marker(getattr(pytest.mark, path.relative_to(TESTS).parts[0]))
        # Under `-n 2 --dist loadgroup` a file's tests share one worker, so its module
        # fixtures (servers, pools) start once.
        item.add_marker(pytest.mark.xdist_group(path.name))


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    # st.cache_data / st.cache_resource outlive AppTest objects within one process.
    try:
        import streamlit as st
    except ImportError:  # pragma: no cover - streamlit is a hard requirement
        yield
        return
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


# The passcode the instructor pages ask for, when a test sets one (the `passcode` fixture).
INSTRUCTOR_PASSCODE = "correct horse"


@pytest.fixture
def demo_quizzes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The environment the app reads: no database URL, a data folder and a quiz folder
    holding the demo bank, both under tmp_path. Returns the quiz folder."""
    monkeypatch.delenv("TUNELAB_DATABASE_URL", raising=False)
    monkeypatch.setenv("TUNELAB_DATA_DIR", str(tmp_path / "data"))
    quizzes = tmp_path / "quizzes"
    quizzes.mkdir()
    (quizzes / "demo.yaml").write_text(bank_yaml())
    monkeypatch.setenv("TUNELAB_QUIZ_DIR", str(quizzes))
    return quizzes


@pytest.fixture
def db(demo_quizzes: Path) -> Iterator[Store]:
    """The store the app opens (a SQLite file under tmp_path) beside the demo bank.

    Pages driven by AppTest find both through the environment, as a deployment would.
    """
    with Store.open() as store:
        yield store


@pytest.fixture
def passcode(monkeypatch: pytest.MonkeyPatch) -> str:
    """The instructor pages open with INSTRUCTOR_PASSCODE."""
    monkeypatch.setenv("TUNELAB_INSTRUCTOR_PASSCODE", INSTRUCTOR_PASSCODE)
    return INSTRUCTOR_PASSCODE
