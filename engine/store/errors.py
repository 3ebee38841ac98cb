"""The store's errors, and the plain-words explanation of a database failure they carry.

Callers (pages, the command line) catch these and never the database library's own
exceptions: every failure of a read or a write arrives as a StoreError whose message
already says what went wrong and what to do.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

C = TypeVar("C", bound=type)


class StoreError(RuntimeError):
    """A database read or write failed; the message explains why and what to do."""


class StoreUnavailable(StoreError):
    """The database cannot be opened or reached; the message says what and where."""


class AnswerRefused(ValueError):
    """An answer the rules do not allow (finished attempt, second answer in a test)."""


class AttemptNotFound(LookupError):
    """No attempt has the id that was asked for."""


def explain_database_error(exc: BaseException) -> str:
    """The database's own words plus what to do about them, for any failed open or write."""
    orig = getattr(exc, "orig", None) or exc
    reason = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    lowered = reason.lower()
    if "disk is full" in lowered or "no space left" in lowered or "disk full" in lowered:
        fix = "the disk holding it is full: free some space or move the data folder, then retry"
    elif "readonly" in lowered or "read-only" in lowered:
        fix = "the file or its folder is read-only: make it writable or point the store elsewhere"
    elif "unable to open database file" in lowered:
        fix = "the file cannot be created or opened: check that its folder exists and is writable"
    elif "locked" in lowered or "busy" in lowered:
        fix = "another program holds a lock on it: close that program or wait, then retry"
    elif "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        fix = (
            "the file is not a readable SQLite database (corrupt or another format): move it "
            "aside to start afresh, or restore it from a backup"
        )
    elif "disk i/o error" in lowered:
        fix = "the operating system refused to write it: check the disk and the data folder"
    else:
        fix = "check the server is running and the URL, user and password are right"
    return f"{reason} ({fix})"


def explain_open_failure(where: str, exc: DBAPIError, folder_trouble: str | None = None) -> str:
    if folder_trouble:
        reason = str(exc.orig).strip() or type(exc.orig).__name__
        return (
            f"Cannot open the TuneLab database at {where}: {reason} ({folder_trouble}: make "
            "room or make it writable, or point the store elsewhere)."
        )
    return f"Cannot open the TuneLab database at {where}: {explain_database_error(exc)}."


def translate_database_errors(cls: C) -> C:
    """Class decorator: every public method raises StoreError, never SQLAlchemy's errors.

    For the store's helper classes (Accounts, ...) whose callers are pages: one place that
    keeps the promise of this module's docstring instead of a try/except in every method.
    """
    for name, member in list(vars(cls).items()):
        if name.startswith("_") or not callable(member):
            continue
        setattr(cls, name, _translated(member))
    return cls


def _translated(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except SQLAlchemyError as exc:
            raise StoreError(explain_database_error(exc)) from exc

    return call
