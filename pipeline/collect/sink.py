"""Where every collector puts its posts: batched, idempotent upserts plus a visible pile of rejects.

File imports and live collectors alike do::

    with PostSink(engine, source="telegram:infotanjungsari", kind="telegram",
                  batch_size=settings.collect.batch_size,
                  rejects_dir=settings.path(settings.collect.rejects_dir)) as sink:
        for record in fetched:
            try:
                sink.add(parse_snscrape(record))
            except RecordError as exc:
                sink.reject(exc.field, exc.reason, raw=record)
    print(sink.counts)

Crash safety: the ``collection_runs`` row is committed first (status ``running``); each batch is one
transaction that upserts its posts *and* advances the run's counters, so after a crash the row says
exactly what was stored. Upserts are keyed on (platform, post_id), so running the same input again
after a crash refreshes the committed batches and stores the rest: nothing lost, nothing doubled.
"""

from __future__ import annotations

import logging
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import orjson
from sqlalchemy import Engine

from pipeline.schema import Post, utcnow
from pipeline.store.posts import PreparedPosts, finish_run, prepare_posts, start_run, update_run, upsert_posts

log = logging.getLogger(__name__)


@dataclass
class SinkCounts:
    """read = stored + updated + rejected + skipped (+ duplicates inside one batch, see upsert_posts)."""

    read: int = 0
    stored: int = 0
    updated: int = 0
    rejected: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:60] or "source"


class PostSink:
    """Batches posts into the store for one collection run; counts and sets aside rejects.

    Parameters are stored as given (``batch_size`` posts per transaction, ``rejects_dir`` for the
    rejects JSONL). ``run_id_`` and ``rejects_path_`` are set once the run has started / rejected.

    ``background=True`` writes each full batch on a writer thread while the caller parses the next
    one: SQLite and the database drivers release the GIL while they work, so on two cores a file
    import runs about a third faster. At most one batch is in flight (memory stays bounded), and
    :meth:`flush` and :meth:`close` wait for it and re-raise its error, if any.
    """

    def __init__(
        self,
        engine: Engine,
        source: str,
        kind: str = "file",
        batch_size: int = 5000,
        rejects_dir: str | Path = "data/rejects",
        max_raw_chars: int = 100_000,
        background: bool = False,
    ) -> None:
        self.engine = engine
        self.source = source
        self.kind = kind
        self.batch_size = batch_size
        self.rejects_dir = rejects_dir
        self.max_raw_chars = max_raw_chars
        self.background = background
        self.counts = SinkCounts()
        self.run_id_: int | None = None
        self.rejects_path_: Path | None = None
        self.status_: str | None = None
        self._batch: list[Post] = []
        self._rejects: IO[bytes] | None = None
        self._writer: ThreadPoolExecutor | None = None
        self._pending: Future[None] | None = None
        self._lock = threading.Lock()
        # (records read, rejected + skipped) when the last committed batch was handed over
        self._committed: tuple[int, int] = (0, 0)

    @classmethod
    def from_settings(
        cls, engine: Engine, settings: Any, source: str, kind: str = "file", background: bool = False
    ) -> PostSink:
        """The usual construction: batch size and rejects folder from ``settings.collect``."""
        return cls(
            engine,
            source=source,
            kind=kind,
            batch_size=settings.collect.batch_size,
            rejects_dir=settings.path(settings.collect.rejects_dir),
            background=background,
        )

    # -- life cycle ------------------------------------------------------------------------------
    def start(self) -> int:
        if self.run_id_ is None:
            with self.engine.begin() as conn:
                self.run_id_ = start_run(conn, self.source[:200], self.kind)
        return self.run_id_

    def __enter__(self) -> PostSink:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is None:
            self.close()
            return
        # Keep what was read correctly before the failure (a parse crash, Ctrl-C): those posts are
        # valid and upserts are idempotent, so the re-run that follows is no worse for it.
        try:
            self.flush()
        except Exception:  # the original error matters more; the batch is redone on re-run
            log.warning("could not store the last batch after %s", exc_type.__name__ if exc_type else "error")
        self.close(status="failed", error=f"{exc_type.__name__ if exc_type else 'Error'}: {exc}"[:2000])

    def close(self, status: str | None = None, error: str | None = None) -> SinkCounts:
        """Store the last batch and record the run's outcome: ok, partial (some rejects) or failed."""
        if self.status_ is not None:
            return self.counts
        try:
            if status != "failed":
                self.flush()
            else:
                self._drain(raise_errors=False)
        finally:
            if self._writer is not None:
                self._writer.shutdown(wait=True)
                self._writer = None
        if self._rejects is not None:
            self._rejects.close()
            self._rejects = None
        status = status or ("partial" if self.counts.rejected else "ok")
        run_id = self.start()
        with self.engine.begin() as conn:
            finish_run(
                conn, run_id, status, error=error,
                rejects_path=str(self.rejects_path_) if self.rejects_path_ else None,
                **self._run_counts(),
            )  # fmt: skip
        self.status_ = status
        return self.counts

    # -- posts -----------------------------------------------------------------------------------
    def add(self, post: Post) -> None:
        if self.run_id_ is None:
            self.start()
        self.counts.read += 1
        post.run_id = self.run_id_
        if post.source is None:
            post.source = self.source[:200]
        self._batch.append(post)
        if len(self._batch) >= self.batch_size:
            self.flush(wait=not self.background)

    def add_many(self, posts: list[Post]) -> None:
        for post in posts:
            self.add(post)

    def skip(self, n: int = 1) -> None:
        """Records read but deliberately not stored (Telegram service messages, say)."""
        self.counts.read += n
        self.counts.skipped += n

    def flush(self, wait: bool = True) -> None:
        """Write the batch in hand (one transaction). ``wait=False`` (background sinks) returns as
        soon as the batch is handed to the writer thread."""
        run_id = self.start()
        if self._batch:
            batch, self._batch = self._batch, []
            # Everything read so far is in this batch, an earlier one, or rejected/skipped.
            mark = (self.counts.read, self.counts.rejected + self.counts.skipped)
            prepared = prepare_posts(batch, self.engine.dialect.name)  # Python work: on this thread
            if self.background:
                self._drain()  # one batch in flight at most
                if self._writer is None:
                    self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="post-sink")
                self._pending = self._writer.submit(self._write, run_id, prepared, mark)
            else:
                self._write(run_id, prepared, mark)
        if wait:
            self._drain()

    def _write(self, run_id: int, batch: PreparedPosts, mark: tuple[int, int]) -> None:
        with self.engine.begin() as conn:
            stored, updated = upsert_posts(conn, batch)
            with self._lock:
                self.counts.stored += stored
                self.counts.updated += updated
                self._committed = mark
                counts = self._run_counts()
            update_run(conn, run_id, **counts)

    def _drain(self, raise_errors: bool = True) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            return
        try:
            pending.result()
        except BaseException:
            if raise_errors:
                raise
            log.warning("the last batch of %s could not be stored", self.source, exc_info=True)

    def _run_counts(self) -> dict[str, int]:
        """n_read counts records whose fate is settled: stored in a committed batch, rejected or
        skipped. Posts still in hand (or in a batch that failed) are not counted."""
        c = self.counts
        read_then, set_aside_then = self._committed
        read = read_then + (c.rejected + c.skipped - set_aside_then)
        return {"n_read": read, "n_stored": c.stored, "n_updated": c.updated, "n_rejected": c.rejected}

    # -- rejects ---------------------------------------------------------------------------------
    def reject(
        self,
        field: str,
        reason: str,
        raw: bytes | str | dict[str, Any] | None = None,
        file: str | Path | None = None,
        line: int | None = None,
        item: int | str | None = None,
    ) -> None:
        """Set a record aside in the run's rejects file: where it was, what was wrong, the raw input.

        ``line`` is the line number in a line-based file; ``item`` the position or id of the record in
        a file that is one JSON document (an array, a Telegram export)."""
        self.counts.read += 1
        self.counts.rejected += 1
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", errors="replace")
        if isinstance(raw, str):
            raw = raw.rstrip("\r\n")
            if len(raw) > self.max_raw_chars:
                raw = raw[: self.max_raw_chars] + "…[truncated]"
        entry = {"file": str(file) if file is not None else None, "line": line, "field": field,
                 "reason": reason, "raw": raw, "source": self.source, "run_id": self.run_id_}  # fmt: skip
        if item is not None:
            entry["item"] = item
        self._rejects_file().write(orjson.dumps(entry, default=str) + b"\n")

    def _rejects_file(self) -> IO[bytes]:
        if self._rejects is None:
            run_id = self.start()
            folder = Path(self.rejects_dir)
            folder.mkdir(parents=True, exist_ok=True)
            stamp = utcnow().strftime("%Y%m%dT%H%M%S")
            self.rejects_path_ = folder / f"{stamp}-run{run_id}-{_slug(self.source)}.jsonl"
            self._rejects = self.rejects_path_.open("ab")
        return self._rejects
