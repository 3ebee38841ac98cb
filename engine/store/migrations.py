"""The schema, owned by Alembic (engine/store/alembic/versions), brought up to date on open.

Databases made before Alembic carry a ``schema_version`` table instead, written by the four
hand-written steps below. Opening one finishes those steps up to version 4, stamps the
baseline revision (which is exactly version 4) and then upgrades it like any other database.
Everything runs in one transaction, from the store's own connection: no alembic.ini is read.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, Table, func, insert, inspect, select, text

from engine.store.errors import StoreUnavailable
from engine.store.schema import TABLES_V1, TABLES_V2, TABLES_V3, schema_version

ALEMBIC_DIR = Path(__file__).resolve().with_name("alembic")
# The first Alembic revision: the schema the hand-written steps left at version 4.
BASELINE_REVISION = "0001"
# PostgreSQL advisory lock held while a server migrates, so two servers starting together
# migrate one after the other (SQLite's BEGIN IMMEDIATE does the same there).
MIGRATION_LOCK = 7231405


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _create(*tables: Table) -> Callable[[Connection], None]:
    def apply(conn: Connection) -> None:
        for table in tables:
            table.create(conn)

    return apply


def _add_variant_seed(conn: Connection) -> None:
    # Step 1 builds `answers` from today's definition, which has the column: only databases
    # made before this step lack it.
    if "variant_seed" not in {c["name"] for c in inspect(conn).get_columns("answers")}:
        conn.execute(text("ALTER TABLE answers ADD COLUMN variant_seed BIGINT"))


# The pre-Alembic history, frozen: it only finishes databases made before Alembic (and
# builds them in tests). New schema changes are Alembic revisions.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "learners, attempts and answers", _create(*TABLES_V1)),
    Migration(2, "review cards for the Leitner queue", _create(*TABLES_V2)),
    Migration(3, "PIN credentials, wrong-guess gates and server secrets", _create(*TABLES_V3)),
    Migration(4, "the family variant each answer was given", _add_variant_seed),
)
LATEST_VERSION = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int:
    """The highest hand-written step applied, 0 where there is no schema_version table."""
    if not inspect(conn).has_table(schema_version.name):
        return 0
    return conn.execute(select(func.coalesce(func.max(schema_version.c.version), 0))).scalar_one()


def _newer_than_this_tunelab(what: str) -> StoreUnavailable:
    return StoreUnavailable(
        f"The database schema is {what}, newer than this TuneLab understands (up to "
        f"{head_revision()}): upgrade TuneLab before opening it."
    )


def _apply_steps(conn: Connection, version: int, target: int) -> int:
    if version > LATEST_VERSION:
        raise _newer_than_this_tunelab(f"version {version}")
    schema_version.create(conn, checkfirst=True)
    for step in MIGRATIONS:
        if version < step.version <= target:
            step.apply(conn)
            conn.execute(
                insert(schema_version).values(
                    version=step.version,
                    description=step.description,
                    applied_at=datetime.now(UTC),
                )
            )
            version = step.version
    return version


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))


def migrate(engine: Engine, *, target: int = LATEST_VERSION) -> int:
    """Apply the hand-written steps up to ``target``: a database as TuneLab made it before
    Alembic (tests build old databases with it). ``upgrade`` is what opening a store runs."""
    with engine.execution_options(tunelab_write=True).begin() as conn:
        _lock(conn)
        return _apply_steps(conn, current_version(conn), target)


def alembic_config(conn: Connection | None = None) -> Config:
    """Alembic's configuration, built in code; ``conn`` is the connection env.py migrates."""
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    if conn is not None:
        config.attributes["connection"] = conn
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    # Read once per process: the revisions ship with the code and never change under it.
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None, "the versions folder always holds the baseline"
    return head


def current_revision(conn: Connection) -> str | None:
    """The Alembic revision a database is at; None before Alembic first touched it."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> str:
    """Bring the database to the newest revision in one transaction; return that revision.

    An empty database gets every table; one made before Alembic is finished to version 4 and
    stamped first. A database from a newer TuneLab is refused (StoreUnavailable), untouched.
    """
    with engine.execution_options(tunelab_write=True).begin() as conn:
        _lock(conn)
        revision = current_revision(conn)
        if revision == head_revision():  # the usual case: nothing to load or run
            return revision
        config = alembic_config(conn)
        if revision is None:
            legacy = current_version(conn)
            if legacy:
                _apply_steps(conn, legacy, LATEST_VERSION)
                command.stamp(config, BASELINE_REVISION)
        else:
            try:
                _scripts().get_revision(revision)
            except CommandError:
                raise _newer_than_this_tunelab(f"at revision {revision!r}") from None
        command.upgrade(config, "head")
        return head_revision()
