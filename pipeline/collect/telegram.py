"""Public Telegram channels through snscrape's ``TelegramChannelScraper`` (``https://t.me/s/<channel>``).

snscrape does the fetching and the parsing; this module fixes what it gets wrong for us:

- **Line breaks.** snscrape reads a message with ``div.text``, which drops ``<br>`` and glues the
  words on either side together ("…@calonA<br>Info" becomes "@calonAInfo", a mention that does not
  exist). We turn every ``<br>`` of a message into ``"\\n"`` before snscrape reads it.
- **One bad message ends the page.** snscrape parses a page in one generator; a message without a
  date raises and loses the rest. We hand it one message at a time and set the bad ones aside.
- **Private or missing channels** redirect to ``t.me/<channel>``; snscrape logs a warning and yields
  nothing, which reads like "no new posts". We raise :class:`ChannelUnavailable` instead.
- **Retries** go through :class:`~pipeline.collect.backoff.RetryPolicy` (settings.collect), with 429
  and 5xx retried as well as connection errors, and an injectable sleep for tests.
- **Views and the message id**, which this snscrape release does not extract, are added to the record
  (``views`` as snscrape's development version writes it).

Pages come newest first and go back in time (``?before=<id>``), so the channel's cursor (the newest
message id stored) moves only after the whole run for the channel has been committed.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests
import snscrape.base
from snscrape.modules.telegram import TelegramChannelScraper

from .backoff import RETRY_STATUSES, RetryPolicy, SourceError, retry_after
from .live_types import Page, Reject

log = logging.getLogger(__name__)

_VIEWS = re.compile(r"^\s*([\d.,]+)\s*([KMB]?)\s*$", re.IGNORECASE)


class ChannelUnavailable(SourceError):
    """The channel has no public web preview: private, missing, renamed or banned."""


class _OurRetriesFilter(logging.Filter):
    """snscrape logs ERROR/CRITICAL on every failed attempt because we set its retries to 0; the
    retries are ours and the final failure is reported per channel, so these are INFO here."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage() if record.levelno >= logging.ERROR else ""
        if msg.startswith(("Error retrieving", "Errors:")) or msg.endswith("failed, giving up."):
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


logging.getLogger("snscrape.base").addFilter(_OurRetriesFilter())


def parse_views(text: str | None) -> int | None:
    """``"1.2K"`` → 1200, ``"3M"`` → 3000000, ``"845"`` → 845; None when unreadable."""
    if not text:
        return None
    m = _VIEWS.match(text)
    if not m:
        return None
    number, suffix = m.group(1).replace(",", "."), m.group(2).upper()
    try:
        value = float(number)
    except ValueError:
        return None
    return round(value * {"": 1, "K": 1e3, "M": 1e6, "B": 1e9}[suffix])


def message_id(url: str) -> int:
    """The message number at the end of ``https://t.me/s/<channel>/<id>``."""
    tail = url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    if not tail.isdigit():
        raise ValueError(f"no message id in {url!r}")
    return int(tail)


class _Single:
    """Looks like a page holding one message, so snscrape's page parser reads messages one by one."""

    def __init__(self, div: Any) -> None:
        self._div = div

    def find_all(self, *args: Any, **kwargs: Any) -> list[Any]:
        return [self._div]


@dataclass
class _Extra:
    views: int | None = None
    author: str | None = None


class NetraTelegramScraper(TelegramChannelScraper):
    """snscrape's channel scraper with the fixes listed in the module docstring."""

    def __init__(
        self,
        name: str,
        policy: RetryPolicy | None = None,
        transport: requests.adapters.BaseAdapter | None = None,
    ) -> None:
        super().__init__(name, retries=0)  # retries are ours (policy), not snscrape's fixed 1-2-4 s
        self.policy = policy or RetryPolicy()
        if transport is not None:  # tests and proxies: the HTTP layer below snscrape's _request
            self._session.mount("https://", transport)
            self._session.mount("http://", transport)
        self.malformed: list[Reject] = []
        self._extras: dict[str, _Extra] = {}
        self._last_error: BaseException | None = None
        send = self._session.send

        def remember_send(*args: Any, **kwargs: Any) -> requests.Response:
            # snscrape's _request swallows the network error into "N requests failed"; keep the cause.
            try:
                return send(*args, **kwargs)
            except requests.exceptions.RequestException as exc:
                self._last_error = exc
                raise

        self._session.send = remember_send  # type: ignore[method-assign]

    # -- HTTP ------------------------------------------------------------------------------------
    def _get(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.policy.timeout_seconds)
        url = args[0] if args else kwargs.get("url")
        for attempt in range(self.policy.max_retries + 1):
            last = attempt == self.policy.max_retries
            self._last_error = None
            try:
                r = super()._get(*args, **kwargs)
            except snscrape.base.ScraperException as exc:
                if last:
                    cause = self._last_error or exc
                    raise SourceError(
                        f"{url}: network error after {attempt + 1} attempts ({type(cause).__name__}: {cause})"
                    ) from exc
                self.policy.wait(self.policy.backoff(attempt))
                continue
            if r.status_code in RETRY_STATUSES and not last:
                wait = retry_after(r.headers, self.policy.now()) if r.status_code == 429 else None
                log.info("telegram %s: HTTP %s, retrying", url, r.status_code)
                self.policy.wait(wait if wait is not None else self.policy.backoff(attempt))
                continue
            if r.status_code == 429:
                raise SourceError(f"{url}: rate limited (HTTP 429) after {attempt + 1} attempts")
            return r
        raise AssertionError("unreachable")

    def _initial_page(self):  # type: ignore[override]
        r, soup = super()._initial_page()
        if "/s/" not in r.url:
            raise ChannelUnavailable(
                f"t.me/s/{self._name} redirects to {r.url}: no public web preview "
                "(the channel is private, missing, renamed or banned)"
            )
        if not soup.find("div", class_="tgme_channel_info") and not soup.find(
            "div", class_="tgme_widget_message"
        ):
            raise SourceError(f"{r.url}: unexpected page (no channel info, no messages); layout changed?")
        return r, soup

    # -- parsing -----------------------------------------------------------------------------------
    def _soup_to_items(self, soup, pageUrl, onlyUsername=False):  # snscrape's signature
        if onlyUsername:
            yield from super()._soup_to_items(soup, pageUrl, onlyUsername=True)
            return
        divs = soup.find_all("div", attrs={"class": "tgme_widget_message", "data-post": True})
        for div in reversed(divs):  # newest first, as snscrape does
            if "service_message" in div.get("class", []):
                continue  # "Channel created", pinned-message notices: not posts
            for br in div.find_all("br"):
                br.replace_with("\n")
            try:
                items = list(super()._soup_to_items(_Single(div), pageUrl))
            except Exception as exc:  # snscrape raises anything on odd markup
                self.malformed.append(
                    Reject(
                        record={"data-post": div.get("data-post"), "page": pageUrl, "html": str(div)[:2000]},
                        reason=f"malformed message ({type(exc).__name__}: {exc})",
                    )
                )
                log.warning("telegram %s: malformed message %s skipped", pageUrl, div.get("data-post"))
                continue
            views = div.find("span", class_="tgme_widget_message_views")
            owner = div.find("a", class_="tgme_widget_message_owner_name")
            for item in items:
                self._extras[item.url] = _Extra(
                    views=parse_views(views.get_text()) if views else None,
                    author=owner.get_text(" ", strip=True) if owner else None,
                )
                yield item

    def record(self, item: Any) -> dict[str, Any]:
        """The JSON object snscrape's CLI writes for ``item``, plus ``views`` and ``channel``.

        The channel name comes from the message URL (canonical capitalisation) when it has one.
        """
        rec = json.loads(item.json())
        extra = self._extras.pop(item.url, _Extra())
        if extra.views is not None:
            rec["views"] = extra.views
        # snscrape's development version writes the channel as a nested Channel; so do we.
        parts = item.url.rstrip("/").split("/")
        username = parts[-2] if len(parts) >= 2 and parts[-2] not in ("s", "t.me") else self._name
        channel: dict[str, Any] = {"_type": "snscrape.modules.telegram.Channel", "username": username}
        if extra.author:
            channel["title"] = extra.author
        rec["channel"] = channel
        return rec


@dataclass
class TelegramFetcher:
    """Fetches one channel's new messages as records for the snscrape parser, in batches."""

    policy: RetryPolicy = field(default_factory=RetryPolicy)
    transport: requests.adapters.BaseAdapter | None = None
    batch: int = 200

    def fetch(self, channel: str, cursor: str | None, max_items: int) -> Iterator[Page]:
        """Yield pages of records newest first, stopping at ``cursor`` (the last run's newest id).

        The last page carries ``advance_to`` (the newest id seen); it is yielded only when the channel
        was read without error, so a failure leaves the cursor where it was and the next run re-reads.
        """
        scraper = NetraTelegramScraper(channel, self.policy, self.transport)
        stop_at = int(cursor) if cursor and cursor.isdigit() else None
        newest: int | None = None
        records: list[dict[str, Any]] = []
        n = skipped = 0
        reached_cursor = stop_at is None
        items = scraper.get_items()
        try:
            for item in items:
                try:
                    mid = message_id(item.url)
                except ValueError as exc:
                    scraper.malformed.append(Reject(record={"url": item.url}, reason=str(exc)))
                    continue
                if stop_at is not None and mid <= stop_at:
                    reached_cursor = True
                    break
                newest = mid if newest is None else max(newest, mid)
                if item.content is None or not item.content.strip():
                    skipped += 1  # a photo or video without a caption: nothing to classify
                    continue
                records.append(scraper.record(item))
                n += 1
                # Rejects go out early too, so a network error on a later page does not lose them.
                if len(records) >= self.batch or scraper.malformed:
                    yield Page(records=records, rejects=_drain(scraper), skipped=skipped)
                    records, skipped = [], 0
                if n >= max_items:
                    break
        finally:
            items.close()
        if not reached_cursor and n >= max_items:
            log.warning(
                "telegram %s: stopped at max_items=%d before reaching the cursor %s; older new messages "
                "are skipped (raise max_items to catch up)", channel, max_items, cursor,
            )  # fmt: skip
        advance = str(newest) if newest is not None and (stop_at is None or newest > stop_at) else None
        yield Page(records=records, rejects=_drain(scraper), advance_to=advance, skipped=skipped)


def _drain(scraper: NetraTelegramScraper) -> list[Reject]:
    out, scraper.malformed = scraper.malformed, []
    return out
