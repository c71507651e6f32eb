"""What the pages and the JSON API show: read-only views over the review tables.

Visibility rules live here, once, for both the HTML pages and the API: a reviewer sees the other
reviewer's decision on a double-reviewed item only after making their own (independent labels are
what the agreement statistics measure); leads and admins see everything, including the audit trail.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, func, select

from pipeline.config import Settings
from pipeline.schema import utcnow
from pipeline.store.tables import Adjudication, Assignment, Decision, Evidence, ReviewItem, User
from pipeline.store.tables import Post as PostRow

from . import audit
from .decisions import Actor, NotFound
from .queue import available_query, held_lease, queue_state

ITEMS = ReviewItem.__table__
ASSIGNMENTS = Assignment.__table__
DECISIONS = Decision.__table__
ADJUDICATIONS = Adjudication.__table__
EVIDENCE = Evidence.__table__
USERS = User.__table__
POSTS = PostRow.__table__

_SUBWORD = re.compile(r"^(##|▁|Ġ)")
_WORD = re.compile(r"(\w[\w'-]*|[#@]\w+)", re.UNICODE)


def _norm_token(token: str) -> str:
    return _SUBWORD.sub("", str(token)).strip().lower().lstrip("#@")


def highlighted(text: str, explanation: list[Any] | None, top: int = 8) -> list[tuple[str, float]]:
    """The post's text as (piece, weight) runs: words the model leaned on carry their weight, others 0."""
    weights: dict[str, float] = {}
    for pair in explanation or []:
        try:
            token, weight = pair[0], float(pair[1])
        except (TypeError, ValueError, IndexError):
            continue
        key = _norm_token(token)
        if key and abs(weight) > abs(weights.get(key, 0.0)):
            weights[key] = weight
    keep = dict(sorted(weights.items(), key=lambda kv: -abs(kv[1]))[:top])
    scale = max((abs(w) for w in keep.values()), default=1.0) or 1.0
    runs: list[tuple[str, float]] = []
    pos = 0
    for m in _WORD.finditer(text or ""):
        if m.start() > pos:
            runs.append((text[pos : m.start()], 0.0))
        runs.append((m.group(0), keep.get(_norm_token(m.group(0)), 0.0) / scale))
        pos = m.end()
    if pos < len(text or ""):
        runs.append((text[pos:], 0.0))
    return runs


def top_words(explanation: list[Any] | None, n: int = 10) -> list[tuple[str, float]]:
    out = []
    for pair in explanation or []:
        try:
            out.append((str(pair[0]), float(pair[1])))
        except (TypeError, ValueError, IndexError):
            continue
    return sorted(out, key=lambda tw: -abs(tw[1]))[:n]


def item_detail(engine: Engine, item_id: int, actor: Actor, now: datetime | None = None) -> dict[str, Any]:
    """Everything the item page and ``GET /api/v1/items/{id}`` show, filtered for this viewer."""
    now = now or utcnow()
    with engine.connect() as conn:
        item = conn.execute(select(ITEMS).where(ITEMS.c.id == item_id)).first()
        if item is None:
            raise NotFound(f"review item {item_id} does not exist")
        evidence = [
            dict(r._mapping)
            for r in conn.execute(
                select(EVIDENCE).where(EVIDENCE.c.item_id == item_id).order_by(EVIDENCE.c.id)
            )
        ]
        post = None
        if item.post_pk is not None:
            row = conn.execute(select(POSTS).where(POSTS.c.id == item.post_pk)).first()
            post = dict(row._mapping) if row else None
        decisions = [
            dict(r._mapping)
            for r in conn.execute(
                select(DECISIONS, USERS.c.username)
                .join(USERS, USERS.c.id == DECISIONS.c.reviewer_id)
                .where(DECISIONS.c.item_id == item_id)
                .order_by(DECISIONS.c.slot)
            )
        ]
        adj = conn.execute(
            select(ADJUDICATIONS, USERS.c.username)
            .join(USERS, USERS.c.id == ADJUDICATIONS.c.lead_id)
            .where(ADJUDICATIONS.c.item_id == item_id)
        ).first()
        leases = [
            dict(r._mapping)
            for r in conn.execute(
                select(ASSIGNMENTS, USERS.c.username)
                .join(USERS, USERS.c.id == ASSIGNMENTS.c.user_id)
                .where(ASSIGNMENTS.c.item_id == item_id)
                .order_by(ASSIGNMENTS.c.slot)
            )
        ]
        trail = audit.item_trail(conn, item_id) if actor.is_lead else []
    mine = next((d for d in decisions if d["reviewer_id"] == actor.id), None)
    my_lease = next((a for a in leases if a["user_id"] == actor.id and a["state"] == "active"), None)
    others_active = [
        a for a in leases if a["user_id"] != actor.id and a["state"] == "active" and a["expires_at"] > now
    ]
    visible = decisions if (actor.is_lead or mine is not None) else []
    item_d = dict(item._mapping)
    if not actor.is_lead:
        item_d["audit"] = None  # reviewers label audit items blind, like any other
    latest = evidence[-1] if evidence else None
    return {
        "item": item_d,
        "evidence": latest,
        "evidence_versions": len(evidence),
        "evidence_all": evidence if actor.is_lead else [],
        "post": post,
        "post_deleted": item.post_pk is None or post is None,
        "record": (item.match or {}).get("record") or {},
        "decisions": visible,
        "hidden_decisions": len(decisions) - len(visible),
        "my_decision": mine,
        "my_lease": my_lease,
        "held_by_others": [{"username": a["username"], "expires_at": a["expires_at"]} for a in others_active],
        "adjudication": dict(adj._mapping) if adj else None,
        "trail": trail,
        "can_decide": (my_lease is not None and mine is None and item.status == "open")
        or (mine is not None and item.status in ("open", "adjudication")),
        "can_adjudicate": actor.is_lead and item.status in ("adjudication", "decided"),
        "runs": highlighted(latest["text"] if latest else "", (item.prediction or {}).get("explanation")),
        "top_words": top_words((item.prediction or {}).get("explanation")),
    }


def my_queue(engine: Engine, actor: Actor, settings: Settings, now: datetime | None = None) -> dict[str, Any]:
    """The reviewer's home: what they hold, how much is waiting for them, what they decided lately."""
    now = now or utcnow()
    with engine.connect() as conn:
        held = held_lease(conn, actor.id)
        available = conn.scalar(
            select(func.count()).select_from(
                available_query(actor.id, now, settings.queue.ordering).subquery()
            )
        )
        recent = [
            dict(r._mapping)
            for r in conn.execute(
                select(
                    DECISIONS.c.item_id, DECISIONS.c.stance, DECISIONS.c.outcome, DECISIONS.c.updated_at,
                    ITEMS.c.status, ITEMS.c.author_handle, ITEMS.c.platform,
                )
                .join(ITEMS, ITEMS.c.id == DECISIONS.c.item_id)
                .where(DECISIONS.c.reviewer_id == actor.id)
                .order_by(DECISIONS.c.updated_at.desc())
                .limit(20)
            )
        ]  # fmt: skip
        today = conn.scalar(
            select(func.count()).where(
                DECISIONS.c.reviewer_id == actor.id, DECISIONS.c.created_at >= now - timedelta(hours=24)
            )
        )
        disputed = conn.scalar(select(func.count()).where(ITEMS.c.status == "adjudication"))
    return {
        "held": dict(held._mapping) if held else None,
        "available": int(available or 0),
        "recent": recent,
        "today": int(today or 0),
        "disputed": int(disputed or 0) if actor.is_lead else None,
    }


def adjudication_list(engine: Engine) -> list[dict[str, Any]]:
    """Items whose two reviewers disagreed, oldest first, with both decisions."""
    with engine.connect() as conn:
        items = conn.execute(
            select(ITEMS.c.id, ITEMS.c.platform, ITEMS.c.author_handle, ITEMS.c.updated_at, ITEMS.c.priority)
            .where(ITEMS.c.status == "adjudication")
            .order_by(ITEMS.c.updated_at, ITEMS.c.id)
        ).all()
        ids = [i.id for i in items]
        decisions: dict[int, list[dict[str, Any]]] = {}
        if ids:
            for r in conn.execute(
                select(DECISIONS, USERS.c.username)
                .join(USERS, USERS.c.id == DECISIONS.c.reviewer_id)
                .where(DECISIONS.c.item_id.in_(ids))
                .order_by(DECISIONS.c.slot)
            ):
                decisions.setdefault(r.item_id, []).append(dict(r._mapping))
    return [dict(i._mapping) | {"decisions": decisions.get(i.id, [])} for i in items]


def team_progress(engine: Engine, now: datetime | None = None) -> dict[str, Any]:
    """Queue counts, each reviewer's output and open leases, and the audit sample's state."""
    from .queue import audit_estimate

    now = now or utcnow()
    day, week = now - timedelta(hours=24), now - timedelta(days=7)
    with engine.connect() as conn:
        d = DECISIONS
        people = conn.execute(
            select(
                USERS.c.id, USERS.c.username, USERS.c.display_name, USERS.c.role, USERS.c.last_login_at,
                func.count(d.c.id).label("total"),
                func.count(d.c.id).filter(d.c.created_at >= day).label("day"),
                func.count(d.c.id).filter(d.c.created_at >= week).label("week"),
                func.count(d.c.id).filter(d.c.outcome == "forward").label("forwarded"),
            )
            .select_from(USERS.outerjoin(d, d.c.reviewer_id == USERS.c.id))
            .where(USERS.c.active.is_(True))
            .group_by(USERS.c.id, USERS.c.username, USERS.c.display_name, USERS.c.role, USERS.c.last_login_at)
            .order_by(USERS.c.username)
        ).all()  # fmt: skip
        adjudicated = dict(
            conn.execute(
                select(ADJUDICATIONS.c.lead_id, func.count()).group_by(ADJUDICATIONS.c.lead_id)
            ).all()
        )
        leases = [
            dict(r._mapping)
            for r in conn.execute(
                select(
                    ASSIGNMENTS.c.item_id,
                    ASSIGNMENTS.c.expires_at,
                    ASSIGNMENTS.c.claimed_at,
                    USERS.c.username,
                )
                .join(USERS, USERS.c.id == ASSIGNMENTS.c.user_id)
                .join(ITEMS, and_(ITEMS.c.id == ASSIGNMENTS.c.item_id, ITEMS.c.status == "open"))
                .where(ASSIGNMENTS.c.state == "active", ASSIGNMENTS.c.expires_at > now)
                .order_by(ASSIGNMENTS.c.claimed_at)
            )
        ]
        findings = [
            dict(r._mapping)
            for r in conn.execute(
                select(ITEMS.c.id, ITEMS.c.platform, ITEMS.c.author_handle, ITEMS.c.decided_at)
                .where(ITEMS.c.status == "decided", ITEMS.c.outcome == "forward")
                .order_by(ITEMS.c.decided_at.desc())
                .limit(20)
            )
        ]
    return {
        "state": queue_state(engine, now),
        "audit": audit_estimate(engine),
        "people": [dict(p._mapping) | {"adjudicated": int(adjudicated.get(p.id, 0))} for p in people],
        "leases": leases,
        "findings": findings,
    }
