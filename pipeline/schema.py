"""The records that pass between stages.

Plain slotted dataclasses rather than pydantic models: the import path builds millions of these per
run, and validation happens once, at the edge, in each parser (which knows the file and the line).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

PLATFORMS = ("x", "telegram", "mastodon", "reddit", "facebook", "instagram", "tiktok", "other")


@dataclass(slots=True)
class Author:
    platform_id: str | None = None
    handle: str | None = None
    display_name: str | None = None
    bio: str | None = None
    location: str | None = None
    followers: int | None = None


@dataclass(slots=True)
class Metrics:
    replies: int | None = None
    reposts: int | None = None
    likes: int | None = None
    quotes: int | None = None
    views: int | None = None


@dataclass(slots=True)
class Post:
    """One public post, whatever platform it came from. Unique per (platform, post_id)."""

    platform: str
    post_id: str
    created_at: datetime
    text: str
    url: str | None = None
    language: str | None = None
    author: Author = field(default_factory=Author)
    metrics: Metrics = field(default_factory=Metrics)
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    reply_to_id: str | None = None
    quote_of_id: str | None = None
    repost_of_id: str | None = None
    raw: dict[str, Any] | None = None
    source: str | None = None
    run_id: int | None = None


class RecordError(ValueError):
    """A record that cannot become a Post; ``field`` names the offending field."""

    def __init__(self, field_name: str, reason: str) -> None:
        self.field = field_name
        self.reason = reason
        super().__init__(f"{field_name}: {reason}")


def to_utc(value: datetime) -> datetime:
    """Aware datetimes convert to UTC; naive ones are taken to be UTC already (stored naive, in UTC)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
