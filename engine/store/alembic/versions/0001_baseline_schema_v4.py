"""Baseline: the schema as the hand-written migrations left it at version 4.

Revision ID: 0001
Revises:
Create Date: 2026-12-07

A database made before Alembic is stamped with this revision instead of running it. The
schema_version rows say version 4 too, so an older TuneLab can still open a new database.
Timestamps are naive UTC in the database (engine.store.schema.UTCDateTime makes them aware).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STEPS = (
    (1, "learners, attempts and answers"),
    (2, "review cards for the Leitner queue"),
    (3, "PIN credentials, wrong-guess gates and server secrets"),
    (4, "the family variant each answer was given"),
)


def upgrade() -> None:
    versions = op.create_table(
        "schema_version",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_table(
        "learners",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("name_key", sa.String(160), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), nullable=False),
        sa.Column("bank_id", sa.String(200), nullable=False),
        sa.Column("bank_version", sa.String(100), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("plan", sa.JSON, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=False), nullable=True),
    )
    op.create_index("ix_attempts_learner_bank_mode", "attempts", ["learner_id", "bank_id", "mode"])
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("attempt_id", sa.Integer, sa.ForeignKey("attempts.id"), nullable=False),
        sa.Column("question_id", sa.String(200), nullable=False),
        sa.Column("question_fingerprint", sa.String(200), nullable=False),
        sa.Column("response", sa.JSON, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("max_score", sa.Float, nullable=False),
        sa.Column("correct", sa.Boolean, nullable=False),
        sa.Column("used_hint", sa.Boolean, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("single_answer_key", sa.String(200), nullable=True),
        sa.Column("variant_seed", sa.BigInteger, nullable=True),
        sa.UniqueConstraint(
            "attempt_id", "single_answer_key", name="uq_answers_one_per_test_question"
        ),
    )
    op.create_index("ix_answers_attempt_id", "answers", ["attempt_id"])
    op.create_table(
        "review_cards",
        sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), primary_key=True),
        sa.Column("bank_id", sa.String(200), primary_key=True),
        sa.Column("question_id", sa.String(200), primary_key=True),
        sa.Column("box", sa.Integer, nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=False), nullable=True),
        sa.Column("last_result", sa.String(20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_table(
        "credentials",
        sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), primary_key=True),
        sa.Column("pin_hash", sa.String(300), nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_table(
        "throttle_gates",
        sa.Column("gate", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.Float, nullable=False),
        sa.Column("window_start", sa.Float, nullable=False),
    )
    op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(
        versions,
        [{"version": v, "description": d, "applied_at": now} for v, d in STEPS],
    )


def downgrade() -> None:
    for table in (
        "server_secrets",
        "throttle_gates",
        "credentials",
        "review_cards",
        "answers",
        "attempts",
        "learners",
        "schema_version",
    ):
        op.drop_table(table)
