"""Table definitions shared by the migrations and the store's queries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    # SQLite has no time zones; storing naive UTC everywhere keeps both back ends equal.
    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"Timestamps must be timezone-aware, got naive {value!r}.")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", String(200), nullable=False),
    Column("applied_at", UTCDateTime, nullable=False),
)

learners = Table(
    "learners",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(40), nullable=False),
    # Case-folded name: the unique index makes get-or-create race-free.
    Column("name_key", String(160), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
)

attempts = Table(
    "attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("learner_id", Integer, ForeignKey("learners.id"), nullable=False),
    Column("bank_id", String(200), nullable=False),
    Column("bank_version", String(100), nullable=False),
    Column("mode", String(20), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("plan", JSON, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Index("ix_attempts_learner_bank_mode", "learner_id", "bank_id", "mode"),
)

answers = Table(
    "answers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("attempt_id", Integer, ForeignKey("attempts.id"), nullable=False, index=True),
    Column("question_id", String(200), nullable=False),
    Column("question_fingerprint", String(200), nullable=False),
    Column("response", JSON, nullable=False),
    Column("score", Float, nullable=False),
    Column("max_score", Float, nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("used_hint", Boolean, nullable=False),
    Column("seconds", Float, nullable=False),
    Column("answered_at", UTCDateTime, nullable=False),
    # The question id in test attempts, NULL otherwise. NULLs never collide in a unique
    # constraint, so practice may repeat a question while a test takes one answer each,
    # enforced by the database rather than by a check-then-insert race.
    Column("single_answer_key", String(200), nullable=True),
    # The seed of the family variant answered (NULL for a fixed question): the answer can be
    # shown again exactly as the learner saw it, and statistics split by variant.
    Column("variant_seed", BigInteger, nullable=True),
    UniqueConstraint("attempt_id", "single_answer_key", name="uq_answers_one_per_test_question"),
)

review_cards = Table(
    "review_cards",
    metadata,
    Column("learner_id", Integer, ForeignKey("learners.id"), primary_key=True),
    Column("bank_id", String(200), primary_key=True),
    Column("question_id", String(200), primary_key=True),
    Column("box", Integer, nullable=True),
    Column("due_at", UTCDateTime, nullable=True),
    Column("last_result", String(20), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# The tables each migration step creates (see migrations.py).
TABLES_V1: tuple[Table, ...] = (learners, attempts, answers)
TABLES_V2: tuple[Table, ...] = (review_cards,)

# Sign-in. A learner row without a credential is a name from before PINs: the
# first sign-in under the new scheme claims it.
credentials = Table(
    "credentials",
    metadata,
    Column("learner_id", Integer, ForeignKey("learners.id"), primary_key=True),
    # "scrypt$n$r$p$salt$hash": the parameters travel with the hash so they can be raised.
    Column("pin_hash", String(300), nullable=False),
    # Bumped by a PIN reset: tokens signed for an older generation stop working.
    Column("generation", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Wrong-guess counts for PINs and the instructor passcode, shared by every server.
throttle_gates = Table(
    "throttle_gates",
    metadata,
    Column("gate", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    # Seconds since the epoch (wall clock: monotonic clocks differ between servers).
    Column("locked_until", Float, nullable=False),
    Column("window_start", Float, nullable=False),
)

# Server-wide secrets generated once (the token signing key), so every server agrees.
server_secrets = Table(
    "server_secrets",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("value", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

TABLES_V3: tuple[Table, ...] = (credentials, throttle_gates, server_secrets)

# The lab's tables (engine/lab/running/stored.py and cluster_queue.py): derived data that can
# always be recomputed, in the same database and the same migration history. Defined here
# so Alembic and the model check see them without importing torch.
lab_stored_runs = Table(
    "lab_stored_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("checkpoint_sha", String(64), nullable=False),
    Column("config_digest", String(64), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("device_kind", String(16), nullable=False),
    Column("config", JSON, nullable=False),
    Column("result", JSON, nullable=False),  # the RunResult without history or network
    Column("stored_at", UTCDateTime, nullable=False),
    # Two servers finishing the same new run at once: the database keeps the first.
    UniqueConstraint(
        "checkpoint_sha", "config_digest", "seed", "device_kind", name="uq_lab_stored_run_key"
    ),
)

lab_stored_run_epochs = Table(
    "lab_stored_run_epochs",
    metadata,
    Column("run_id", Integer, ForeignKey("lab_stored_runs.id"), primary_key=True),
    Column("epoch", Integer, primary_key=True),
    Column("stats", JSON, nullable=False),
)

# Seconds since the epoch, like throttle_gates: every server compares them with its own clock.
lab_cluster_runs = Table(
    "lab_cluster_runs",
    metadata,
    Column("id", Integer, primary_key=True),  # increasing: the order runs were submitted in
    Column("owner", String(64), nullable=False),  # the browser session's run owner
    Column("submitted_at", Float, nullable=False),
    Column("started_at", Float, nullable=True),  # None while the task waits for a worker
    Column("seen_at", Float, nullable=False),  # heartbeat from the server following the run
)
