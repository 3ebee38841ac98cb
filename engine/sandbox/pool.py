"""A small pool of jailed warm workers with a visible queue: at most ``size`` submissions run
at once, and a waiting caller can read its place."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import deque
from pathlib import Path
from typing import Any

from engine.runtime.cpu_budget import CpuBudget, shared_budget
from engine.runtime.process_wide import process_wide
from engine.sandbox.jail import Limits, SandboxUnavailable, find_bwrap, learner_uid, probe
from engine.sandbox.protocol import WorkerReply
from engine.sandbox.worker import JailedWorker, WorkerLost

log = logging.getLogger(__name__)


class Ticket:
    """One queued submission. ``position``: how many submissions wait ahead of it (0: next,
    or already running; ``running`` tells which)."""

    def __init__(self, pool: SandboxPool, request: dict[str, Any]) -> None:
        self._pool = pool
        self.request = request
        self._done = threading.Event()
        self._reply: WorkerReply | None = None
        self._error: Exception | None = None
        self.running = False

    @property
    def position(self) -> int:
        return self._pool._position(self)

    def _finish(self, reply: WorkerReply | None, error: Exception | None) -> None:
        self._reply, self._error = reply, error
        self._done.set()

    def result(self, timeout: float | None = None) -> WorkerReply:
        """The worker's reply; raises SandboxUnavailable or WorkerLost."""
        if not self._done.wait(timeout):
            raise TimeoutError("the submission is still queued or running")
        if self._error is not None:
            raise self._error
        assert self._reply is not None
        return self._reply


# How often a worker thread waiting for a CPU slot looks whether the pool was closed.
BUDGET_POLL_S = 0.5


class SandboxPool:
    """``size`` threads, each owning one jailed worker that it restarts when lost. A worker
    runs a submission only while it holds a slot of the server's CPU ``budget`` (shared
    with lab training); until then the submission keeps its place in the queue."""

    def __init__(
        self,
        size: int = 2,
        limits: Limits | None = None,
        bwrap: Path | None = None,
        budget: CpuBudget | None = None,
    ) -> None:
        self.size = size
        self.budget = budget or shared_budget()
        self.limits = limits or Limits()
        self._bwrap = bwrap
        self._queue: deque[Ticket] = deque()
        self._cond = threading.Condition()
        self._closed = False
        self._unavailable: SandboxUnavailable | None = None
        self._workers: list[JailedWorker | None] = [None] * size
        self._threads: list[threading.Thread] = []
        self.restarts = 0

    def start(self, wait: bool = True) -> None:
        """Probe the jail, then start the workers; SandboxUnavailable if none can start."""
        try:
            self._bwrap = self._bwrap or find_bwrap()
            probe(self._bwrap)
        except SandboxUnavailable as error:
            self._unavailable = error
            raise
        started = [threading.Event() for _ in range(self.size)]
        for slot in range(self.size):
            thread = threading.Thread(
                target=self._serve, args=(slot, started[slot]), daemon=True, name=f"sandbox-{slot}"
            )
            thread.start()
            self._threads.append(thread)
        if wait:
            for event in started:
                event.wait()
            if self._unavailable:
                raise self._unavailable

    def submit(self, request: dict[str, Any]) -> Ticket:
        ticket = Ticket(self, request)
        with self._cond:
            if self._unavailable is not None:
                ticket._finish(None, self._unavailable)
                return ticket
            if not self._threads:
                raise RuntimeError("SandboxPool.start() was never called")
            self._queue.append(ticket)
            self._cond.notify()
        return ticket

    def run(self, request: dict[str, Any], timeout: float | None = None) -> WorkerReply:
        return self.submit(request).result(timeout)

    def _position(self, ticket: Ticket) -> int:
        with self._cond:
            return self._queue.index(ticket) if ticket in self._queue else 0

    @property
    def unavailable(self) -> SandboxUnavailable | None:
        """Why no sandbox can run here (None while it can): pages say so, never run unjailed."""
        return self._unavailable

    def worker_pids(self) -> list[int]:
        return [w.pid for w in self._workers if w is not None]

    def _serve(self, slot: int, started: threading.Event) -> None:
        worker: JailedWorker | None = None
        while True:
            if worker is None:
                try:
                    worker = JailedWorker(
                        self._bwrap or find_bwrap(), self.limits, learner_uid(slot)
                    )
                except (SandboxUnavailable, OSError) as error:
                    why = error if isinstance(error, SandboxUnavailable) else None
                    self._fail_all(why or SandboxUnavailable(f"bubblewrap failed: {error}"))
                    started.set()
                    return
                self._workers[slot] = worker
            started.set()
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if self._closed:
                    worker.close()
                    return
            if not self.budget.acquire(timeout=BUDGET_POLL_S):
                continue  # no free core yet: the submission keeps its place
            try:
                with self._cond:
                    if not self._queue or self._closed:
                        continue  # another worker took it, or the pool closed meanwhile
                    ticket = self._queue.popleft()
                    ticket.running = True
                try:
                    ticket._finish(worker.run(ticket.request), None)
                except WorkerLost as lost:
                    log.warning("sandbox worker %s lost during a submission: %s", slot, lost)
                    ticket._finish(None, lost)
                    worker, self._workers[slot] = None, None
                    self.restarts += 1
                    continue
                try:
                    worker.wait_clean()  # fail closed: a worker left dirty is replaced
                except WorkerLost as dirty:
                    log.warning("sandbox worker %s replaced, not clean: %s", slot, dirty)
                    worker, self._workers[slot] = None, None
                    self.restarts += 1
            finally:
                self.budget.release()

    def _fail_all(self, error: SandboxUnavailable) -> None:
        with self._cond:
            self._unavailable = error
            while self._queue:
                self._queue.popleft()._finish(None, error)

    def close(self) -> None:
        """Stop the workers; submissions still queued fail with WorkerLost."""
        with self._cond:
            self._closed = True
            while self._queue:
                self._queue.popleft()._finish(None, WorkerLost("the sandbox pool was closed"))
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=10)


SHARED_POOL_SIZE = 2  # warm jailed workers per server; the CPU budget bounds what runs at once


@process_wide
def shared_pool() -> SandboxPool:
    """The one pool every session of this server process shares, started on first use
    (torch warms up in the jail meanwhile). Where no jail can start it stays unavailable
    and every submission says so: never a fallback to running code unjailed."""
    pool = SandboxPool(size=SHARED_POOL_SIZE)
    with contextlib.suppress(SandboxUnavailable):
        pool.start(wait=False)
    return pool
