"""Who trains a lab run: the app server itself (default) or a Ray cluster, behind one call.

The page asks ``lab_executor().run(request)`` and gets the same callbacks either way: its place
in the line while it waits, one EpochRecord per epoch for the live chart, and the RunResult.
With a RunStore in front, a run identical to a stored one is replayed instead of retrained.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from sqlalchemy import Engine

from engine.lab.checkpoint import Pretrained
from engine.lab.device import pick_device
from engine.lab.results import BatchProgress, RunResult
from engine.lab.running.run_queue import shared_queue
from engine.lab.running.stored import RunKey, RunStore, replay
from engine.lab.train import FinetuneConfig, finetune
from engine.metrics.training_curves import EpochRecord

RAY_ADDRESS_ENV = "TUNELAB_RAY_ADDRESS"
RUN_STORE_ENV = "TUNELAB_RUN_STORE"  # "on" stores and replays runs without Ray too


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


@dataclass
class InlineExecutor:
    """Today's behaviour: train in the caller's thread, one run at a time per server."""

    name: str = "inline"

    def device_kind(self, config: FinetuneConfig) -> str:
        return pick_device(config.device).type

    def queue_counts(self) -> tuple[int, int]:
        # Per server on purpose: this line guards this server's own cores (see README).
        return shared_queue().counts()

    def run(self, request: RunRequest) -> ExecutedRun:
        with shared_queue().slot(request.owner, on_wait=request.on_wait) as ticket:
            result = finetune(
                request.config,
                request.pretrained.model,
                on_epoch=request.on_epoch,
                on_batch=request.on_batch,
                should_stop=lambda: ticket.cancel_requested.is_set() or request.should_stop(),
            )
        return ExecutedRun(result)


@dataclass
class StoredRunsExecutor:
    """Replays a run already stored under the same key; otherwise runs it and stores it."""

    inner: Executor
    store: RunStore
    replay_pause_s: float = 0.05
    name: str = field(init=False)

    def __post_init__(self) -> None:
        self.name = f"{self.inner.name}+store"

    def device_kind(self, config: FinetuneConfig) -> str:
        return self.inner.device_kind(config)

    def queue_counts(self) -> tuple[int, int]:
        return self.inner.queue_counts()

    def run(self, request: RunRequest) -> ExecutedRun:
        key = RunKey.of(request.config, request.checkpoint_sha, self.device_kind(request.config))
        stored = self.store.get(key)
        if stored is not None:
            finished = replay(stored, request.on_epoch, self.replay_pause_s, request.should_stop)
            return ExecutedRun(replace(stored, cancelled=not finished), replayed=True)
        executed = self.inner.run(request)
        self.store.put(key, request.config, executed.result)  # refuses incomplete runs
        return executed


_executor: Executor | None = None


def lab_executor() -> Executor:
    """The executor this server uses, chosen once from the environment."""
    global _executor
    if _executor is None:
        _executor = executor_from_env(dict(os.environ))
    return _executor


def executor_from_env(env: dict[str, str]) -> Executor:
    address = env.get(RAY_ADDRESS_ENV, "").strip()
    if address:
        from engine.lab.running.cluster_queue import ClusterQueue
        from engine.lab.running.ray_cluster import RayExecutor

        engine = _database_engine()
        return StoredRunsExecutor(RayExecutor(address, ClusterQueue(engine)), RunStore(engine))
    if env.get(RUN_STORE_ENV, "").strip().lower() in ("1", "on", "yes", "true"):
        return StoredRunsExecutor(InlineExecutor(), RunStore(_database_engine()))
    return InlineExecutor()


def _database_engine() -> Engine:
    from engine.store import Store

    return Store.open().engine
