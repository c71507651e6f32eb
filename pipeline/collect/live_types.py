"""What live fetchers hand to the orchestration in :mod:`pipeline.collect.live`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reject:
    """Something fetched that could not even become a record (a malformed message or page)."""

    record: Any
    reason: str


@dataclass
class Page:
    """A batch of raw records of one key (channel, tag, account, query).

    ``advance_to`` is the cursor that may be stored once this page and every earlier page of the
    same key are committed; None means "do not move the cursor yet".
    """

    records: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    advance_to: str | None = None
    skipped: int = 0  # read but deliberately not records (media without text, service messages)
