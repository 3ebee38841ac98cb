"""Hostile learner code, run through the real jail: each attack is contained, the learner
reads a plain message, and this process (the caller) and the pool keep working."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.sandbox.jail import PROJECT_ROOT, _readonly_roots
from tests.helpers.sandbox_pool import attack, exercises, shared_pool, solution

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def the_pool_still_grades_afterwards() -> Iterator[None]:
    yield
    from engine.codecheck.grade import grade_code

    result = grade_code(
        exercises()["freeze_all_but_fc"], solution("freeze_all_but_fc", "reference"), shared_pool()
    )
    assert result.score == 1.0, result.message


def contained(code: str) -> None:
    result = attack(code)
    assert result.gradable, result.message
    assert result.tests and result.tests[0].passed, (
        result.tests[0].message if result.tests else result.message
    )


def test_the_database_and_secrets_files_cannot_be_read(tmp_path: Path) -> None:
    database = tmp_path / "tunelab.db"
    database.write_text("learner answers")
    paths = [
        str(database),
        str(PROJECT_ROOT / "tunelab.db"),
        str(PROJECT_ROOT / "data" / "tunelab.db"),
        str(PROJECT_ROOT / ".streamlit" / "secrets.toml"),
        str(PROJECT_ROOT / "tests" / "conftest.py"),
        "/etc/passwd",
        "/root/.bash_history",
    ]
    contained(
        f"""
def attack(model):
    for path in {paths!r}:
        try:
            open(path).read()
            return "read " + path
        except OSError:
            pass
    return "contained"
"""
    )


def test_the_environment_holds_no_secret_not_even_in_other_processes() -> None:
    contained(
        """
import os
def attack(model):
    allowed = {"PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "PYTHONHASHSEED", "OMP_NUM_THREADS",
               "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "HOME", "PATH", "LC_CTYPE",
               "PWD", "TORCHINDUCTOR_CACHE_DIR"}  # set by bwrap --chdir and by torch
    extra = set(os.environ) - allowed
    if extra:
        return "saw " + ", ".join(sorted(extra))
    for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
        try:
            text = open(f"/proc/{pid}/environ", "rb").read()
        except OSError:
            continue
        if b"DATABASE" in text or b"SECRET" in text or b"TOKEN" in text:
            return "read the environment of process " + pid
    return "contained"
"""
    )


def test_no_connection_reaches_loopback_or_the_outside() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    accepted: list[object] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    try:
        contained(
            f"""
import socket
def attack(model):
    for host, port in [("127.0.0.1", {port}), ("1.1.1.1", 443), ("10.0.0.1", 80)]:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return f"connected to {{host}}:{{port}}"
        except OSError:
            pass
    try:
        socket.getaddrinfo("pypi.org", 443)
        return "resolved a name"
    except OSError:
        return "contained"
"""
        )
    finally:
        listener.close()
    assert accepted == []


def test_nothing_outside_tmp_can_be_written_and_tmp_is_small() -> None:
    contained(
        f"""
import os
def attack(model):
    for path in ["/evil", {str(PROJECT_ROOT / "engine" / "evil.py")!r}, "/usr/evil",
                 {str(PROJECT_ROOT / "evil")!r}]:
        try:
            open(path, "w").write("x")
            return "wrote " + path
        except OSError:
            pass
    open("/tmp/ok", "w").write("scratch space works")
    try:
        with open("/tmp/big", "wb") as big:
            for _ in range(64):
                big.write(b"x" * (1 << 20))
        return "wrote 64 MiB to /tmp"
    except OSError:
        return "contained"
"""
    )
    assert not (PROJECT_ROOT / "engine" / "evil.py").exists()


def test_a_fork_bomb_is_stopped_and_leaves_no_process_behind() -> None:
    # Counted inside this worker's jail (its process tree), where the bomb's processes live:
    # idle, the jail holds its fork server and the next submission's processes, forked ahead;
    # once the bomb is contained it holds exactly as many again.
    worker = shared_pool()._workers[0]
    assert worker is not None
    before = _settled_count(worker.pid)
    result = attack(
        """
import os
def attack(model):
    while True:
        try:
            os.fork()
        except OSError:
            pass
"""
    )
    assert result.gradable and result.score == 0.0
    assert "stopped" in result.message
    assert _settled_count(worker.pid, at_most=before) <= before


def _descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
            if fields[0] != "Z":
                parents[int(pid)] = int(fields[1])
        except OSError:
            pass
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def _settled_count(root: int, at_most: int | None = None) -> int:
    """The jail's process count once the worker is idle again (its next submission forked
    ahead); with ``at_most``, as soon as it is no more than that (within 20 s)."""
    deadline = time.monotonic() + 20
    count = len(_descendants(root))
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = len(_descendants(root))
        if (at_most is not None and now <= at_most) or (at_most is None and now == count):
            return now
        count = now
    return count


def test_a_memory_bomb_gets_a_plain_out_of_memory_message() -> None:
    result = attack(
        """
def attack(model):
    hoard = []
    while True:
        hoard.append(bytes(64 << 20))  # calloc: the address space runs out, not the RAM
"""
    )
    assert result.tests, result.message
    assert result.tests[0].message == (
        "attack(model) raised MemoryError: your code ran out of memory (line 5 of your code)."
    )


def test_a_single_huge_tensor_is_refused_as_out_of_memory() -> None:
    result = attack("import torch\ndef attack(model):\n    return torch.ones(1 << 34).sum()\n")
    assert "ran out of memory" in result.tests[0].message


def test_an_endless_loop_is_stopped_by_the_clock() -> None:
    result = attack("def attack(model):\n    while True:\n        pass\n")
    assert result.gradable and result.score == 0.0
    assert result.message.startswith("Your code ")
    assert "stopped" in result.message


def test_gigabytes_of_output_come_back_truncated() -> None:
    result = attack(
        """
import sys
def attack(model):
    line = "spam" * 4096
    for _ in range(1 << 18):
        sys.stdout.write(line)
    return "contained"
"""
    )
    assert len(result.output) < 16 << 10
    assert result.output.endswith("[output truncated]")


def test_the_worker_and_its_server_cannot_be_killed_or_signalled() -> None:
    contained(
        """
import os, signal
def attack(model):
    for pid in [os.getppid(), 1]:
        for sig in (signal.SIGKILL, signal.SIGSTOP, signal.SIGTERM):
            try:
                os.kill(pid, sig)
                return f"signalled {pid} with {sig}"
            except PermissionError:
                pass
    return "contained"
"""
    )


def test_killing_its_own_process_group_only_ends_the_learners_process() -> None:
    result = attack("import os, signal\ndef attack(model):\n    os.killpg(0, signal.SIGKILL)\n")
    assert (
        result.message
        == "Your code crashed the Python process (SIGKILL) before the checks finished."
    )


def test_ctypes_crashing_the_interpreter_is_reported_as_a_crash() -> None:
    result = attack("import ctypes\ndef attack(model):\n    return ctypes.string_at(0)\n")
    assert (
        result.message
        == "Your code crashed the Python process (SIGSEGV) before the checks finished."
    )


def test_ctypes_cannot_regain_root() -> None:
    contained(
        """
import ctypes, os
def attack(model):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setuid(0) == 0 or os.getuid() == 0:
        return "became root"
    return "contained"
"""
    )


def test_one_learner_cannot_read_what_an_earlier_one_left_behind() -> None:
    marker = "SUBMISSION-OF-LEARNER-A"
    first = attack(
        f"""
import os
os.makedirs("/tmp/hidden", exist_ok=True)
open("/tmp/hidden/answer.py", "w").write({marker!r})
os.chmod("/tmp/hidden", 0)
def attack(model):
    return "contained"
"""
    )
    assert first.score == 1.0
    # A checkout under /tmp (a CI clone) is bound read-only inside the jail's /tmp: those
    # folders are the jail's own scaffolding, not anything a learner left.
    scaffolding = sorted(
        {r.relative_to("/tmp").parts[0] for r in _readonly_roots() if r.is_relative_to("/tmp")}
    )
    contained(
        f"""
import os
def attack(model):
    left = sorted(set(os.listdir("/tmp")) - set({scaffolding!r}))
    if left:
        return "found " + ", ".join(left)
    for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
        for name in ("cmdline", "environ", "mem"):
            try:
                data = open(f"/proc/{{pid}}/" + name, "rb").read(1 << 20)
            except OSError:
                continue
            if {marker[:10]!r}.encode() + {marker[10:]!r}.encode() in data:
                return f"found it in /proc/{{pid}}/{{name}}"
    return "contained"
"""
    )
