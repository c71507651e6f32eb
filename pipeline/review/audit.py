"""The audit log: every change to review data, written in the same transaction as the change itself.

Writing the log row inside the changing transaction means there is no change without its log entry and
no log entry for a change that was rolled back; that is what lets the trail stand up in front of
Bawaslu or BKN. Rows are only ever inserted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from pipeline.schema import utcnow
from pipeline.store.tables import AuditLog

AUDIT = AuditLog.__table__


def jsonable(value: Any) -> Any:
    """Rows and snapshots as plain JSON: datetimes as ISO strings, mappings and sequences recursively."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [jsonable(v) for v in value]
    return value


def entry(
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None = None,
    item_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    return {
        "at": at or utcnow(),
        "actor": actor[:120],
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "item_id": item_id,
        "before": jsonable(before) if before is not None else None,
        "after": jsonable(after) if after is not None else None,
    }


def log(conn: Connection, actor: str, action: str, entity: str, **kwargs: Any) -> None:
    """Append one entry; call inside the transaction that makes the change."""
    conn.execute(AUDIT.insert(), [entry(actor, action, entity, **kwargs)])


def log_many(conn: Connection, entries: Sequence[Mapping[str, Any]]) -> None:
    if entries:
        conn.execute(AUDIT.insert(), list(entries))


def item_trail(engine: Engine | Connection, item_id: int) -> list[dict[str, Any]]:
    """Every entry about one item (the item, its leases, decisions, adjudication), oldest first."""
    stmt = select(AUDIT).where(AUDIT.c.item_id == item_id).order_by(AUDIT.c.at, AUDIT.c.id)
    if isinstance(engine, Connection):
        return [dict(r._mapping) for r in engine.execute(stmt)]
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def last_entry(conn: Connection, action: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(AUDIT).where(AUDIT.c.action == action).order_by(AUDIT.c.id.desc()).limit(1)
    ).first()
    return dict(row._mapping) if row else None
