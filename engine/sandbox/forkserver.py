"""The warm worker: runs INSIDE the jail, imports torch once, then forks one fresh process per
submission. Started as ``python -m engine.sandbox.forkserver LIMITS_JSON``.

Why a fork per submission: importing torch costs seconds; forking a process that already
has it costs milliseconds. Per submission the server forks a collector, which forks the
learner's process; that process reads the request itself and the collector gathers what it
returns and prints. So the server never holds a learner's code or output, and no later
learner's process (a fork of the server) can find them in memory it inherited. Both are
forked before the request arrives, so a submission starts at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import shutil
import signal
import sys
import time
from typing import TextIO

from engine.sandbox.jail import NOBODY, Limits
from engine.sandbox.protocol import READY, encode_reply

STARTED = b"\x01"  # the child's first byte on the result pipe: it has read its request
STDIN_CLOSED = 3  # a collector's exit status: the pool closed our stdin, the server stops
LEARNER_UID = NOBODY  # set from the command line: one uid per worker (jail.learner_uid)
RESULT_FD = 3  # where the child's result pipe sits while learner code runs
SYSV_IPC = ("/proc/sysvipc/shm", "/proc/sysvipc/sem", "/proc/sysvipc/msg")


def _vm_size_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _other_pids() -> list[int]:
    """Every live process in this pid namespace except bwrap's init (1), this process and
    its parent (the server, when a collector asks)."""
    mine = {"1", str(os.getpid()), str(os.getppid())}
    pids = []
    for name in os.listdir("/proc"):
        if name.isdigit() and name not in mine:
            try:
                with open(f"/proc/{name}/stat") as stat:
                    if stat.read().rpartition(")")[2].split()[0] != "Z":
                        pids.append(int(name))
            except OSError:
                pass  # gone meanwhile
    return pids


def _kill_everything_else() -> None:
    """SIGKILL every other process until none is left: a fork bomb keeps making new ones
    while the first sweep runs, but each sweep leaves fewer that can still fork."""
    for _ in range(1000):
        pids = _other_pids()
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(OSError):  # already gone
                os.kill(pid, signal.SIGKILL)


def _become_learner(limits: Limits, address_space: int) -> None:
    """Drop to this worker's learner uid (when the jail runs as root) and apply the rlimits."""
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(LEARNER_UID)
        os.setuid(LEARNER_UID)
        processes = limits.processes
    else:
        # Same uid as the server outside: count what already runs in this namespace.
        processes = limits.processes + len(_other_pids()) + 2
    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))


def _read_request_line() -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = os.read(0, 65536)
        if not chunk:
            os._exit(0)  # the pool closed our stdin: shut down quietly
        chunks.append(chunk)
        if chunk.endswith(b"\n"):
            return b"".join(chunks)


def _child(limits: Limits, address_space: int, result_w: int, output_w: int) -> None:
    from engine.codecheck.runner import run_request

    os.dup2(output_w, 1)
    os.dup2(output_w, 2)
    os.dup2(result_w, RESULT_FD)
    # Every other descriptor (the server's, the collector's) closes: the learner keeps only
    # its request, its output and its result pipe.
    os.closerange(RESULT_FD + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    result_w = RESULT_FD
    sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
    sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
    _become_learner(limits, address_space)
    request = _read_request_line()
    # The learner must never read the next request from the pool.
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.write(result_w, STARTED)
    # Data only: what the learner's calls left behind. The judge, outside, grades it.
    payload = json.dumps(run_request(json.loads(request))).encode()
    view = memoryview(payload)
    while view:
        view = view[os.write(result_w, view) :]
    os._exit(0)


def _collect(child: int, result_r: int, output_r: int, limits: Limits) -> str:
    """Wait for the child to start, then gather its bounded result and output until it exits
    or the wall clock runs out."""
    pidfd = os.pidfd_open(child)
    first = b""
    while not first:
        ready, _, _ = select.select([result_r, pidfd], [], [])
        if result_r in ready:
            first = os.read(result_r, 1)
        if not first and pidfd in ready:
            os.waitpid(child, 0)
            os._exit(STDIN_CLOSED)  # the child saw stdin close before any request
    deadline = time.monotonic() + limits.wall_seconds
    buffers = {result_r: bytearray(), output_r: bytearray()}
    caps = {result_r: limits.result_bytes, output_r: limits.output_bytes}
    truncated = {result_r: False, output_r: False}
    open_fds = {result_r, output_r}
    timed_out = exited = False
    while not exited:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([*open_fds, pidfd], [], [], left)
        for fd in ready:
            if fd == pidfd:
                exited = True
                continue
            data = os.read(fd, 65536)
            if not data:
                open_fds.discard(fd)
            elif len(buffers[fd]) < caps[fd]:
                buffers[fd] += data[: caps[fd] - len(buffers[fd])]
            else:
                truncated[fd] = True  # keep draining so the child never blocks on a full pipe
    # Whatever the learner left behind (grandchildren, setsid escapees) dies with the child.
    _kill_everything_else()
    _, status, usage = os.wait4(child, 0)
    for fd in list(open_fds):
        while len(buffers[fd]) < caps[fd] and select.select([fd], [], [], 0)[0]:
            data = os.read(fd, 65536)
            if not data:
                break
            buffers[fd] += data[: caps[fd] - len(buffers[fd])]
    os.close(pidfd)
    return encode_reply(
        timed_out=timed_out,
        exit_code=os.waitstatus_to_exitcode(status),
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 3),
        result=bytes(buffers[result_r]),
        result_truncated=truncated[result_r],
        output=bytes(buffers[output_r]),
        output_truncated=truncated[output_r],
    )


def _remove_tree_contents(top: str) -> None:
    """Delete everything under ``top`` with an explicit stack: no recursion, so a tree
    thousands of levels deep cannot stop the sweep (os.walk and shutil.rmtree recurse)."""
    pending = [top]
    emptied: list[str] = []
    while pending:
        folder = pending.pop()
        with contextlib.suppress(OSError):
            os.chmod(folder, 0o700)  # the learner may have locked it (chmod 0)
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        emptied.append(folder)
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
    for folder in reversed(emptied):  # deepest first
        if folder != top:
            with contextlib.suppress(OSError):
                os.rmdir(folder)


def _sweep_tmp(limits: Limits, address_space: int) -> bool:
    """Empty /tmp between submissions, as the learner's uid (it owns what it wrote), so no
    submission reads what an earlier one left; False if anything is left after it."""
    if not os.listdir("/tmp"):
        return True
    pid = os.fork()
    if pid == 0:
        try:
            _become_learner(limits, address_space)
            _remove_tree_contents("/tmp")
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0 and not os.listdir("/tmp")


def _ipc_left() -> bool:
    """Whether any SysV IPC object exists in this jail's IPC namespace (the seccomp filter
    refuses creating one; if one exists anyway, the worker is replaced, which frees it)."""
    for table in SYSV_IPC:
        try:
            with open(table) as listing:
                if len(listing.read().splitlines()) > 1:  # a header line, then one per object
                    return True
        except FileNotFoundError:
            continue
    return False


def _collector(limits: Limits, address_space: int, reply_out: TextIO) -> None:
    """One submission, start to reply, in a process of its own: the learner's process is its
    child, and whatever that process prints or returns passes through the collector's memory
    only. The server's memory, which every later learner's process inherits, never holds
    anything from a submission."""
    result_r, result_w = os.pipe()
    output_r, output_w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(result_r)
        os.close(output_r)
        os.close(reply_out.fileno())
        try:
            _child(limits, address_space, result_w, output_w)
        finally:
            os._exit(70)
    os.close(result_w)
    os.close(output_w)
    reply = _collect(child, result_r, output_r, limits)
    reply_out.write(reply + "\n")
    reply_out.flush()


def serve(limits: Limits) -> None:
    from engine.codecheck.runner import warm_up

    warm_up()
    for name in os.listdir("/tmp"):  # torch's own cache folders, made while importing
        shutil.rmtree(os.path.join("/tmp", name), ignore_errors=True)
    address_space = _vm_size_bytes() + limits.extra_memory_bytes
    reply_out = os.fdopen(os.dup(1), "w", buffering=1)
    sys.stdout = sys.stderr  # nothing else may write on the reply channel
    reply_out.write(READY + "\n")
    while True:
        # Forked ahead of the request, so a submission starts at once.
        collector = os.fork()
        if collector == 0:
            try:
                _collector(limits, address_space, reply_out)
            finally:
                os._exit(0)
        _, status = os.waitpid(collector, 0)
        if os.waitstatus_to_exitcode(status) == STDIN_CLOSED:
            return
        _kill_everything_else()  # the collector did; this covers a collector that failed
        if not _sweep_tmp(limits, address_space) or _ipc_left():
            return  # fail closed: the pool sees no READY and replaces this worker
        reply_out.write(READY + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 2:
        LEARNER_UID = int(sys.argv[2])
    serve(Limits(**json.loads(sys.argv[1])))
