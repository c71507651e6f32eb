"""Posts, the collection runs that brought them, and live sources' cursors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType


class CollectionRun(Base):
    """One run of one source (a file import or a live collector); every post points at the last one."""

    __tablename__ = "collection_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))  # file | telegram | mastodon | x
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running | ok | failed
    n_read: Mapped[int] = mapped_column(Integer, default=0)
    n_stored: Mapped[int] = mapped_column(Integer, default=0)
    n_updated: Mapped[int] = mapped_column(Integer, default=0)
    n_rejected: Mapped[int] = mapped_column(Integer, default=0)
    rejects_path: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("platform", "post_id", name="uq_posts_platform_post_id"),
        Index("ix_posts_author", "platform", "author_handle"),
        Index("ix_posts_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    post_id: Mapped[str] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    text: Mapped[str] = mapped_column(Text)
    text_norm: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(20))
    author_platform_id: Mapped[str | None] = mapped_column(String(100))
    author_handle: Mapped[str | None] = mapped_column(String(200))
    author_display_name: Mapped[str | None] = mapped_column(Text)
    author_bio: Mapped[str | None] = mapped_column(Text)
    author_location: Mapped[str | None] = mapped_column(Text)
    author_followers: Mapped[int | None] = mapped_column(BigInteger)
    replies: Mapped[int | None] = mapped_column(BigInteger)
    reposts: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    quotes: Mapped[int | None] = mapped_column(BigInteger)
    views: Mapped[int | None] = mapped_column(BigInteger)
    hashtags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    mentions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    links: Mapped[list[str]] = mapped_column(JSONType, default=list)
    reply_to_id: Mapped[str | None] = mapped_column(String(100))
    quote_of_id: Mapped[str | None] = mapped_column(String(100))
    repost_of_id: Mapped[str | None] = mapped_column(String(100))
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    source: Mapped[str | None] = mapped_column(String(200))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("collection_runs.id"))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class SourceCursor(Base):
    """Where a live source stopped last time (newest id seen per channel, tag or account)."""

    __tablename__ = "source_cursors"

    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    cursor: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
