"""predictions and model versions

Revision ID: 0003_classify
Revises: 0001_posts
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pipeline.store.tables.base import JSONType

revision: str = "0003_classify"
down_revision: str | Sequence[str] | None = "0001_posts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "model_versions",
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("backbone", sa.String(length=200), nullable=False),
        sa.Column("metrics", JSONType, nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("promoted_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_model_versions")),
    )
    op.create_table(
        "predictions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_pk", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(length=100), nullable=False),
        sa.Column("stance", sa.String(length=20), nullable=False),
        sa.Column("scores", JSONType, nullable=False),
        sa.Column("partisan", sa.Boolean(), nullable=False),
        sa.Column("partisan_score", sa.Float(), nullable=False),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("explanation", JSONType, nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_pk"], ["posts.id"], name=op.f("fk_predictions_post_pk_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_predictions")),
        sa.UniqueConstraint("post_pk", "model_version", name="uq_predictions_post_model"),
    )
    op.create_index(
        "ix_predictions_partisan", "predictions", ["model_version", "partisan_score"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_predictions_partisan", table_name="predictions")
    op.drop_table("predictions")
    op.drop_table("model_versions")
