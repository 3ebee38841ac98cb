"""The jail's last holes (red team 3, §2), through the real jail: SysV IPC and the other
system calls learner code never needs are refused, a /tmp tree too deep to walk is still
swept, a within-cap reply of control bytes no longer kills the worker, each worker has its
own learner uid, and the learner keeps no descriptor it does not need."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.codecheck.grade import NOT_GRADED
from engine.sandbox.forkserver import remove_tree_contents
from engine.sandbox.jail import NOBODY, _readonly_roots, learner_uid
from engine.sandbox.seccomp import filter_program, refused_syscalls
from tests.helpers.sandbox_pool import TEST_LIMITS, attack, shared_pool

SYSCALLS = refused_syscalls()


def contained(code: str) -> None:
    result = attack(code)
    assert result.gradable, result.message
    assert result.tests and result.tests[0].passed, (
        result.tests[0].message if result.tests else result.message
    )


def test_the_filter_refuses_each_call_and_kills_other_architectures() -> None:
    program = filter_program()
    assert len(program) % 8 == 0  # struct sock_filter entries
    for name in ("shmget", "semget", "msgget", "mq_open", "ptrace", "keyctl", "userfaultfd"):
        assert name in SYSCALLS
    assert {"perf_event_open", "bpf", "process_vm_writev", "unshare"} <= set(SYSCALLS)


def test_a_tree_deeper_than_pythons_recursion_limit_is_removed(tmp_path: Path) -> None:
    folder = tmp_path
    for _ in range(1100):
        folder = folder / "d"
        folder.mkdir()
    (folder / "left_by_a.py").write_text("secret")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "inside").write_text("x")
    (tmp_path / "locked").chmod(0)
    remove_tree_contents(str(tmp_path))
    assert os.listdir(tmp_path) == []


@pytest.mark.slow
def test_sysv_ipc_and_message_queues_are_refused_inside_the_jail() -> None:
    contained(
        f"""
import ctypes, ctypes.util, errno
libc = ctypes.CDLL(None, use_errno=True)
def attack(model):
    for name, args in [("shmget", (0x7E3A, 1 << 20, 0o1666)), ("semget", (0x7E3B, 1, 0o1666)),
                       ("msgget", (0x7E3C, 0o1666))]:
        if getattr(libc, name)(*args) != -1:
            return name + " worked"
        if ctypes.get_errno() != errno.EPERM:
            return name + " failed with errno " + str(ctypes.get_errno())
    rt = ctypes.CDLL(ctypes.util.find_library("rt") or None, use_errno=True)
    if rt.mq_open(b"/rt3", 0o100 | 2, 0o666, None) != -1:
        return "mq_open worked"
    for name, number in {SYSCALLS!r}.items():
        if name in ("ptrace", "keyctl", "userfaultfd", "perf_event_open", "bpf",
                    "process_vm_readv", "add_key", "io_uring_setup", "unshare"):
            if libc.syscall(number, 0, 0, 0, 0, 0) != -1 or ctypes.get_errno() != errno.EPERM:
                return name + " was not refused"
    return "contained"
"""
    )


@pytest.mark.slow
def test_a_tree_1100_levels_deep_left_in_tmp_is_swept_before_the_next_learner() -> None:
    marker = "LEFT-BY-LEARNER-A"
    first = attack(
        f"""
import os
def attack(model):
    os.chdir("/tmp")
    for _ in range(1100):
        os.mkdir("d")
        os.chdir("d")
    open("left_by_a.py", "w").write({marker!r})
    open("/tmp/rt3_deep_left_by_A.py", "w").write({marker!r})
    return "contained"
"""
    )
    assert first.score == 1.0, first.message
    scaffolding = sorted(
        {r.relative_to("/tmp").parts[0] for r in _readonly_roots() if r.is_relative_to("/tmp")}
    )
    contained(
        f"""
import os
def attack(model):
    left = sorted(set(os.listdir("/tmp")) - set({scaffolding!r}))
    return "found " + ", ".join(left) if left else "contained"
"""
    )


@pytest.mark.slow
def test_64_kib_of_control_bytes_on_the_result_pipe_do_not_kill_the_worker() -> None:
    pool = shared_pool()
    restarts = pool.restarts
    result = attack(
        """
import os, sys
def attack(model):
    sys.stdout.write("\\x01" * 8192)
    sys.stdout.flush()
    os.write(3, b"\\x01" * (64 << 10))
    os._exit(0)
"""
    )
    assert result.message == NOT_GRADED
    assert pool.restarts == restarts
    contained("def attack(model):\n    return 'contained'\n")


@pytest.mark.slow
def test_the_learner_keeps_only_its_output_and_its_result_pipe() -> None:
    contained(
        """
import os
def attack(model):
    fds = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
    listing = fds[-1]  # the descriptor listdir itself opened
    open_fds = [fd for fd in fds if fd != listing]
    return "contained" if open_fds == [0, 1, 2, 3] else f"open: {open_fds}"
"""
    )


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="as a normal user the jail keeps the server's uid")
def test_as_root_each_worker_runs_learner_code_under_its_own_uid() -> None:
    worker = shared_pool()._workers[0]
    assert worker is not None
    assert worker.learner_uid == learner_uid(0) != NOBODY
    assert learner_uid(0) != learner_uid(1)
    contained(
        f"import os\ndef attack(model):\n"
        f"    return 'contained' if os.getuid() == {worker.learner_uid} else str(os.getuid())\n"
    )


@pytest.mark.slow
def test_where_the_machine_offers_cgroups_each_worker_runs_in_its_own() -> None:
    worker = shared_pool()._workers[0]
    assert worker is not None
    if worker.cgroup is None:
        pytest.skip("no writable cgroup hierarchy here (not root, or none delegated)")
    names = {folder.name for folder in worker.cgroup.folders}
    with open(f"/proc/{worker.pid}/cgroup") as membership:
        assert any(name in membership.read() for name in names)
    limits = [f / "pids.max" for f in worker.cgroup.folders if (f / "pids.max").exists()]
    assert [int(f.read_text()) for f in limits] == [2 * TEST_LIMITS.processes + 16]


@pytest.mark.slow
def test_no_other_process_of_the_jail_can_be_read_or_written_through_proc() -> None:
    # As an ordinary user the learner shares the fork server's uid: only its not being
    # dumpable keeps /proc/PID/mem (and so every later learner's process) closed.
    contained(
        """
import os
def attack(model):
    me = os.readlink("/proc/self")  # this process's number as /proc counts it
    for pid in [p for p in os.listdir("/proc") if p.isdigit() and p != me]:
        try:
            with open(f"/proc/{pid}/mem", "r+b", buffering=0):
                return "opened /proc/" + pid + "/mem"
        except OSError:
            continue
    return "contained"
"""
    )


def test_cgroups_left_by_a_server_that_is_gone_are_removed(tmp_path: Path) -> None:
    from engine.sandbox.cgroup import PREFIX, remove_orphans

    (tmp_path / "pids").mkdir()
    gone = tmp_path / "pids" / f"{PREFIX}999999999-1-2"  # no such pid
    mine = tmp_path / "pids" / f"{PREFIX}{os.getpid()}-1-2"
    other = tmp_path / "pids" / "someone-else"
    for folder in (gone, mine, other):
        folder.mkdir()
    remove_orphans(tmp_path)
    assert not gone.exists() and mine.exists() and other.exists()
