"""Ordered schema migrations, applied on open and recorded in the schema_version table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, Table, func, insert, inspect, select, text

from engine.store.errors import StoreUnavailable
from engine.store.schema import TABLES_V1, TABLES_V2, TABLES_V3, schema_version


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


# Append only; never edit a step that has shipped. Steps build tables from schema.py, so a
# later step that alters one of those tables must first freeze the earlier step's DDL.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "learners, attempts and answers", _create(*TABLES_V1)),
    Migration(2, "review cards for the Leitner queue", _create(*TABLES_V2)),
    Migration(3, "PIN credentials, wrong-guess gates and server secrets", _create(*TABLES_V3)),
    Migration(4, "the family variant each answer was given", _add_variant_seed),
)
LATEST_VERSION = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int:
    """The highest applied migration, 0 for an empty database."""
    schema_version.create(conn, checkfirst=True)
    return conn.execute(select(func.coalesce(func.max(schema_version.c.version), 0))).scalar_one()


def migrate(engine: Engine, *, target: int = LATEST_VERSION) -> int:
    """Apply the missing steps up to ``target`` in one transaction and return the version."""
    # The store's SQLite engine starts write transactions with BEGIN IMMEDIATE, so two
    # processes opening a fresh file migrate one after the other; PostgreSQL needs a lock.
    with engine.execution_options(tunelab_write=True).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(7231405)"))
        version = current_version(conn)
        if version > LATEST_VERSION:
            raise StoreUnavailable(
                f"The database schema is version {version}, newer than this TuneLab "
                f"understands (up to {LATEST_VERSION}): upgrade TuneLab before opening it."
            )
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
