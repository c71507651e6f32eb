"""Live sources' cursors: where each (source name, channel/tag/account/query) stopped last time.

A cursor is written in its own transaction *after* the posts it covers were committed, never before:
a crash between the two re-fetches a page (harmless, upserts are idempotent) instead of skipping it.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from pipeline.schema import utcnow
from pipeline.store.tables import SourceCursor

_T = SourceCursor.__table__


def get_cursors(engine: Engine, source: str) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(select(_T.c.key, _T.c.cursor).where(_T.c.source == source))
        return {r.key: r.cursor for r in rows}


def get_cursor(engine: Engine, source: str, key: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(_T.c.cursor).where(_T.c.source == source, _T.c.key == key)).scalar()


def put_cursor(conn: Connection, source: str, key: str, cursor: str) -> None:
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(_T).values(source=source, key=key, cursor=cursor, updated_at=utcnow())
    stmt = stmt.on_conflict_do_update(
        index_elements=[_T.c.source, _T.c.key],
        set_={"cursor": stmt.excluded.cursor, "updated_at": stmt.excluded.updated_at},
    )
    conn.execute(stmt)


def set_cursor(engine: Engine, source: str, key: str, cursor: str) -> None:
    with engine.begin() as conn:
        put_cursor(conn, source, key, cursor)


def reset_cursors(engine: Engine, source: str) -> int:
    """Forget a source's cursors (the next run starts from the newest posts again)."""
    with engine.begin() as conn:
        return conn.execute(_T.delete().where(_T.c.source == source)).rowcount or 0
