"""Reviewers' decisions and leads' adjudications, with conflicts detected instead of lost.

Every write starts by locking the item (see ``queue._lock_item``), then checks what the writer saw:
a new decision needs the writer's own lease (taken over by someone else after it expired: conflict);
an edited decision carries the version it was loaded at (changed since: conflict); an adjudication
carries the item's version. A conflict raises :class:`Conflict` (HTTP 409) and stores nothing, so the
first writer's work is never overwritten and the second writer is told, with their input intact.

Once an item has all its decisions it settles: one decision (or two that agree) makes it decided;
two that disagree send it to a lead. Reviewers may revise their own decision until the item is
decided; after that only a lead can change it (an adjudication, which the audit log records).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import IntegrityError

from pipeline.schema import utcnow
from pipeline.store.tables import Adjudication, Assignment, AuditLog, Decision, ReviewItem, User

from . import audit, sources
from .labels import Labels, disagreements
from .queue import _lock_item

ITEMS = ReviewItem.__table__
ASSIGNMENTS = Assignment.__table__
DECISIONS = Decision.__table__
ADJUDICATIONS = Adjudication.__table__
USERS = User.__table__
AUDIT = AuditLog.__table__

LABEL_FIELDS = ("stance", "target", "asn_verdict", "violation", "note", "outcome")
LEAD_ROLES = ("lead", "admin")


class ReviewError(Exception):
    """A request the queue refuses; ``status`` is the HTTP status the app answers with."""

    status = 400
    code = "error"

    def __init__(
        self, message: str, code: str | None = None, field: str | None = None, params: dict | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.field = field
        self.params = params or {}  # who changed it and when, for a translated message


class NotFound(ReviewError):
    status, code = 404, "not_found"


class Forbidden(ReviewError):
    status, code = 403, "forbidden"


class Conflict(ReviewError):
    """Someone else changed what the writer was editing; nothing was stored."""

    status, code = 409, "conflict"


class Invalid(ReviewError):
    status, code = 422, "invalid"


@dataclass(frozen=True)
class Actor:
    """Who is acting: the logged-in user (or a CLI/system actor)."""

    id: int
    username: str
    role: str

    @property
    def is_lead(self) -> bool:
        return self.role in LEAD_ROLES


def _labels_of(row: Any) -> dict[str, Any]:
    m = row._mapping if hasattr(row, "_mapping") else row
    return {k: m[k] for k in LABEL_FIELDS}


def _last_change(conn: Connection, item_id: int) -> tuple[str, dict[str, Any]]:
    """(" (last change by X at T UTC)", {"by": X, "at": T}) from the audit log, for conflict messages."""
    row = conn.execute(
        select(AUDIT.c.actor, AUDIT.c.at)
        .where(AUDIT.c.item_id == item_id, ~AUDIT.c.actor.startswith("system:"))
        .order_by(AUDIT.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return "", {"by": "?", "at": None}
    return f" (last change by {row.actor} at {row.at:%Y-%m-%d %H:%M} UTC)", {"by": row.actor, "at": row.at}


def save_decision(
    engine: Engine,
    item_id: int,
    actor: Actor,
    labels: Labels,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Store the reviewer's decision (new, or a revision of their own at ``expected_version``).

    Returns the decision's id and version and the item's status and version afterwards.
    """
    labels.validate()
    now = now or utcnow()
    try:
        with engine.begin() as conn:
            if not _lock_item(conn, item_id):
                raise NotFound(f"review item {item_id} does not exist")
            item = conn.execute(select(ITEMS).where(ITEMS.c.id == item_id)).one()
            mine = conn.execute(
                select(DECISIONS).where(DECISIONS.c.item_id == item_id, DECISIONS.c.reviewer_id == actor.id)
            ).first()
            if mine is not None:
                decision_id, version = _revise(conn, item, mine, actor, labels, expected_version, now)
                verdict_changed = mine.asn_verdict != labels.asn_verdict
            else:
                decision_id, version = _create(conn, item, actor, labels, expected_version, now)
                verdict_changed = True
            if verdict_changed:
                sources.record_feedback(
                    conn, item.platform, item.author_handle, item.nip, labels.asn_verdict, actor.username
                )
            status, item_version = _settle(conn, item_id, actor, now)
    except IntegrityError as exc:  # a second writer slipped past the checks: the key caught it
        raise Conflict(
            "This item was decided by another reviewer at the same moment; nothing was saved."
        ) from exc
    return {"decision_id": decision_id, "version": version, "status": status, "item_version": item_version}


def _revise(
    conn: Connection, item: Any, mine: Any, actor: Actor, labels: Labels, expected: int | None, now: datetime
) -> tuple[int, int]:
    if item.status == "decided":
        text, who = _last_change(conn, item.id)
        raise Conflict(
            "This item is already decided; only a lead can change it now" + text + ".", "final", params=who
        )
    if expected != mine.version:
        raise Conflict(
            f"Your decision on this item was changed since you opened it (now version {mine.version}, "
            f"saved {mine.updated_at:%Y-%m-%d %H:%M} UTC); reload to see it. Nothing was saved.",
            code="stale",
            params={"by": actor.username, "at": mine.updated_at},
        )
    values = labels.as_dict() | {"updated_at": now}
    done = conn.execute(
        update(DECISIONS)
        .where(DECISIONS.c.id == mine.id, DECISIONS.c.version == expected)
        .values(version=DECISIONS.c.version + 1, **values)
    )
    if done.rowcount != 1:
        raise Conflict("Your decision was changed at the same moment elsewhere; reload it.", code="stale")
    audit.log(
        conn, actor.username, "revise", "decision", entity_id=mine.id, item_id=item.id,
        before=_labels_of(mine), after=labels.as_dict(), at=now,
    )  # fmt: skip
    return mine.id, mine.version + 1


def _create(
    conn: Connection, item: Any, actor: Actor, labels: Labels, expected: int | None, now: datetime
) -> tuple[int, int]:
    if expected:
        raise Conflict("The decision you were editing no longer exists; reload the item.", code="stale")
    if item.status != "open":
        text, who = _last_change(conn, item.id)
        raise Conflict(
            "This item was already decided by other reviewers" + text + "; your decision was not saved.",
            "decided",
            params=who,
        )
    a = ASSIGNMENTS
    lease = conn.execute(select(a).where(a.c.item_id == item.id, a.c.user_id == actor.id)).first()
    if lease is None or lease.state != "active":
        text, who = _last_change(conn, item.id)
        raise Conflict(
            "This item is not leased to you: your lease expired and another reviewer took it, or you never "
            "claimed it" + text + ". Your decision was not saved.",
            "not_leased",
            params=who,
        )
    done = conn.execute(
        update(a)
        .where(
            a.c.id == lease.id, a.c.user_id == actor.id, a.c.state == "active", a.c.version == lease.version
        )
        .values(state="done", finished_at=now, version=a.c.version + 1)
    )
    if done.rowcount != 1:
        raise Conflict(
            "Another reviewer took this item a moment ago; your decision was not saved.", "not_leased"
        )
    decision_id = conn.execute(
        DECISIONS.insert().values(
            item_id=item.id, reviewer_id=actor.id, slot=lease.slot, created_at=now, updated_at=now, version=1,
            **labels.as_dict(),
        )
    ).inserted_primary_key[0]  # fmt: skip
    audit.log(
        conn, actor.username, "decide", "decision", entity_id=decision_id, item_id=item.id,
        after=labels.as_dict() | {"slot": lease.slot}, at=now,
    )  # fmt: skip
    return decision_id, 1


def _settle(conn: Connection, item_id: int, actor: Actor, now: datetime) -> tuple[str, int]:
    """Recompute the item's status from its decisions; returns (status, new item version)."""
    item = conn.execute(select(ITEMS).where(ITEMS.c.id == item_id)).one()
    decisions = conn.execute(
        select(DECISIONS, USERS.c.username)
        .join(USERS, USERS.c.id == DECISIONS.c.reviewer_id)
        .where(DECISIONS.c.item_id == item_id)
        .order_by(DECISIONS.c.slot)
    ).all()
    status, final, outcome, decided_at = "open", None, None, None
    if len(decisions) >= item.required_reviews:
        first = decisions[0]
        diff = disagreements(decisions[0], decisions[1]) if len(decisions) > 1 else []
        if diff:
            status = "adjudication"
        else:
            status, outcome, decided_at = "decided", first.outcome, now
            notes = [d.note for d in decisions if d.note]
            final = _labels_of(first) | {
                "target": next((d.target for d in decisions if d.target), None),
                "note": "\n".join(notes) or None,
                "source": "single" if len(decisions) == 1 else "consensus",
                "decision_ids": [d.id for d in decisions],
                "decided_by": [d.username for d in decisions],
            }
    conn.execute(
        update(ITEMS)
        .where(ITEMS.c.id == item_id)
        .values(status=status, final=final, outcome=outcome, decided_at=decided_at, updated_at=now,
                version=ITEMS.c.version + 1)
    )  # fmt: skip
    if status != item.status:
        audit.log(
            conn, actor.username, "status", "review_item", entity_id=item_id, item_id=item_id,
            before={"status": item.status}, after={"status": status, "outcome": outcome}, at=now,
        )  # fmt: skip
    return status, item.version + 1


def adjudicate(
    engine: Engine,
    item_id: int,
    actor: Actor,
    labels: Labels,
    expected_item_version: int,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A lead's final labels for a disputed item (or an override of a decided one).

    ``expected_item_version`` is the item version the lead looked at: if anything changed since
    (another lead adjudicated, a reviewer revised, a new model opinion arrived), nothing is stored.
    """
    if not actor.is_lead:
        raise Forbidden("Only a lead or an admin can adjudicate.")
    labels.validate()
    now = now or utcnow()
    with engine.begin() as conn:
        bumped = conn.execute(
            update(ITEMS)
            .where(ITEMS.c.id == item_id, ITEMS.c.version == expected_item_version)
            .values(version=ITEMS.c.version + 1, updated_at=now)
        )
        if bumped.rowcount != 1:
            current = conn.execute(select(ITEMS.c.version).where(ITEMS.c.id == item_id)).first()
            if current is None:
                raise NotFound(f"review item {item_id} does not exist")
            text, who = _last_change(conn, item_id)
            raise Conflict(
                "This item was changed since you opened it" + text
                + "; reload to see the change. Your adjudication was not saved.",
                "changed",
                params=who,
            )  # fmt: skip
        item = conn.execute(select(ITEMS).where(ITEMS.c.id == item_id)).one()
        if item.status not in ("adjudication", "decided"):
            raise Conflict(
                "This item is still with its reviewers; adjudicate once they have decided.", "open"
            )
        old = conn.execute(select(ADJUDICATIONS).where(ADJUDICATIONS.c.item_id == item_id)).first()
        values = labels.as_dict() | {"lead_id": actor.id, "updated_at": now}
        if old is None:
            adj_id = conn.execute(
                ADJUDICATIONS.insert().values(item_id=item_id, created_at=now, version=1, **values)
            ).inserted_primary_key[0]
        else:
            adj_id = old.id
            conn.execute(
                update(ADJUDICATIONS)
                .where(ADJUDICATIONS.c.id == old.id)
                .values(version=ADJUDICATIONS.c.version + 1, **values)
            )
        decision_ids = list(conn.scalars(select(DECISIONS.c.id).where(DECISIONS.c.item_id == item_id)))
        final = labels.as_dict() | {
            "source": "adjudicated",
            "decision_ids": decision_ids,
            "adjudication_id": adj_id,
            "decided_by": [actor.username],
        }
        conn.execute(
            update(ITEMS)
            .where(ITEMS.c.id == item_id)
            .values(status="decided", outcome=labels.outcome, final=final, decided_at=now)
        )
        audit.log(
            conn, actor.username, "adjudicate", "adjudication", entity_id=adj_id, item_id=item_id,
            before=(_labels_of(old) | {"status": item.status}) if old else {"status": item.status,
                                                                             "final": item.final},
            after=labels.as_dict() | {"status": "decided"}, at=now,
        )  # fmt: skip
        if old is None or old.asn_verdict != labels.asn_verdict:
            sources.record_feedback(
                conn, item.platform, item.author_handle, item.nip, labels.asn_verdict, actor.username
            )
    return {"adjudication_id": adj_id, "status": "decided", "item_version": item.version}
