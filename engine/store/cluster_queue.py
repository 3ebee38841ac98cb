"""The learner's place in line when lab runs go to a Ray cluster, counted in the database.

Ray schedules a task when a worker has room but never says how many tasks are ahead of it,
and the tasks ahead may come from any app server. So every server writes its runs here: a row
when a run is submitted, marked started when the worker reports in, deleted when the run ends.
A learner's place is the number of unstarted rows submitted no later than theirs.

Rows carry a heartbeat: a server killed mid-run cannot delete its rows, so rows not seen for
``STALE_AFTER_S`` are ignored (and swept) rather than blocking everyone's count. Times are
seconds since the epoch, passed in, so every server must keep its clock in sync (NTP).
"""

from __future__ import annotations

from sqlalchemy import Engine, delete, func, insert, select, update

from engine.store.connect import with_retries
from engine.store.errors import translate_database_errors
from engine.store.migrations import upgrade
from engine.store.schema import lab_cluster_runs as cluster_runs

# A server refreshes its rows about once a second; ten missed refreshes means it is gone.
STALE_AFTER_S = 10.0


@translate_database_errors
class ClusterQueue:
    """Runs submitted to the cluster by every app server, in one shared database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = engine.execution_options(tunelab_write=True)
        upgrade(engine)  # the table is in the store's migration history

    def submit(self, owner: str, now: float) -> int:
        """Record a run just handed to the cluster; its id orders it among the others."""

        def transaction() -> int:
            with self._writer.begin() as conn:
                row = conn.execute(
                    insert(cluster_runs).values(owner=owner, submitted_at=now, seen_at=now)
                )
                return int(row.inserted_primary_key[0])  # type: ignore[index]

        return with_retries(transaction)

    def place(self, run_id: int, now: float) -> int:
        """1 = next to start, 2 = one run ahead, ...; 0 once started (or gone). Refreshes
        the run's heartbeat, so call it while following the run."""
        fresh_since = now - STALE_AFTER_S

        def transaction() -> int:
            with self._writer.begin() as conn:
                conn.execute(
                    update(cluster_runs).where(cluster_runs.c.id == run_id).values(seen_at=now)
                )
                mine = conn.execute(
                    select(cluster_runs.c.started_at).where(cluster_runs.c.id == run_id)
                ).first()
                if mine is None or mine.started_at is not None:
                    return 0
                ahead = conn.execute(
                    select(func.count())
                    .select_from(cluster_runs)
                    .where(
                        cluster_runs.c.started_at.is_(None),
                        cluster_runs.c.id < run_id,
                        cluster_runs.c.seen_at >= fresh_since,
                    )
                ).scalar_one()
                return int(ahead) + 1

        return with_retries(transaction)

    def mark_started(self, run_id: int, now: float) -> None:
        self._set(run_id, started_at=now, seen_at=now)

    def heartbeat(self, run_id: int, now: float) -> None:
        self._set(run_id, seen_at=now)

    def finish(self, run_id: int, now: float) -> None:
        """The run ended (done, stopped or lost); also sweep rows of servers that died."""

        def transaction() -> None:
            with self._writer.begin() as conn:
                conn.execute(
                    delete(cluster_runs).where(
                        (cluster_runs.c.id == run_id)
                        | (cluster_runs.c.seen_at < now - STALE_AFTER_S)
                    )
                )

        with_retries(transaction)

    def counts(self, now: float) -> tuple[int, int]:
        """(training, waiting) across the whole cluster, counting only live rows."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(cluster_runs.c.started_at.is_not(None), func.count())
                .where(cluster_runs.c.seen_at >= now - STALE_AFTER_S)
                .group_by(cluster_runs.c.started_at.is_not(None))
            ).all()
        by_state = {bool(started): int(n) for started, n in rows}
        return by_state.get(True, 0), by_state.get(False, 0)

    def _set(self, run_id: int, **values: float) -> None:
        def transaction() -> None:
            with self._writer.begin() as conn:
                conn.execute(
                    update(cluster_runs).where(cluster_runs.c.id == run_id).values(**values)
                )

        with_retries(transaction)
