"""scan and stage run records

Revision ID: 0005_runs
Revises: 0001_posts
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pipeline.store.tables.base import JSONType

revision: str = "0005_runs"
down_revision: str | Sequence[str] | None = "0001_posts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scan_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("resumed_from", sa.Integer(), nullable=True),
        sa.Column("model_version", sa.String(length=100), nullable=True),
        sa.Column("registry_version", sa.String(length=100), nullable=True),
        sa.Column("config_hash", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["resumed_from"], ["scan_runs.id"], name=op.f("fk_scan_runs_resumed_from_scan_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_runs")),
    )
    op.create_table(
        "stage_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scan_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("n_in", sa.Integer(), nullable=False),
        sa.Column("n_out", sa.Integer(), nullable=False),
        sa.Column("n_errors", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("details", JSONType, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["scan_id"], ["scan_runs.id"], name=op.f("fk_stage_runs_scan_id_scan_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_runs")),
    )
    op.create_index(op.f("ix_stage_runs_scan_id"), "stage_runs", ["scan_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_stage_runs_scan_id"), table_name="stage_runs")
    op.drop_table("stage_runs")
    op.drop_table("scan_runs")
