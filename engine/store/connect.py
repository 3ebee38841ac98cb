"""Where the database lives, how its engine is made, and retrying transient lock errors."""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import StaticPool

from engine.runtime.settings import load_settings
from engine.store.errors import StoreUnavailable

DATABASE_URL_ENV = "TUNELAB_DATABASE_URL"
DATA_DIR_ENV = "TUNELAB_DATA_DIR"
DEFAULT_DATA_DIR = "data"
DATABASE_FILE = "tunelab.db"

T = TypeVar("T")


def resolve_url(url: str | None) -> URL:
    """``url``, else $TUNELAB_DATABASE_URL, else SQLite at $TUNELAB_DATA_DIR/tunelab.db."""
    settings = load_settings()
    configured = settings.database_url
    chosen = url or (configured.get_secret_value() if configured else None)
    if chosen:
        try:
            return make_url(chosen)
        except Exception as exc:  # SQLAlchemy raises ArgumentError with a terse message
            raise StoreUnavailable(
                f"Cannot understand the database URL {chosen!r}: {exc}. Use a SQLAlchemy URL "
                "such as sqlite:///data/tunelab.db or "
                "postgresql+psycopg://user:password@host:5432/dbname."
            ) from exc
    data_dir = settings.data_dir
    return URL.create("sqlite", database=str(data_dir / DATABASE_FILE))


def describe(url: URL) -> str:
    """The database's place for messages: the file path, or the URL without its password."""
    if url.get_backend_name() == "sqlite":
        return str(_sqlite_path(url).resolve()) if _is_sqlite_file(url) else "in-memory SQLite"
    return url.render_as_string(hide_password=True)


def folder_trouble(url: URL) -> str | None:
    """What is wrong with a SQLite file's folder, in words, when its file system is the cause.

    SQLite reports a read-only or full file system as "unable to open database file" or
    "disk I/O error"; the file system itself can say which.
    """
    if url.get_backend_name() != "sqlite" or not _is_sqlite_file(url):
        return None
    folder = _sqlite_path(url).resolve().parent
    try:
        stats = os.statvfs(folder)
    except OSError:
        return None
    if stats.f_flag & os.ST_RDONLY:
        return f"the data folder {folder} is on a read-only file system"
    if stats.f_bavail == 0:
        return f"the disk holding the data folder {folder} is full"
    return None


def _is_uri(url: URL) -> bool:
    return str(url.query.get("uri", "")).lower() in {"true", "1"}


def _sqlite_path(url: URL) -> Path:
    """The file a SQLite URL names; `sqlite:///file:/x.db?mode=ro&uri=true` names /x.db."""
    database = url.database or ""
    if _is_uri(url) and database.startswith("file:"):
        return Path(urlparse(database).path)
    return Path(database)


def _is_sqlite_file(url: URL) -> bool:
    return bool(url.database) and url.database != ":memory:" and "mode=memory" not in str(url)


def make_engine(url: URL, *, busy_timeout_s: float) -> Engine:
    """An engine with TuneLab's SQLite settings, or a plain pooled one for other back ends."""
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if _is_sqlite_file(url):
        folder = _sqlite_path(url).resolve().parent
        try:
            if not _is_uri(url):  # a URI (e.g. mode=ro) opens what exists, creates nothing
                folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(
                f"Cannot create the data folder {folder} for the TuneLab database: "
                f"{exc.strerror or exc}. Point {DATA_DIR_ENV} at a writable folder."
            ) from exc
        # Each thread checks out its own connection; SQLite serialises the writers.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_s},
            pool_size=8,
            max_overflow=24,
        )
    else:
        engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool)
    _configure_sqlite(engine, busy_timeout_ms=int(busy_timeout_s * 1000))
    return engine


def _configure_sqlite(engine: Engine, *, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # We emit BEGIN ourselves (below): the driver's implicit transactions would start
        # reads without a lock and then fail to upgrade them to writes under contention.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL: readers never block the writer nor the writer the readers.
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: fsync the WAL on every commit. A killed process loses nothing with NORMAL
        # either (the commit is already in the OS), but an OS crash or power cut could drop
        # the last commits; an acknowledged answer must survive that too, for one fsync.
        cursor.execute("PRAGMA synchronous=FULL")
        # Wait for a competing writer instead of failing at once with "database is locked".
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        # Writers take the write lock up front (BEGIN IMMEDIATE) so busy_timeout applies
        # and no transaction fails half-way when it upgrades from reading to writing.
        write = conn.get_execution_options().get("tunelab_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def is_transient(exc: BaseException) -> bool:
    """Lock contention worth retrying: SQLite busy/locked, PostgreSQL serialization/deadlock."""
    if isinstance(exc, OperationalError):
        message = str(exc.orig).lower()
        if "database is locked" in message or "database is busy" in message:
            return True
    if isinstance(exc, DBAPIError):
        return getattr(exc.orig, "sqlstate", None) in ("40001", "40P01")
    return False


def with_retries(work: Callable[[], T], *, deadline_s: float = 30.0) -> T:
    """Run ``work`` (one whole transaction) again after lock contention, backing off."""
    # busy_timeout already waits inside SQLite; this loop covers what it cannot (a busy
    # COMMIT during a checkpoint, a PostgreSQL deadlock victim). Each retry reruns the whole
    # transaction, which is safe because a failed one committed nothing.
    give_up_at = time.monotonic() + deadline_s
    delay = 0.005
    while True:
        try:
            return work()
        except DBAPIError as exc:
            if not is_transient(exc) or time.monotonic() > give_up_at:
                raise
        time.sleep(delay * (1 + random.random()))
        delay = min(delay * 2, 0.5)
