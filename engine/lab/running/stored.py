"""Stored lab runs: a run identical to one already finished is replayed instead of retrained.

Identical means the same checkpoint (its sha256), configuration, seed and device kind: training
is seeded, so those decide every number the learner reads. Only complete runs are stored, in
one transaction with their epochs, so a run stopped or lost half way leaves nothing behind.

The tables sit beside the store's own, in the same database and migration history
(engine/store/schema.py, engine/store/alembic): opening a RunStore brings the schema up to date.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from engine.lab.config import FinetuneConfig
from engine.lab.results import RunResult
from engine.lab.running.api import ExecutedRun, Executor, RunRequest
from engine.lab.running.wire import (
    config_digest,
    config_to_dict,
    result_from_dict,
    result_to_dict,
)
from engine.metrics.training_curves import EpochRecord
from engine.store.lab_runs import StoredRunKey, StoredRunRows

if TYPE_CHECKING:
    from sqlalchemy import Engine


@dataclass(frozen=True)
class RunKey:
    checkpoint_sha: str
    config_digest: str
    seed: int
    device_kind: str  # "cpu" or "cuda": kernels differ, so their numbers may too

    @classmethod
    def of(cls, config: FinetuneConfig, checkpoint_sha: str, device_kind: str) -> RunKey:
        return cls(checkpoint_sha, config_digest(config), config.seed, device_kind)


class RunStore:
    """Finished runs by RunKey, in any SQLAlchemy database (the app's own, normally)."""

    def __init__(self, engine: Engine) -> None:
        self._rows = StoredRunRows(engine)

    def put(self, key: RunKey, config: FinetuneConfig, result: RunResult) -> bool:
        """Store a complete run; False when it is not complete or the key is already stored."""
        # Complete: every planned epoch, or early stopping's own end (patience ran out).
        finished = len(result.history) == config.epochs or (
            result.stopped_early and len(result.history) < config.epochs
        )
        if result.cancelled or not result.history or not finished:
            return False
        body = result_to_dict(result)
        epochs = body.pop("history")
        return self._rows.put(_row_key(key), config_to_dict(config), body, epochs)

    def get(self, key: RunKey) -> RunResult | None:
        body = self._rows.get(_row_key(key))
        return None if body is None else result_from_dict(body)

    def count(self) -> int:
        return self._rows.count()


def _row_key(key: RunKey) -> StoredRunKey:
    return StoredRunKey(key.checkpoint_sha, key.config_digest, key.seed, key.device_kind)


def replay(
    result: RunResult,
    on_epoch: Callable[[EpochRecord], None],
    pause_s: float = 0.05,
    should_stop: Callable[[], bool] = lambda: False,
) -> bool:
    """Hand a stored run's epochs over one by one so the chart still grows; False if stopped."""
    for stats in result.history:
        if should_stop():
            return False
        on_epoch(stats)
        time.sleep(pause_s)
    return True


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
