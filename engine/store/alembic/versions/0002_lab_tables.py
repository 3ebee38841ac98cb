"""The lab's tables: stored runs with their epochs, and the cluster's queue.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07

Before Alembic the lab created these itself on first use, with this same DDL, so a database
from then may hold them already: IF NOT EXISTS keeps those (also in offline SQL, --sql).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lab_stored_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("checkpoint_sha", sa.String(64), nullable=False),
        sa.Column("config_digest", sa.String(64), nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("device_kind", sa.String(16), nullable=False),
        sa.Column("config", sa.JSON, nullable=False),
        sa.Column("result", sa.JSON, nullable=False),
        # Naive UTC, as everywhere (engine.store.schema.UTCDateTime).
        sa.Column("stored_at", sa.DateTime(timezone=False), nullable=False),
        sa.UniqueConstraint(
            "checkpoint_sha", "config_digest", "seed", "device_kind", name="uq_lab_stored_run_key"
        ),
        if_not_exists=True,
    )
    op.create_table(
        "lab_stored_run_epochs",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("lab_stored_runs.id"), primary_key=True),
        sa.Column("epoch", sa.Integer, primary_key=True),
        sa.Column("stats", sa.JSON, nullable=False),
        if_not_exists=True,
    )
    op.create_table(
        "lab_cluster_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("submitted_at", sa.Float, nullable=False),
        sa.Column("started_at", sa.Float, nullable=True),
        sa.Column("seen_at", sa.Float, nullable=False),
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_table("lab_cluster_runs")
    op.drop_table("lab_stored_run_epochs")
    op.drop_table("lab_stored_runs")
