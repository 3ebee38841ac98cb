"""The executor API every way of running a lab run implements: a request in, a run out.

A leaf of ``engine.lab.running``: the inline, stored and Ray executors import it, never each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from engine.lab.checkpoint import Pretrained
from engine.lab.config import FinetuneConfig
from engine.lab.results import BatchProgress, RunResult
from engine.metrics.training_curves import EpochRecord


class RunLost(RuntimeError):
    """The machine training this run went away; nothing of the run was kept."""


class RunStopped(RuntimeError):
    """The learner stopped a run trained elsewhere (inline runs return a cancelled result)."""


@dataclass
class RunRequest:
    config: FinetuneConfig
    pretrained: Pretrained
    owner: str  # one id per browser session: the inline queue's ticket owner
    on_wait: Callable[[int], None] = lambda position: None  # 1 = next in line, 0 = unknown
    on_epoch: Callable[[EpochRecord], None] = lambda stats: None
    on_batch: Callable[[BatchProgress], None] | None = None
    should_stop: Callable[[], bool] = lambda: False

    @property
    def checkpoint_sha(self) -> str:
        return str(self.pretrained.meta.get("sha256", "unknown"))


@dataclass
class ExecutedRun:
    result: RunResult
    replayed: bool = False  # read from the run store, not trained again
    where: str = "this server"


class Executor(Protocol):
    name: str

    def device_kind(self, config: FinetuneConfig) -> str:
        """ "cpu" or "cuda": where ``config`` would train, part of a stored run's key."""
        ...

    def run(self, request: RunRequest) -> ExecutedRun: ...

    def queue_counts(self) -> tuple[int, int]:
        """(training, waiting) runs in the line this executor's runs wait in."""
        ...
