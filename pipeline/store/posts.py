"""Writing posts: batched upserts keyed on (platform, post_id).

A post seen again refreshes what changes over time (metrics, author profile, raw record, the run that
saw it last) and keeps what does not (first_seen_at, text_norm already computed). The write is one
statement per batch, so a crash loses at most the batch in flight and never duplicates a post.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

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


def upsert_posts(conn: Connection, posts: Sequence[Post]) -> tuple[int, int]:
    """Insert new posts and refresh known ones; returns (stored, updated). Caller commits.

    Duplicates inside one batch collapse to the last occurrence, as a later line is the fresher copy.
    """
    if not posts:
        return 0, 0
    now = utcnow()
    latest: dict[tuple[str, str], Post] = {}
    for post in posts:
        latest[(post.platform, post.post_id)] = post
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
