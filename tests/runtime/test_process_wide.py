"""process_wide: one object per process, however many sessions ask for it at once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from engine.runtime.cpu_budget import shared_budget
from engine.runtime.process_wide import process_wide


def test_sessions_asking_at_once_all_get_the_one_object_made_once():
    made = []

    @process_wide
    def shared() -> object:
        time.sleep(0.05)  # a slow constructor widens the window a check-then-make would lose
        made.append(object())
        return made[-1]

    start = threading.Barrier(8)

    def ask(_: int) -> object:
        start.wait()
        return shared()

    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(ask, range(8)))
    assert len(made) == 1
    assert all(g is made[0] for g in got)


def test_a_failed_first_make_is_retried_by_the_next_call():
    attempts = []

    @process_wide
    def shared() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("no jail yet")
        return len(attempts)

    with pytest.raises(OSError, match="no jail yet"):
        shared()
    assert shared() == 2
    assert shared() == 2


def test_the_shared_cpu_budget_keeps_its_name_and_is_one_object():
    assert shared_budget.__name__ == "shared_budget"
    assert shared_budget() is shared_budget()
