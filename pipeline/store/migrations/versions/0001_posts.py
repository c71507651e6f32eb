"""posts, collection runs and source cursors

Revision ID: 0001_posts
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pipeline.store.tables.base import JSONType

revision: str = "0001_posts"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "collection_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("n_read", sa.Integer(), nullable=False),
        sa.Column("n_stored", sa.Integer(), nullable=False),
        sa.Column("n_updated", sa.Integer(), nullable=False),
        sa.Column("n_rejected", sa.Integer(), nullable=False),
        sa.Column("rejects_path", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_runs")),
    )
    op.create_table(
        "source_cursors",
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("source", "key", name=op.f("pk_source_cursors")),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("post_id", sa.String(length=100), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_norm", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=20), nullable=True),
        sa.Column("author_platform_id", sa.String(length=100), nullable=True),
        sa.Column("author_handle", sa.String(length=200), nullable=True),
        sa.Column("author_display_name", sa.Text(), nullable=True),
        sa.Column("author_bio", sa.Text(), nullable=True),
        sa.Column("author_location", sa.Text(), nullable=True),
        sa.Column("author_followers", sa.BigInteger(), nullable=True),
        sa.Column("replies", sa.BigInteger(), nullable=True),
        sa.Column("reposts", sa.BigInteger(), nullable=True),
        sa.Column("likes", sa.BigInteger(), nullable=True),
        sa.Column("quotes", sa.BigInteger(), nullable=True),
        sa.Column("views", sa.BigInteger(), nullable=True),
        sa.Column("hashtags", JSONType, nullable=False),
        sa.Column("mentions", JSONType, nullable=False),
        sa.Column("links", JSONType, nullable=False),
        sa.Column("reply_to_id", sa.String(length=100), nullable=True),
        sa.Column("quote_of_id", sa.String(length=100), nullable=True),
        sa.Column("repost_of_id", sa.String(length=100), nullable=True),
        sa.Column("raw", JSONType, nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["collection_runs.id"], name=op.f("fk_posts_run_id_collection_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
        sa.UniqueConstraint("platform", "post_id", name="uq_posts_platform_post_id"),
    )
    op.create_index("ix_posts_author", "posts", ["platform", "author_handle"], unique=False)
    op.create_index("ix_posts_created_at", "posts", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_posts_created_at", table_name="posts")
    op.drop_index("ix_posts_author", table_name="posts")
    op.drop_table("posts")
    op.drop_table("source_cursors")
    op.drop_table("collection_runs")
