"""Run the live sources of ``configs/sources.yaml``: Telegram channels, Mastodon servers, X searches.

:func:`collect_all` is what ``netra collect run`` and the nightly scan call. For each enabled source
it opens one collection run (a ``collection_runs`` row via :class:`~pipeline.collect.sink.PostSink`)
and walks the source's keys (channels, tags, accounts, queries):

- each key starts from its cursor (``source_cursors``), so a nightly run fetches only what is new;
- fetched records go through the shared parsers (``parse_snscrape``, ``parse_status``,
  ``parse_twscrape``); records they refuse are set aside in the run's rejects file;
- a cursor moves only after the posts it covers are committed (``sink.flush()`` first);
- a key that fails (missing channel, 404 account, malformed page, rate limit) is reported and the
  next key runs; a source that fails is reported and the next source runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Engine

from pipeline.config import Settings
from pipeline.schema import Post, RecordError

from .backoff import RetryPolicy, SourceError
from .cursors import get_cursors, set_cursor
from .formats import parse_snscrape, parse_status, parse_twscrape
from .live_types import Page
from .sink import PostSink
from .sources import MastodonSource, SourcesConfig, TelegramSource, XSource, load_sources
from .x import SourceSkipped

log = logging.getLogger(__name__)

Entry = TelegramSource | MastodonSource | XSource


class Fetcher(Protocol):
    def fetch(self, key: str, cursor: str | None, max_items: int) -> Iterator[Page]: ...


@dataclass
class SourceResult:
    """One source's outcome, for the summary table and the nightly scan's record."""

    name: str
    kind: str
    status: str = "ok"  # ok | partial (some keys or records failed) | failed | skipped
    fetched: int = 0
    stored: int = 0
    updated: int = 0
    rejected: int = 0
    skipped: int = 0
    keys: int = 0
    errors: list[str] = field(default_factory=list)
    run_id: int | None = None
    rejects_path: str | None = None

    @property
    def failed(self) -> bool:
        """Anything short of a clean run: a failed key or source, or rejected records."""
        return self.status in ("failed", "partial")

    @property
    def error(self) -> str:
        return "; ".join(self.errors)


@dataclass
class Binding:
    """How one source is read: its keys, a fetcher, and the parser for its records."""

    keys: list[str]
    fetcher: Fetcher
    parse: Callable[[dict[str, Any]], Post]
    close: Callable[[], None] = lambda: None


def bind(entry: Entry, settings: Settings, policy: RetryPolicy) -> Binding:
    """The default fetcher for an entry; raises SourceSkipped/SourceError when it cannot run here."""
    if isinstance(entry, TelegramSource):
        from .telegram import TelegramFetcher

        return Binding(entry.channels, TelegramFetcher(policy=policy), parse_snscrape)
    if isinstance(entry, MastodonSource):
        from .mastodon import MastodonFetcher

        m = MastodonFetcher.from_source(entry, policy)
        return Binding(MastodonFetcher.keys(entry), m, lambda s: parse_status(s, m.host), m.close)
    if isinstance(entry, XSource):
        from .x import XFetcher

        if not entry.queries:
            raise SourceSkipped("no queries configured")
        x = XFetcher(accounts_db=settings.path(entry.accounts_db))
        x.open()  # checks the extra and the accounts before a run is recorded
        return Binding(entry.queries, x, parse_twscrape, x.close)
    raise TypeError(f"unknown source entry {type(entry).__name__}")


Binder = Callable[[Entry, Settings, RetryPolicy], Binding]


def _select(sources: SourcesConfig, only: Iterable[str] | None) -> list[Entry]:
    """Enabled entries, or exactly the named ones (named entries run even when disabled)."""
    if only:
        return [sources.get(name) for name in dict.fromkeys(only)]
    return sources.enabled()


def collect_all(
    settings: Settings,
    engine: Engine,
    only: Iterable[str] | None = None,
    *,
    sources: SourcesConfig | None = None,
    policy: RetryPolicy | None = None,
    binder: Binder = bind,
    on_result: Callable[[SourceResult], None] | None = None,
) -> list[SourceResult]:
    """Collect every enabled live source (or the ``only`` names); one failure never stops the rest.

    Raises KeyError for a name in ``only`` that is not configured and ConfigError for a bad
    sources file, both before anything is fetched.
    """
    sources = sources if sources is not None else load_sources(settings)
    entries = _select(sources, only)
    policy = policy or RetryPolicy.from_settings(settings)
    results = []
    for entry in entries:
        try:
            result = collect_source(entry, settings, engine, policy, binder)
        except Exception as exc:  # the store itself failing under one source: report, try the next
            log.exception("source %s failed", entry.name)
            result = SourceResult(entry.name, entry.kind, status="failed", errors=[_describe(exc)])
        log.info(
            "source %s: %s, fetched %d, stored %d, updated %d, rejected %d%s",
            result.name, result.status, result.fetched, result.stored, result.updated, result.rejected,
            f", errors: {result.error}" if result.errors else "",
            extra={"stage": "collect", "source": result.name, "count": result.stored},
        )  # fmt: skip
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def collect_source(
    entry: Entry, settings: Settings, engine: Engine, policy: RetryPolicy, binder: Binder = bind
) -> SourceResult:
    result = SourceResult(name=entry.name, kind=entry.kind)
    try:
        binding = binder(entry, settings, policy)
    except SourceSkipped as exc:
        result.status = "skipped"
        result.errors.append(str(exc))
        log.warning("source %s skipped: %s", entry.name, exc)
        return result
    except Exception as exc:  # a source that cannot even start is reported, the others run
        result.status = "failed"
        result.errors.append(_describe(exc))
        _record_failed_run(engine, settings, entry, result)
        return result

    sink = PostSink.from_settings(engine, settings, source=entry.name, kind=entry.kind)
    result.run_id = sink.start()
    cursors = get_cursors(engine, entry.name)
    ok_keys = 0
    try:
        for key in binding.keys:
            result.keys += 1
            try:
                _collect_key(entry, key, cursors.get(key), binding, sink, engine)
                ok_keys += 1
            except Exception as exc:  # one channel/tag/account failing does not stop the others
                msg = _describe(exc)
                result.errors.append(f"{key}: {msg}"[:1000])
                unexpected = not isinstance(exc, SourceError)  # a bug or a layout change: keep the trace
                log.warning("source %s, %s failed: %s", entry.name, key, msg, exc_info=unexpected)
    finally:
        binding.close()
        sink.flush()
        if result.errors:
            status = "failed" if ok_keys == 0 else "partial"
        else:
            status = "partial" if sink.counts.rejected else "ok"
        sink.close(status=status, error=result.error[:2000] or None)
    c = sink.counts
    result.status = status
    result.fetched, result.stored, result.updated = c.read, c.stored, c.updated
    result.rejected, result.skipped = c.rejected, c.skipped
    result.rejects_path = str(sink.rejects_path_) if sink.rejects_path_ else None
    return result


def _collect_key(
    entry: Entry, key: str, cursor: str | None, binding: Binding, sink: PostSink, engine: Engine
) -> None:
    for page in binding.fetcher.fetch(key, cursor, entry.max_items):
        for record in page.records:
            try:
                post = binding.parse(record)
            except RecordError as exc:
                sink.reject(exc.field, exc.reason, raw=record, file=f"{entry.name}:{key}")
                continue
            sink.add(post)
        for bad in page.rejects:
            sink.reject("page", bad.reason, raw=bad.record, file=f"{entry.name}:{key}")
        if page.skipped:
            sink.skip(page.skipped)
        if page.advance_to is not None:
            sink.flush()  # the posts first, then the cursor: a crash in between re-fetches, never loses
            set_cursor(engine, entry.name, key, page.advance_to)


def _record_failed_run(engine: Engine, settings: Settings, entry: Entry, result: SourceResult) -> None:
    """A source that could not start still leaves a failed collection_runs row for the audit trail."""
    sink = PostSink.from_settings(engine, settings, source=entry.name, kind=entry.kind)
    result.run_id = sink.start()
    sink.close(status="failed", error=result.error[:2000])


def _describe(exc: BaseException) -> str:
    """Our own errors read as they are; anything else keeps its type, which is often the clue."""
    return str(exc) if isinstance(exc, SourceError) else f"{type(exc).__name__}: {exc}"
