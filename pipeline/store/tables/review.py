"""The review queue: reviewers, queue items, leases, decisions, adjudications, evidence and the audit log.

Concurrency is handled by the database, not by the app: a lease is a row keyed on (item, slot), so an
item meant for one reviewer can never be held by two (the second insert violates the key), and every
row a person edits carries a ``version`` that an update must match (optimistic concurrency: a stale
edit updates nothing and is reported as a conflict instead of silently overwriting).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType


class User(Base):
    """A person who logs in to the review app. Roles: reviewer < lead (adjudicates) < admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str | None] = mapped_column(Text)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))  # reviewer | lead | admin
    language: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)


class ReviewItem(Base):
    """A post in front of reviewers, with snapshots of the ASN match and the classifier's opinion.

    The snapshots are copied, not joined at read time: what the reviewer saw must stay what the
    case file shows even after the registry is re-imported or a new model is promoted.
    """

    __tablename__ = "review_items"
    __table_args__ = (
        UniqueConstraint("platform", "post_id", name="uq_review_items_platform_post_id"),
        Index("ix_review_items_queue", "status", "priority"),
        Index("ix_review_items_uncertainty", "status", "uncertainty"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # SET NULL: the item and its evidence outlive the post row (a case must survive a purge).
    post_pk: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL"), unique=True, nullable=True
    )
    platform: Mapped[str] = mapped_column(String(20))
    post_id: Mapped[str] = mapped_column(String(100))
    author_handle: Mapped[str | None] = mapped_column(String(200))
    nip: Mapped[str | None] = mapped_column(String(32))
    p_asn: Mapped[float] = mapped_column(Float)
    p_partisan: Mapped[float] = mapped_column(Float)
    match: Mapped[dict[str, Any]] = mapped_column(JSONType)
    prediction: Mapped[dict[str, Any]] = mapped_column(JSONType)
    model_version: Mapped[str | None] = mapped_column(String(100))
    # Hash of (prediction id, match result): when it changes, enqueue refreshes the snapshots.
    snapshot_key: Mapped[str] = mapped_column(String(64))
    priority: Mapped[float] = mapped_column(Float)
    uncertainty: Mapped[float] = mapped_column(Float)
    audit: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_double: Mapped[bool] = mapped_column(Boolean, default=False)
    required_reviews: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | adjudication | decided
    outcome: Mapped[str | None] = mapped_column(String(20))  # forward | dismiss, once decided
    final: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)


class Assignment(Base):
    """A reviewer's lease on one review slot of an item; an item has one slot, or two for agreement."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("item_id", "slot", name="uq_assignments_item_slot"),
        UniqueConstraint("item_id", "user_id", name="uq_assignments_item_user"),
        Index("ix_assignments_user", "user_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id", ondelete="CASCADE"))
    slot: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(20))  # active | done | released
    claimed_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Decision(Base):
    """One reviewer's labels for one item (at most one per reviewer and per slot)."""

    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("item_id", "reviewer_id", name="uq_decisions_item_reviewer"),
        UniqueConstraint("item_id", "slot", name="uq_decisions_item_slot"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    slot: Mapped[int] = mapped_column(Integer)
    stance: Mapped[str] = mapped_column(String(20))
    target: Mapped[str | None] = mapped_column(Text)
    asn_verdict: Mapped[str] = mapped_column(String(20))  # confirm | wrong_person | unsure
    violation: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(20))  # forward | dismiss
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Adjudication(Base):
    """A lead's final labels for an item whose two reviewers disagreed (or a lead's override)."""

    __tablename__ = "adjudications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id", ondelete="CASCADE"), unique=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    stance: Mapped[str] = mapped_column(String(20))
    target: Mapped[str | None] = mapped_column(Text)
    asn_verdict: Mapped[str] = mapped_column(String(20))
    violation: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Evidence(Base):
    """The post as captured when it entered the queue, with a SHA-256 of its canonical JSON.

    A new row is added only when the captured content changes (an edited post), so every version a
    reviewer may have seen is kept, and the hash lets Bawaslu check the copy was not altered.
    """

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("item_id", "sha256", name="uq_evidence_item_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20))
    post_id: Mapped[str] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(Text)
    author_handle: Mapped[str | None] = mapped_column(String(200))
    author_display_name: Mapped[str | None] = mapped_column(Text)
    author_platform_id: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    posted_at: Mapped[datetime] = mapped_column(DateTime)
    captured_at: Mapped[datetime] = mapped_column(DateTime)
    sha256: Mapped[str] = mapped_column(String(64))


class AuditLog(Base):
    """Append-only trail of every change: who, when, what, and the row before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity", "entity", "entity_id"),
        Index("ix_audit_log_item", "item_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(120))  # a username, or system:<stage>
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    item_id: Mapped[int | None] = mapped_column(Integer)  # no FK: the trail outlives what it describes
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
