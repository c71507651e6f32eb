"""Writing posts: batched upserts keyed on (platform, post_id).

A post seen again refreshes what changes over time (metrics, author profile, raw record, the run that
saw it last) and keeps what does not (first_seen_at, text_norm already computed). The write is one
statement per batch, so a crash loses at most the batch in flight and never duplicates a post.

SQLite, the default store, takes a faster path: one ``executemany`` through the DBAPI cursor with
values serialised here (orjson for JSON columns, SQLAlchemy's own DATETIME text format), and the
stored/updated split read from the rows it just inserted instead of a per-key existence query. File
imports spend about half their time here otherwise (benchmarks/bench_import.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from pipeline.schema import Post, utcnow

from .tables import CollectionRun
from .tables import Post as PostRow

REFRESHED = (
    "url", "author_platform_id", "author_handle", "author_display_name", "author_bio",
    "author_location", "author_followers", "replies", "reposts", "likes", "quotes", "views",
    "raw", "source", "run_id", "updated_at",
)  # fmt: skip


def post_row(post: Post, now: datetime) -> dict[str, Any]:
    a, m = post.author, post.metrics
    return {
        "platform": post.platform,
        "post_id": post.post_id,
        "url": post.url,
        "created_at": post.created_at,
        "text": post.text,
        "language": post.language,
        "author_platform_id": a.platform_id,
        "author_handle": a.handle,
        "author_display_name": a.display_name,
        "author_bio": a.bio,
        "author_location": a.location,
        "author_followers": a.followers,
        "replies": m.replies,
        "reposts": m.reposts,
        "likes": m.likes,
        "quotes": m.quotes,
        "views": m.views,
        "hashtags": post.hashtags,
        "mentions": post.mentions,
        "links": post.links,
        "reply_to_id": post.reply_to_id,
        "quote_of_id": post.quote_of_id,
        "repost_of_id": post.repost_of_id,
        "raw": post.raw,
        "source": post.source,
        "run_id": post.run_id,
        "first_seen_at": now,
        "updated_at": now,
    }


@dataclass(slots=True)
class PreparedPosts:
    """A batch made ready to write: deduplicated and, for SQLite, already flattened into parameters.

    Preparing is pure Python work and writing mostly waits on the database, so a background writer
    (PostSink(background=True)) prepares on the caller's thread and only writes on its own.
    """

    dialect: str
    now: datetime
    posts: list[Post]
    params: list[Any] | None = None  # SQLite: the rows' values, flattened, in _COLUMNS order

    def __len__(self) -> int:
        return len(self.posts)


def prepare_posts(posts: Sequence[Post], dialect: str) -> PreparedPosts:
    """Collapse duplicates to the last occurrence (a later line is the fresher copy) and, for SQLite,
    serialise the values (orjson for JSON columns, SQLAlchemy's DATETIME text)."""
    now = utcnow()
    latest: dict[tuple[str, str], Post] = {}
    for post in posts:
        latest[(post.platform, post.post_id)] = post
    prepared = PreparedPosts(dialect=dialect, now=now, posts=list(latest.values()))
    if dialect == "sqlite":
        prepared.params = _sqlite_params(prepared.posts, _sqlite_time(now))
    return prepared


def upsert_posts(conn: Connection, posts: Sequence[Post] | PreparedPosts) -> tuple[int, int]:
    """Insert new posts and refresh known ones; returns (stored, updated). Caller commits.

    Duplicates inside one batch collapse to the last occurrence, as a later line is the fresher copy.
    """
    if not isinstance(posts, PreparedPosts):
        if not posts:
            return 0, 0
        posts = prepare_posts(posts, conn.dialect.name)
    if not posts.posts:
        return 0, 0
    if posts.params is not None:
        return _upsert_sqlite(conn, posts)
    now = posts.now
    latest = {(p.platform, p.post_id): p for p in posts.posts}
    keys = list(latest)
    table = PostRow.__table__
    existing: set[tuple[str, str]] = set()
    for i in range(0, len(keys), 500):  # stay under SQLite's bound-parameter limit
        chunk = keys[i : i + 500]
        rows = conn.execute(
            select(table.c.platform, table.c.post_id).where(
                tuple_(table.c.platform, table.c.post_id).in_(chunk)
            )
        )
        existing.update((r.platform, r.post_id) for r in rows)
    rows = [post_row(p, now) for p in latest.values()]
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.platform, table.c.post_id],
        set_={name: stmt.excluded[name] for name in REFRESHED},
    )
    conn.execute(stmt, rows)
    updated = len(existing)
    return len(rows) - updated, updated


def start_run(conn: Connection, source: str, kind: str) -> int:
    result = conn.execute(
        CollectionRun.__table__.insert().values(
            source=source, kind=kind, started_at=utcnow(), status="running",
            n_read=0, n_stored=0, n_updated=0, n_rejected=0,
        )
    )  # fmt: skip
    return int(result.inserted_primary_key[0])


# -- SQLite fast path ---------------------------------------------------------------------------

_COLUMNS = (
    "platform", "post_id", "url", "created_at", "text", "language", "author_platform_id", "author_handle",
    "author_display_name", "author_bio", "author_location", "author_followers", "replies", "reposts",
    "likes", "quotes", "views", "hashtags", "mentions", "links", "reply_to_id", "quote_of_id",
    "repost_of_id", "raw", "source", "run_id", "first_seen_at", "updated_at",
)  # fmt: skip
# JSON columns are bound as UTF-8 bytes straight from orjson and cast to TEXT by SQLite: decoding
# them to str in Python only for the driver to encode them back to UTF-8 costs more than the insert.
_JSON_COLUMNS = frozenset({"hashtags", "mentions", "links", "raw"})
_ROW_PARAMS = "(" + ", ".join("CAST(? AS TEXT)" if c in _JSON_COLUMNS else "?" for c in _COLUMNS) + ")"
_ON_CONFLICT = " ON CONFLICT (platform, post_id) DO UPDATE SET " + ", ".join(
    f"{name} = excluded.{name}" for name in REFRESHED
)
# Rows per multi-row INSERT: 28 parameters each stays under SQLite's default limit of 32,766.
_ROWS_PER_STATEMENT = 1000
_EMPTY = b"[]"


def _sqlite_upsert_sql(n_rows: int) -> str:
    """One multi-row INSERT: bound in one go and run in one step, during which the sqlite3 module
    releases the GIL (executemany re-takes it for every row, which stalls a background writer)."""
    values = ", ".join([_ROW_PARAMS] * n_rows)
    return f"INSERT INTO posts ({', '.join(_COLUMNS)}) VALUES {values}{_ON_CONFLICT}"


def _sqlite_time(value: datetime) -> str:
    """SQLAlchemy's SQLite DATETIME text (always with microseconds), so both write paths sort alike."""
    return value.isoformat(" ", "microseconds")


def _json_list(values: list[str]) -> bytes:
    return orjson.dumps(values) if values else _EMPTY


def _sqlite_params(posts: list[Post], now_s: str) -> list[Any]:
    dumps, opt = orjson.dumps, orjson.OPT_NON_STR_KEYS
    params: list[Any] = []
    extend = params.extend
    for p in posts:
        a, m = p.author, p.metrics
        extend((
            p.platform, p.post_id, p.url, _sqlite_time(p.created_at), p.text, p.language,
            a.platform_id, a.handle, a.display_name, a.bio, a.location, a.followers,
            m.replies, m.reposts, m.likes, m.quotes, m.views,
            _json_list(p.hashtags), _json_list(p.mentions), _json_list(p.links),
            p.reply_to_id, p.quote_of_id, p.repost_of_id,
            dumps(p.raw, option=opt) if p.raw is not None else None,
            p.source, p.run_id, now_s, now_s,
        ))  # fmt: skip
    return params


def _upsert_sqlite(conn: Connection, prepared: PreparedPosts) -> tuple[int, int]:
    """Multi-row INSERTs of prepared parameters; (stored, updated) from the rows that are new after.

    A new row gets a rowid above the table's maximum before the statement and ``first_seen_at`` equal
    to this batch's timestamp; an updated row keeps its old ``first_seen_at``. Counting rows with both
    (a rowid range scan) stays exact if another process writes between the two reads.
    """
    params = prepared.params or []
    now_s = _sqlite_time(prepared.now)
    # A 64 MiB page cache (default 2 MiB) keeps the index pages of a growing table in memory; it
    # matters from a few hundred thousand rows on (fewer page reads, less system time).
    conn.exec_driver_sql("PRAGMA cache_size = -65536")
    before = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM posts").scalar_one()
    width = len(_COLUMNS)
    step = _ROWS_PER_STATEMENT * width
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        for i in range(0, len(params), step):
            chunk = params[i : i + step]
            cursor.execute(_sqlite_upsert_sql(len(chunk) // width), chunk)
    finally:
        cursor.close()
    stored = conn.exec_driver_sql(
        "SELECT count(*) FROM posts WHERE id > ? AND first_seen_at = ?", (before, now_s)
    ).scalar_one()
    return stored, len(prepared) - stored


def update_run(conn: Connection, run_id: int, **values: Any) -> None:
    """Advance a running run's counters; called in each batch's transaction so they match the store."""
    conn.execute(
        CollectionRun.__table__.update().where(CollectionRun.__table__.c.id == run_id).values(**values)
    )


def finish_run(conn: Connection, run_id: int, status: str, **counts: Any) -> None:
    """Close a run: status ``ok``, ``partial`` (finished with rejects) or ``failed``; counts, rejects_path
    and error as keywords."""
    conn.execute(
        CollectionRun.__table__.update()
        .where(CollectionRun.__table__.c.id == run_id)
        .values(status=status, finished_at=utcnow(), **counts)
    )
