"""The server's CPU budget, shared by lab training and the code sandbox: each holds one slot
while it computes, so a burst of code submissions and a training run never ask the cores
for more than they have together. Each keeps its own queue (engine/lab/running/run_queue.py,
engine/sandbox/pool.py) and its own order; the budget only says whether a core is free."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from engine.runtime.process_wide import process_wide


def default_slots() -> int:
    """One slot per core, and at least two: one training run and one grading side by side."""
    return max(2, os.cpu_count() or 1)


class CpuBudget:
    """A counting semaphore that can say how many slots are taken."""

    def __init__(self, slots: int | None = None) -> None:
        self.slots = default_slots() if slots is None else slots
        if self.slots < 1:
            raise ValueError(f"a CPU budget needs at least 1 slot; got {self.slots!r}")
        self._free = self.slots
        self._cond = threading.Condition()

    @property
    def in_use(self) -> int:
        with self._cond:
            return self.slots - self._free

    def acquire(self, timeout: float | None = None) -> bool:
        """Take a slot, waiting up to ``timeout`` seconds (None: as long as it takes)."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._free > 0, timeout):
                return False
            self._free -= 1
            return True

    def release(self) -> None:
        with self._cond:
            if self._free >= self.slots:
                raise RuntimeError("released a CPU slot that was never taken")
            self._free += 1
            self._cond.notify()

    @contextmanager
    def hold(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()


@process_wide
def shared_budget() -> CpuBudget:
    """The one budget every session and both queues of this server process share."""
    return CpuBudget()
