"""A server-wide training queue: at most N runs at once, first come first served, cancellable.

Pages hold a ticket while they wait and train in their own script thread, so the live chart is
drawn by the session that owns the run; the queue only decides whose turn it is.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch

from engine.runtime.cpu_budget import CpuBudget, shared_budget
from engine.runtime.process_wide import process_wide

# A waiting ticket nobody has polled for this long belongs to a closed tab: drop it.
STALE_AFTER_S = 30.0


def default_max_concurrent() -> int:
    """One run at a time on a CPU (two cores are busy enough); two on a GPU."""
    return 2 if torch.cuda.is_available() else 1


class QueueCancelled(RuntimeError):
    """The ticket was cancelled (or expired) before its turn came."""


@dataclass
class Ticket:
    id: int
    owner: str
    cancel_requested: threading.Event = field(default_factory=threading.Event)
    last_seen: float = field(default_factory=time.monotonic)


class TrainingQueue:
    def __init__(self, max_concurrent: int | None = None, budget: CpuBudget | None = None) -> None:
        self.max_concurrent = max_concurrent or default_max_concurrent()
        self.budget = budget or shared_budget()
        if self.max_concurrent < 1:
            raise ValueError(f"max_concurrent must be at least 1; got {self.max_concurrent!r}")
        self._lock = threading.Condition()
        self._ids = itertools.count(1)
        self._waiting: list[Ticket] = []
        self._running: dict[int, Ticket] = {}

    def enqueue(self, owner: str) -> Ticket:
        with self._lock:
            ticket = Ticket(next(self._ids), owner)
            self._waiting.append(ticket)
            return ticket

    def position(self, ticket: Ticket) -> int:
        """0 while running; 1 = next in line; -1 when neither (finished, cancelled, expired)."""
        with self._lock:
            ticket.last_seen = time.monotonic()
            if ticket.id in self._running:
                return 0
            ids = [t.id for t in self._waiting]
            return ids.index(ticket.id) + 1 if ticket.id in ids else -1

    def try_start(self, ticket: Ticket) -> bool:
        """Start if this ticket is first in line and a slot is free."""
        with self._lock:
            ticket.last_seen = time.monotonic()
            self._drop_stale(keep=ticket)
            if ticket.id in self._running:
                return True
            if ticket.cancel_requested.is_set() or ticket not in self._waiting:
                raise QueueCancelled(f"training job {ticket.id} was cancelled before it started")
            if self._waiting[0] is ticket and len(self._running) < self.max_concurrent:
                self._waiting.pop(0)
                self._running[ticket.id] = ticket
                return True
            return False

    def wait_turn(
        self, ticket: Ticket, on_wait: Callable[[int], None] | None = None, poll_s: float = 0.25
    ) -> None:
        """Block until ``ticket`` runs, calling ``on_wait(position)`` while it waits."""
        while not self.try_start(ticket):
            if on_wait is not None:
                on_wait(self.position(ticket))
            with self._lock:
                self._lock.wait(poll_s)

    def finish(self, ticket: Ticket) -> None:
        with self._lock:
            self._running.pop(ticket.id, None)
            if ticket in self._waiting:
                self._waiting.remove(ticket)
            self._lock.notify_all()

    def cancel(self, ticket: Ticket) -> None:
        """Leave the line, or ask a running job to stop (its ``should_stop`` turns True)."""
        ticket.cancel_requested.set()
        with self._lock:
            if ticket in self._waiting:
                self._waiting.remove(ticket)
            self._lock.notify_all()

    def counts(self) -> tuple[int, int]:
        """(running, waiting) right now, server-wide."""
        with self._lock:
            return len(self._running), len(self._waiting)

    @contextmanager
    def slot(self, owner: str, on_wait: Callable[[int], None] | None = None) -> Iterator[Ticket]:
        """Wait for a turn, run the body, always give the slot back (even on errors/reruns).

        The run also holds a slot of the server's CPU budget, which the code sandbox shares,
        so that training and grading together never oversubscribe the cores."""
        ticket = self.enqueue(owner)
        try:
            self.wait_turn(ticket, on_wait)
            with self.budget.hold():
                yield ticket
        finally:
            self.finish(ticket)

    def _drop_stale(self, keep: Ticket) -> None:
        now = time.monotonic()
        self._waiting = [t for t in self._waiting if t is keep or now - t.last_seen < STALE_AFTER_S]


@process_wide
def shared_queue() -> TrainingQueue:
    """The one queue every session of this server process shares."""
    return TrainingQueue()
