"""X (Twitter) search through twscrape, the optional extra ``pip install 'netra[x]'``.

twscrape needs logged-in X accounts in its own SQLite database (``twscrape add_accounts`` /
``twscrape login_accounts``); Netra never logs in by itself. The source runs only when the extra is
installed *and* that database holds at least one active account; otherwise it is skipped with a
message saying which of the two is missing, and the other sources carry on.

Telemetry: twscrape 0.20 counts API calls and posts them to PostHog unless ``TWS_TELEMETRY=0`` or
``DO_NOT_TRACK=1`` is set (``twscrape/telemetry.py: _is_disabled()``, read at every capture and
flush). We set ``TWS_TELEMETRY=0`` before importing it: a monitoring tool must not report its
searches to a third party.

Cursor: the newest tweet id stored for the query; later runs add ``since_id:<cursor>`` to the query
(an X search operator) and also stop at the first id at or below it. Search results come newest
first, so the cursor moves only after the whole query has been committed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .backoff import SourceError
from .live_types import Page, Reject

log = logging.getLogger(__name__)


class SourceSkipped(SourceError):
    """The source cannot run here (extra not installed, no accounts); reported, not a failure."""


def disable_telemetry() -> None:
    """twscrape/telemetry.py: ``_is_disabled()`` returns True when ``TWS_TELEMETRY == "0"``."""
    os.environ["TWS_TELEMETRY"] = "0"


def load_twscrape() -> Any:
    """Import twscrape lazily, with telemetry off; SourceSkipped when the extra is not installed."""
    disable_telemetry()
    try:
        import twscrape  # optional extra, imported only when an X source runs
    except ImportError as exc:
        raise SourceSkipped(
            "twscrape is not installed: install the extra with pip install 'netra[x]'"
        ) from exc
    return twscrape


def tweet_record(tweet: Any) -> dict[str, Any]:
    """The JSON object twscrape's CLI writes for a Tweet (``tweet.json()``), for parse_twscrape."""
    if hasattr(tweet, "json"):
        return json.loads(tweet.json())
    if isinstance(tweet, dict):
        return tweet
    raise TypeError(f"not a tweet: {type(tweet).__name__}")


def _tweet_id(record: dict[str, Any]) -> int | None:
    value = record.get("id_str") or record.get("id")
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _iterate(agen: AsyncIterator[Any]) -> Iterator[Any]:
    """Walk an async generator from synchronous code, one item at a time, on a private event loop.

    The loop runs on a worker thread: the calling thread may already run a loop of its own (a
    notebook, a Playwright session, an async web server), where run_until_complete would refuse.
    """
    loop = asyncio.new_event_loop()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="twscrape") as worker:
        try:
            while True:
                try:
                    yield worker.submit(loop.run_until_complete, agen.__anext__()).result()
                except StopAsyncIteration:
                    break
        finally:
            aclose = getattr(agen, "aclose", None)
            if aclose is not None:
                worker.submit(loop.run_until_complete, aclose()).result()
            loop.close()


def _run(coro: Any) -> Any:
    """asyncio.run on a worker thread, for the same reason as :func:`_iterate`."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="twscrape") as worker:
        return worker.submit(asyncio.run, coro).result()


@dataclass
class XFetcher:
    """Runs X searches through a twscrape ``API`` (injectable for tests)."""

    accounts_db: Path
    api: Any = None
    batch: int = 200

    def open(self) -> Any:
        """The twscrape API, after checking the extra and the accounts; SourceSkipped otherwise."""
        if self.api is not None:
            return self.api
        twscrape = load_twscrape()
        if not self.accounts_db.exists():
            raise SourceSkipped(
                f"no twscrape accounts database at {self.accounts_db}: add accounts with "
                f"twscrape --db {self.accounts_db} add_accounts ... (see docs/collectors.md)"
            )
        api = twscrape.API(str(self.accounts_db), raise_when_no_account=True)
        info = _run(api.pool.accounts_info())
        if not any(a.get("active") for a in info):
            raise SourceSkipped(
                f"no active account in {self.accounts_db} ({len(info)} configured): "
                "log them in with twscrape login_accounts"
            )
        self.api = api
        return api

    def fetch(self, query: str, cursor: str | None, max_items: int) -> Iterator[Page]:
        api = self.open()
        stop_at = int(cursor) if cursor and cursor.isdigit() else None
        q = f"{query} since_id:{stop_at}" if stop_at is not None else query
        newest: int | None = None
        records: list[dict[str, Any]] = []
        rejects: list[Reject] = []
        n = 0
        for tweet in _iterate(api.search(q, limit=max_items)):
            try:
                rec = tweet_record(tweet)
            except (TypeError, ValueError) as exc:
                rejects.append(Reject(record=repr(tweet)[:2000], reason=f"unreadable tweet ({exc})"))
                continue
            tid = _tweet_id(rec)
            if tid is not None:
                if stop_at is not None and tid <= stop_at:
                    continue  # search order is "Latest" but not strictly by id; skip, don't stop
                newest = tid if newest is None else max(newest, tid)
            records.append(rec)
            n += 1
            if len(records) >= self.batch:
                yield Page(records=records, rejects=rejects)
                records, rejects = [], []
            if n >= max_items:
                break
        advance = str(newest) if newest is not None else None
        yield Page(records=records, rejects=rejects, advance_to=advance)

    def close(self) -> None:
        self.api = None
