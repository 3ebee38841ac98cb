"""A process killed with SIGKILL mid-stream loses no answer it reported as committed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.store_backends import store_url  # noqa: F401  (fixture)
from sqlalchemy import make_url

from engine.store import Store

HELPER = Path(__file__).parents[1] / "helpers" / "record_until_killed.py"
# Kill after this many acknowledgements, so the child is surely inside its loop.
KILL_AFTER = 150


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX-only")
def test_answers_acknowledged_before_a_sigkill_are_all_there(store_url, capsys):  # noqa: F811
    child = subprocess.Popen(
        [sys.executable, str(HELPER), store_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    acknowledged: list[int] = []
    attempt_id = None
    started = time.perf_counter()
    try:
        for line in child.stdout:
            kind, _, value = line.partition(" ")
            if kind == "attempt":
                attempt_id = int(value)
            elif kind == "committed":
                acknowledged.append(int(value))
            if len(acknowledged) >= KILL_AFTER:
                os.kill(child.pid, signal.SIGKILL)
                break
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)
    # Lines the child printed between our last read and its death were acknowledged too.
    for line in child.stdout:
        if line.startswith("committed "):
            acknowledged.append(int(line.split()[1]))
    wall = time.perf_counter() - started
    assert child.returncode == -signal.SIGKILL, child.stderr.read() if child.stderr else ""
    assert attempt_id is not None

    url = make_url(store_url)
    integrity = "server-side (PostgreSQL)"
    if url.get_backend_name() == "sqlite":
        # Check the file itself before our store touches it (opening replays the WAL).
        with sqlite3.connect(url.database) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        integrity = "integrity_check ok"
    with Store.open(store_url) as store:
        found = [answer.id for answer in store.answers(attempt_id)]
        assert store.get_attempt(attempt_id).finished_at is None
    assert set(acknowledged) <= set(found)
    assert len(found) == len(set(found))
    # At most the one answer in flight at the kill may be committed but unacknowledged.
    assert len(found) - len(acknowledged) in (0, 1)

    with capsys.disabled():
        print(
            f"\n[durability/{url.get_backend_name()}] acknowledged {len(acknowledged)}, "
            f"found {len(found)}, all acknowledged present, {integrity}, reopened cleanly, "
            f"wall {wall:.2f} s"
        )
