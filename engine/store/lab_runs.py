"""The lab's stored runs as rows: a finished run's configuration, result and epochs by key.

The lab decides what a run is and when it may be stored (engine/lab/running/stored.py);
this module only writes and reads it, one transaction per run, so a run is stored whole or
not at all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from engine.store.connect import with_retries
from engine.store.migrations import upgrade
from engine.store.schema import lab_stored_run_epochs as stored_epochs
from engine.store.schema import lab_stored_runs as stored_runs


class StoredRunKey(NamedTuple):
    checkpoint_sha: str
    config_digest: str
    seed: int
    device_kind: str


class StoredRunRows:
    """Rows of stored runs in any SQLAlchemy database; opening it brings the schema up to date."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # BEGIN IMMEDIATE on SQLite (see engine.store.connect): no write fails half way.
        self._writer = engine.execution_options(tunelab_write=True)
        upgrade(engine)

    def put(
        self,
        key: StoredRunKey,
        config: dict[str, Any],
        result: dict[str, Any],
        epochs: list[dict[str, Any]],
    ) -> bool:
        """Store one run with its epochs; False when the key is already stored."""

        def transaction() -> None:
            with self._writer.begin() as conn:
                inserted = conn.execute(
                    insert(stored_runs).values(
                        **key._asdict(), config=config, result=result, stored_at=datetime.now(UTC)
                    )
                )
                run_id = inserted.inserted_primary_key[0]  # type: ignore[index]
                conn.execute(
                    insert(stored_epochs),
                    [{"run_id": run_id, "epoch": e["epoch"], "stats": e} for e in epochs],
                )

        try:
            with_retries(transaction)
        except IntegrityError:
            return False
        return True

    def get(self, key: StoredRunKey) -> dict[str, Any] | None:
        """The stored result with its epochs under ``history``, or None."""
        with self._engine.connect() as conn:
            row = conn.execute(
                select(stored_runs.c.id, stored_runs.c.result).where(
                    stored_runs.c.checkpoint_sha == key.checkpoint_sha,
                    stored_runs.c.config_digest == key.config_digest,
                    stored_runs.c.seed == key.seed,
                    stored_runs.c.device_kind == key.device_kind,
                )
            ).first()
            if row is None:
                return None
            epochs = conn.execute(
                select(stored_epochs.c.stats)
                .where(stored_epochs.c.run_id == row.id)
                .order_by(stored_epochs.c.epoch)
            ).scalars()
            return dict(row.result) | {"history": list(epochs)}

    def count(self) -> int:
        with self._engine.connect() as conn:
            return len(conn.execute(select(stored_runs.c.id)).all())
