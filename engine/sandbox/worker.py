"""The app's handle on one jailed warm worker: start it, send a request, read the bounded
reply before a deadline, and kill its whole process group when anything goes wrong."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from engine.sandbox import cgroup
from engine.sandbox.jail import (
    JAIL_HOST_ENV,
    NOBODY,
    Limits,
    SandboxUnavailable,
    jail_argv,
    seccomp_fd,
)
from engine.sandbox.protocol import MAX_REPLY_LINE, READY, WorkerReply, decode_reply, encode_request

START_SECONDS = 180.0  # importing torch on a busy 2-core machine can take a while
REPLY_GRACE_SECONDS = 5.0
CLEAN_SECONDS = 30.0  # the sweep after a submission, on a busy machine
# The whole jail's cgroup (where the machine offers one): torch in the fork server and the
# pre-forked processes take ~1 GiB resident, and the learner its rlimit's worth on top.
WORKER_BASE_MEMORY = 2 << 30
WORKER_OWN_PROCESSES = 16  # bwrap, its init, fork server, collector, sweeper, namespaces


class WorkerLost(RuntimeError):
    """The worker died or stopped answering; it has been killed and must be replaced."""


class JailedWorker:
    def __init__(self, bwrap: Path, limits: Limits, learner_uid: int = NOBODY) -> None:
        self.limits = limits
        self.learner_uid = learner_uid  # used when the server is root
        self._pending = bytearray()
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the worker
        # -P: never put the cwd (/tmp, which the learner writes) on sys.path.
        command = ["-P", "-m", "engine.sandbox.forkserver", json.dumps(asdict(limits))]
        command.append(str(learner_uid))
        self.cgroup = cgroup.create(
            cgroup.name_for(f"{learner_uid}-{id(self)}"),
            memory_bytes=WORKER_BASE_MEMORY + limits.extra_memory_bytes + limits.tmp_bytes,
            processes=2 * limits.processes + WORKER_OWN_PROCESSES,
        )
        seccomp = seccomp_fd()
        try:
            self.process = subprocess.Popen(
                cgroup.joining(self.cgroup, jail_argv(bwrap, command, limits, seccomp=seccomp)),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                env=JAIL_HOST_ENV,
                start_new_session=True,  # so the wall-clock kill takes the whole group
                pass_fds=(seccomp,),
            )
        finally:
            os.close(seccomp)
        try:
            line = self._read_line(time.monotonic() + START_SECONDS)
        except WorkerLost as lost:
            raise SandboxUnavailable(f"the sandbox worker did not start: {self._why()}") from lost
        if line.strip() != READY.encode():
            self.kill()
            raise SandboxUnavailable(f"the sandbox worker did not start: {self._why()}")

    @property
    def pid(self) -> int:
        return self.process.pid

    def _why(self) -> str:
        self._stderr.seek(0)
        text = self._stderr.read()[-2000:].decode("utf-8", "replace").strip()
        return text.splitlines()[-1] if text else f"exit status {self.process.poll()}"

    def _read_line(self, deadline: float) -> bytes:
        """The next line from the worker: replies and READY lines may arrive in one read,
        so what follows a line waits in a buffer for the next call."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while b"\n" not in self._pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                self.kill()
                raise WorkerLost("the worker did not answer in time")
            chunk = os.read(fd, 65536)
            if not chunk or len(self._pending) + len(chunk) > MAX_REPLY_LINE:
                self.kill()
                raise WorkerLost("the worker stopped or sent an oversized reply")
            self._pending += chunk
        line, _, rest = bytes(self._pending).partition(b"\n")
        self._pending = bytearray(rest)
        return line + b"\n"

    def run(self, request: dict[str, Any]) -> WorkerReply:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(encode_request(request))
            self.process.stdin.flush()
        except OSError as error:
            self.kill()
            raise WorkerLost(f"the worker is gone: {error}") from error
        deadline = time.monotonic() + self.limits.wall_seconds + REPLY_GRACE_SECONDS
        line = self._read_line(deadline)
        try:
            return decode_reply(line)
        except (ValueError, KeyError, TypeError) as error:
            self.kill()
            raise WorkerLost(f"unreadable reply: {error}") from error

    def wait_clean(self) -> None:
        """After a reply the worker sweeps what the submission left (processes, /tmp, IPC)
        and says READY again; a worker that cannot is killed (WorkerLost) and replaced
        before the next learner's code would run in it."""
        line = self._read_line(time.monotonic() + CLEAN_SECONDS)
        if line.strip() != READY.encode():
            self.kill()
            raise WorkerLost("the worker could not clean up after a submission")

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._stderr.close()
        if self.cgroup is not None:
            self.cgroup.remove()

    def close(self) -> None:
        """Closing stdin lets the server exit on its own; the kill is the backstop."""
        if self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.close()
                self.process.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()
