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
import signal
import stat
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


CLONE_NEWUSER, CLONE_NEWPID = 0x10000000, 0x20000000
PR_SET_DUMPABLE = 4
SYS_CAPSET = {"x86_64": 126, "aarch64": 91}


def _write(path: str, text: str) -> None:
    with open(path, "w") as file:
        file.write(text)


def _mirror(status: int) -> None:
    """End this process the way the learner's ended (a signal, or an exit status)."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        with contextlib.suppress(OSError, ValueError):
            signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 70)


def _isolate() -> None:
    """As an ordinary user the learner shares the worker's uid, so it could signal the
    fork server or the collector. Give it a pid namespace (in a user namespace of its own)
    where neither exists: this process waits outside and ends as the learner did; a small
    init inside reaps; the learner runs as its pid 2, without capabilities, under the full
    seccomp filter (no further namespaces). Its leftovers die with the namespace."""
    import ctypes

    from engine.sandbox.seccomp import install_on_this_process

    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWPID) != 0:
        os._exit(71)  # no namespace: never run the learner where it could reach the server
    # A process that is not dumpable has its /proc files owned by root: dumpable just long
    # enough to write its own id maps, then not again (nor is anything it forks).
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    status_r, status_w = os.pipe()
    init = os.fork()
    if init:
        os.close(status_w)
        os.waitpid(init, 0)
        raw = os.read(status_r, 32)
        _mirror(int(raw) if raw.strip().lstrip(b"-").isdigit() else 70 << 8)
    os.close(status_r)
    learner = os.fork()
    if learner:
        while True:  # pid 1: reap orphans until the learner itself has ended
            pid, status = os.wait()
            if pid == learner:
                os.write(status_w, str(status).encode())
                os._exit(0)
    os.close(status_w)
    # A process group of its own: kill(0, …) reaches every member of a group, seen from this
    # namespace or not, and the fork server's group is the worker's whole jail.
    os.setsid()
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()
    number = SYS_CAPSET.get(os.uname().machine)
    if number is None or libc.syscall(number, header, data) != 0:
        os._exit(71)
    install_on_this_process()


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
    shares_server_uid = os.getuid() != 0  # the jail as an ordinary user: no uid to drop to
    _become_learner(limits, address_space)
    if shares_server_uid:
        _isolate()  # only the learner's own process returns from here
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


def tmp_entries(top: str = "/tmp") -> set[str]:
    """Every path under ``top`` on its own filesystem, walked with an explicit stack (no
    recursion). A bind mount (a checkout or venv under /tmp, bound read-only on top of the
    private /tmp) is listed but never entered."""
    device = os.lstat(top).st_dev
    found: set[str] = set()
    pending = [top]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            found.add(folder + "/<unreadable>")  # a locked folder is never "empty"
            continue
        for entry in entries:
            found.add(entry.path)
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode) and info.st_dev == device:
                pending.append(entry.path)
    return found


def remove_tree_contents(top: str, keep: frozenset[str] = frozenset()) -> None:
    """Delete everything under ``top`` but ``keep`` (the jail's own scaffolding) with an
    explicit stack: a tree thousands of levels deep cannot stop it (os.walk and
    shutil.rmtree recurse), and a bind mount is never entered."""
    device = os.lstat(top).st_dev
    pending = [top]
    emptied: list[str] = []
    while pending:
        folder = pending.pop()
        if folder != top:  # /tmp keeps its sticky 1777
            with contextlib.suppress(OSError):  # the learner may have locked it (chmod 0)
                os.chmod(folder, 0o755 if folder in keep else 0o700)
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        emptied.append(folder)
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if info.st_dev != device:
                continue  # a mount point: the jail's read-only bind
            if stat.S_ISDIR(info.st_mode):
                pending.append(entry.path)
            elif entry.path not in keep:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
    for folder in reversed(emptied):  # deepest first
        if folder != top and folder not in keep:
            with contextlib.suppress(OSError):
                os.rmdir(folder)


def _sweep_tmp(limits: Limits, address_space: int, scaffolding: frozenset[str]) -> bool:
    """Empty /tmp between submissions, as the learner's uid (it owns what it wrote), so no
    submission reads what an earlier one left; False if anything is left after it."""
    if tmp_entries() <= scaffolding:
        return True
    pid = os.fork()
    if pid == 0:
        try:
            _become_learner(limits, address_space)
            remove_tree_contents("/tmp", scaffolding)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0 and tmp_entries() <= scaffolding


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
    remove_tree_contents("/tmp")  # torch's own cache folders, made while importing
    # What stays is the jail's scaffolding: folders leading to binds of a checkout under /tmp.
    scaffolding = frozenset(tmp_entries())
    address_space = _vm_size_bytes() + limits.extra_memory_bytes
    # Not dumpable (nor is anything forked from here): a learner sharing this uid cannot
    # read or write this process's memory through /proc/PID/mem.
    import ctypes

    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
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
        if not _sweep_tmp(limits, address_space, scaffolding) or _ipc_left():
            return  # fail closed: the pool sees no READY and replaces this worker
        reply_out.write(READY + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 2:
        LEARNER_UID = int(sys.argv[2])
    serve(Limits(**json.loads(sys.argv[1])))
