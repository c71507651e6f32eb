"""Mastodon through its public REST API (snscrape's Mastodon scraper fails on Mastodon 4).

Two kinds of key per server: a hashtag (``GET /api/v1/timelines/tag/:hashtag``) and an account
(``GET /api/v1/accounts/lookup?acct=`` then ``GET /api/v1/accounts/:id/statuses``).

Paging and cursors:

- **First run** (no cursor): newest first, following the ``Link: rel="next"`` header (``max_id``)
  back in time until ``max_pages`` or ``max_items``. The cursor (newest status id) is stored only once
  the whole key has been committed.
- **Later runs**: ``min_id=<cursor>`` returns the statuses *just after* the cursor, and
  ``Link: rel="prev"`` walks forward to the present. Each page is contiguous with the cursor, so the
  cursor moves after every committed page: a crash or a limit resumes where it stopped, no gap.

Rate limits: every response carries ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset``; when the
budget is spent we sleep until the reset instead of hitting a 429. A 429 is retried after its
``Retry-After`` (or the reset), 5xx and network errors after exponential backoff, up to
``settings.collect.max_retries``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from .backoff import RETRY_STATUSES, RateLimited, RetryPolicy, SourceError, rate_limit_pause, retry_after
from .live_types import Page, Reject
from .sources import MastodonSource

log = logging.getLogger(__name__)

USER_AGENT = "netra-collector/0.1 (election monitoring research)"


def id_key(status_id: str) -> tuple[int, str]:
    """Order Mastodon ids (decimal snowflakes) and Pleroma/Akkoma ids (fixed-length flakes) alike."""
    return len(status_id), status_id


def newest_id(ids: list[str]) -> str | None:
    return max(ids, key=id_key) if ids else None


class NotFound(SourceError):
    """The account or endpoint does not exist on this server (HTTP 404)."""


@dataclass
class MastodonFetcher:
    """Reads one Mastodon server; ``fetch(key, cursor, max_items)`` yields pages of raw statuses."""

    instance: str
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    token: str | None = None
    page_size: int = 40
    max_pages: int = 50
    local_only: bool = False
    client: httpx.Client | None = None

    @classmethod
    def from_source(cls, src: MastodonSource, policy: RetryPolicy) -> MastodonFetcher:
        token = None
        if src.access_token_env:
            token = os.environ.get(src.access_token_env)
            if not token:
                raise SourceError(f"access_token_env {src.access_token_env} is not set in the environment")
        return cls(
            instance=src.instance, policy=policy, token=token, page_size=src.page_size,
            max_pages=src.max_pages, local_only=src.local_only,
        )  # fmt: skip

    @property
    def host(self) -> str:
        return urlsplit(self.instance).netloc

    def _client(self) -> httpx.Client:
        if self.client is None:
            headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
            self.client = httpx.Client(
                base_url=self.instance, headers=headers, timeout=self.policy.timeout_seconds,
                follow_redirects=True,
            )  # fmt: skip
        return self.client

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    @staticmethod
    def keys(src: MastodonSource) -> list[str]:
        return [f"tag:{t}" for t in src.tags] + [f"account:{a}" for a in src.accounts]

    # -- HTTP ------------------------------------------------------------------------------------
    def get(self, url: str, params: dict[str, Any] | None = None) -> httpx.Response:
        """GET with retries (429, 5xx, network) and a pause when the rate-limit budget is spent."""
        client = self._client()
        for attempt in range(self.policy.max_retries + 1):
            last = attempt == self.policy.max_retries
            try:
                r = client.get(url, params=params)
            except httpx.TransportError as exc:
                if last:
                    raise SourceError(f"{url}: {type(exc).__name__}: {exc}") from exc
                log.info("mastodon %s: %s, retrying", url, type(exc).__name__)
                self.policy.wait(self.policy.backoff(attempt))
                continue
            if r.status_code in RETRY_STATUSES:
                if last:
                    kind = RateLimited if r.status_code == 429 else SourceError
                    raise kind(f"{r.request.url}: HTTP {r.status_code} after {attempt + 1} attempts")
                wait = retry_after(r.headers, self.policy.now()) if r.status_code == 429 else None
                log.info("mastodon %s: HTTP %s, retrying", r.request.url, r.status_code)
                self.policy.wait(wait if wait is not None else self.policy.backoff(attempt))
                continue
            pause = rate_limit_pause(r.headers, self.policy.now())
            if pause:
                log.info("mastodon %s: rate-limit budget spent, waiting %.0f s", self.host, pause)
                self.policy.wait(pause)
            return r
        raise AssertionError("unreachable")

    def get_json(self, url: str, params: dict[str, Any] | None = None) -> tuple[Any, httpx.Response]:
        r = self.get(url, params)
        where = str(r.request.url)
        if r.status_code == 404:
            raise NotFound(f"{where}: not found (HTTP 404)")
        if r.status_code in (401, 403):
            raise SourceError(f"{where}: HTTP {r.status_code}; this server wants an access token")
        if r.status_code != 200:
            raise SourceError(f"{where}: HTTP {r.status_code}")
        try:
            return r.json(), r
        except ValueError as exc:
            raise SourceError(f"{where}: malformed JSON ({exc})") from exc

    # -- keys ------------------------------------------------------------------------------------
    def _timeline_url(self, key: str) -> str:
        kind, _, value = key.partition(":")
        if kind == "tag":
            return f"/api/v1/timelines/tag/{quote(value, safe='')}"
        if kind == "account":
            data, _ = self.get_json("/api/v1/accounts/lookup", {"acct": value})
            if not isinstance(data, dict) or not isinstance(data.get("id"), str):
                raise SourceError(f"{self.host}: account lookup for {value!r} returned no id")
            return f"/api/v1/accounts/{quote(data['id'], safe='')}/statuses"
        raise SourceError(f"unknown key {key!r} (expected tag:... or account:...)")

    def fetch(self, key: str, cursor: str | None, max_items: int) -> Iterator[Page]:
        url = self._timeline_url(key)
        params: dict[str, Any] = {"limit": self.page_size}
        if self.local_only and key.startswith("tag:"):
            params["local"] = "true"
        if cursor:
            yield from self._forward(url, params, cursor, max_items)
        else:
            yield from self._backward(url, params, max_items)

    def _page(
        self, url: str, params: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], list[Reject], httpx.Response]:
        data, r = self.get_json(url, params)
        if not isinstance(data, list):
            raise SourceError(f"{r.request.url}: expected a list of statuses, got {type(data).__name__}")
        good, bad = [], []
        for item in data:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                good.append(item)
            else:
                bad.append(Reject(record=item, reason="status without an id"))
        return good, bad, r

    def _backward(self, url: str, params: dict[str, Any], max_items: int) -> Iterator[Page]:
        n, newest = 0, None
        next_url: str | None = url
        next_params: dict[str, Any] | None = params
        for _ in range(self.max_pages):
            if next_url is None:
                break
            statuses, rejects, r = self._page(next_url, next_params)
            if not statuses and not rejects:
                break
            statuses = statuses[: max_items - n]
            n += len(statuses)
            newest = newest_id([*([newest] if newest else []), *(s["id"] for s in statuses)])
            yield Page(records=statuses, rejects=rejects)
            if n >= max_items:
                break
            next_url, next_params = r.links.get("next", {}).get("url"), None
        yield Page(advance_to=newest)

    def _forward(self, url: str, params: dict[str, Any], cursor: str, max_items: int) -> Iterator[Page]:
        n = 0
        next_url: str | None = url
        next_params: dict[str, Any] | None = {**params, "min_id": cursor}
        for _ in range(self.max_pages):
            if next_url is None or n >= max_items:
                break
            statuses, rejects, r = self._page(next_url, next_params)
            # A page after min_id holds the statuses just after the cursor; keep the oldest ones when a
            # limit cuts it, so what is stored stays contiguous with the cursor.
            statuses = [s for s in statuses if id_key(s["id"]) > id_key(cursor)]
            statuses.sort(key=lambda s: id_key(s["id"]))
            statuses = statuses[: max_items - n]
            if not statuses:
                if rejects:
                    yield Page(rejects=rejects)
                break
            n += len(statuses)
            cursor = statuses[-1]["id"]
            yield Page(records=statuses[::-1], rejects=rejects, advance_to=cursor)
            link = r.links.get("prev", {}).get("url")
            next_url, next_params = (link, None) if link else (url, {**params, "min_id": cursor})
