"""Alembic's environment. TuneLab runs it from engine.store.migrations.upgrade with the
store's own connection (config.attributes["connection"]), inside the store's transaction.

For a developer's `alembic -c engine/store/alembic/alembic.ini ...` (a new revision with
--autogenerate, or offline SQL with --sql), the database is $TUNELAB_DATABASE_URL or the
default SQLite file, as the app resolves it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from engine.store.connect import make_engine, resolve_url
from engine.store.schema import metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite alters a table by copying it: batch mode writes revisions that way.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=resolve_url(None), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif (shared := context.config.attributes.get("connection")) is not None:
    run(shared)
else:
    engine = make_engine(resolve_url(None), busy_timeout_s=10.0)
    try:
        with engine.execution_options(tunelab_write=True).begin() as conn:
            run(conn)
    finally:
        engine.dispose()
