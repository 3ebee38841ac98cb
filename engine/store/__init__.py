"""Persistence: learners, attempts, answers and review cards in SQLite or any SQLAlchemy URL."""

from engine.modes import AttemptMode
from engine.store.connect import DATA_DIR_ENV, DATABASE_URL_ENV
from engine.store.errors import (
    AnswerRefused,
    AttemptNotFound,
    StoreError,
    StoreUnavailable,
    explain_database_error,
)
from engine.store.migrations import LATEST_VERSION, MIGRATIONS, head_revision, migrate, upgrade
from engine.store.models import Answer, Attempt, Learner, ReviewCard
from engine.store.store import Store

__all__ = [
    "DATABASE_URL_ENV",
    "DATA_DIR_ENV",
    "LATEST_VERSION",
    "MIGRATIONS",
    "Answer",
    "AnswerRefused",
    "Attempt",
    "AttemptMode",
    "AttemptNotFound",
    "Learner",
    "ReviewCard",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "explain_database_error",
    "head_revision",
    "migrate",
    "upgrade",
]
