"""Who trains a lab run: the app server itself (default) or a Ray cluster, behind one call.

The page asks ``lab_executor().run(request)`` and gets the same callbacks either way: its place
in the line while it waits, one EpochRecord per epoch for the live chart, and the RunResult.
With a RunStore in front, a run identical to a stored one is replayed instead of retrained.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from engine.lab.running.api import Executor
from engine.lab.running.inline import InlineExecutor
from engine.lab.running.stored import RunStore, StoredRunsExecutor
from engine.runtime.process_wide import process_wide

if TYPE_CHECKING:
    from sqlalchemy import Engine

RAY_ADDRESS_ENV = "TUNELAB_RAY_ADDRESS"
RUN_STORE_ENV = "TUNELAB_RUN_STORE"  # "on" stores and replays runs without Ray too


def executor_from_env(env: dict[str, str]) -> Executor:
    address = env.get(RAY_ADDRESS_ENV, "").strip()
    if address:
        from engine.lab.running.ray_cluster import RayExecutor
        from engine.store.cluster_queue import ClusterQueue

        engine = _database_engine()
        return StoredRunsExecutor(RayExecutor(address, ClusterQueue(engine)), RunStore(engine))
    if env.get(RUN_STORE_ENV, "").strip().lower() in ("1", "on", "yes", "true"):
        return StoredRunsExecutor(InlineExecutor(), RunStore(_database_engine()))
    return InlineExecutor()


def _database_engine() -> Engine:
    from engine.store import Store

    return Store.open().sql_engine


# The executor this server uses, chosen once from the environment (made under a lock, so two
# sessions arriving together cannot each build a Ray client).
lab_executor = process_wide(lambda: executor_from_env(dict(os.environ)))
