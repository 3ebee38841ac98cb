"""A lesson page opened through AppTest, and the metric tiles it shows.

Every lesson test starts the same way: run the page once, fail on any exception. Keeping that
here means a change to how pages are opened (timeouts, arrival) is made once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from helpers.arrival import arrive

LESSONS = Path(__file__).resolve().parents[2] / "lessons"


def open_lesson(page: str, *, timeout: float = 60, learner: str | None = None) -> AppTest:
    """`lessons/<page>` run once (as `learner` when given), having raised no exception."""
    at = AppTest.from_file(str(LESSONS / page), default_timeout=timeout)
    if learner:
        arrive(at, learner)
    at.run()
    assert not at.exception
    return at


def lesson_fixture(page: str, *, timeout: float = 60) -> Callable[[], AppTest]:
    """An `at` fixture for a test module: a fresh run of the page for each test."""

    @pytest.fixture
    def at() -> AppTest:
        return open_lesson(page, timeout=timeout)

    return at


def shown_metrics(at: AppTest) -> dict[str, str]:
    """Each st.metric tile's value, by its label."""
    return {m.label: m.value for m in at.metric}
