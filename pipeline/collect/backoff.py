"""Retries with exponential backoff and servers' rate-limit headers, shared by the live collectors.

The sleep function is injected so tests run without waiting and can assert on the waits. Waits are
capped (``max_wait``): a server asking for an hour is treated as a failure of this run rather than a
nightly scan that silently stalls.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from pipeline.config import Settings

# Statuses worth another try: rate limited, and the server's or a proxy's transient failures.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class SourceError(Exception):
    """A source, channel, tag or account that could not be collected; the message is for the report."""


class RateLimited(SourceError):
    """The server kept refusing with 429, or asked for a wait longer than we accept."""


@dataclass
class RetryPolicy:
    max_retries: int = 4
    backoff_seconds: float = 2.0
    timeout_seconds: float = 30.0
    max_wait: float = 900.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides) -> RetryPolicy:
        c = settings.collect
        kwargs = {
            "max_retries": c.max_retries,
            "backoff_seconds": c.backoff_seconds,
            "timeout_seconds": c.timeout_seconds,
        }
        kwargs.update(overrides)
        return cls(**kwargs)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (0-based): b, 2b, 4b, ..."""
        return min(self.backoff_seconds * (2**attempt), self.max_wait)

    def wait(self, seconds: float) -> None:
        if seconds > self.max_wait:
            raise RateLimited(f"server asks to wait {seconds:.0f} s, over max_wait {self.max_wait:.0f} s")
        if seconds > 0:
            self.sleep(seconds)


def _parse_when(value: str, now: datetime) -> float | None:
    """Seconds until ``value``: delta-seconds, an HTTP date, or an ISO 8601 timestamp."""
    value = value.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    when: datetime | None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def retry_after(headers: Mapping[str, str], now: datetime) -> float | None:
    """How long a 429 asks us to wait: ``Retry-After``, else ``X-RateLimit-Reset``; None when neither."""
    for name in ("Retry-After", "X-RateLimit-Reset"):
        value = headers.get(name)
        if value:
            seconds = _parse_when(value, now)
            if seconds is not None:
                return seconds
    return None


def rate_limit_pause(headers: Mapping[str, str], now: datetime, reserve: int = 1) -> float:
    """Seconds to pause before the next request so as not to run into a 429.

    Mastodon sends ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (ISO 8601) on every response;
    when the remaining budget is at or below ``reserve`` we wait for the reset instead of being refused.
    """
    remaining = headers.get("X-RateLimit-Remaining")
    if remaining is None:
        return 0.0
    try:
        left = int(float(remaining))
    except ValueError:
        return 0.0
    if left > reserve:
        return 0.0
    reset = headers.get("X-RateLimit-Reset")
    seconds = _parse_when(reset, now) if reset else None
    return seconds or 0.0
