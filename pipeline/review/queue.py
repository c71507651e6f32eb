"""The review queue: what enters it, in what order, and how work is handed out.

Entering (``enqueue``): a post enters when its author's ASN match and the classifier's partisan score
both pass the configured thresholds. A fixed share of the posts *below* the thresholds enters too, as
audit items, so that the violations the thresholds miss can be estimated. Which posts are sampled (for
audit, and for double review) is decided by a hash of the post's identity rather than by a random
draw, so that a nightly re-run samples the same posts: the sampling rate stays what the config says
however often the scan runs, and enqueueing stays idempotent.

Order: ``priority`` combines P(ASN), P(partisan), reach (followers and engagement) and recency. The
recency term decays exponentially with a fixed half-life; an exponential keeps the *order* of two
posts the same whatever day it is computed, so the score is computed once, against a fixed epoch, in
log space, and needs no nightly refresh. ``uncertainty`` (the "uncertainty" ordering, for active
learning) is high when the classifier is unsure or two model versions disagreed about the post.

Handing out (``claim_next``): a lease is a row keyed on (item, slot); an item has one slot, or two
when it is drawn for double review. Taking a slot is an insert (or the take-over of an expired lease
with a version check), so the database, not the app, guarantees that no slot is held twice. Each
reviewer holds at most one open lease: asking for the next item while holding one returns the held
item, so nobody can hoard the top of the queue.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, and_, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from pipeline.config import QueueSettings, Settings
from pipeline.schema import utcnow
from pipeline.store.tables import Assignment, Decision, Evidence, ReviewItem

from . import audit, sources

ITEMS = ReviewItem.__table__
ASSIGNMENTS = Assignment.__table__
DECISIONS = Decision.__table__
EVIDENCE = Evidence.__table__

ENQUEUE_ACTOR = "system:enqueue"
BATCH = 1000
HALF_LIFE_DAYS = 7.0  # a post a week newer counts twice as much, other things equal
EPOCH = datetime(2020, 1, 1)
ENGAGEMENT_WEIGHT = 10.0  # one like/share/reply reaches about as far as ten followers
_EPS = 1e-6


# --- scores -------------------------------------------------------------------------------------


def priority_score(
    p_asn: float, p_partisan: float, followers: int | None, engagement: int | None, created_at: datetime
) -> float:
    """log(P(ASN) · P(partisan) · reach factor · 2^(days since epoch / half-life)); higher first.

    The reach factor is 1 + log10(1 + followers + 10 · engagement): an account with a million
    followers weighs about seven times one with none, so reach orders posts without letting
    celebrities drown out the small civil servant whose post is a clear violation.
    """
    reach = max(0, followers or 0) + ENGAGEMENT_WEIGHT * max(0, engagement or 0)
    days = (created_at - EPOCH).total_seconds() / 86400.0
    return (
        math.log(max(p_asn, _EPS))
        + math.log(max(p_partisan, _EPS))
        + math.log1p(math.log10(1.0 + reach))
        + math.log(2.0) * days / HALF_LIFE_DAYS
    )


def uncertainty_score(
    scores: dict[str, float] | None, p_partisan: float, threshold: float, versions_disagree: bool = False
) -> float:
    """How much a reviewer's label would teach the classifier: in [0, 1], plus 1 when versions disagree.

    The larger of the normalised entropy of the stance scores and the closeness of P(partisan) to
    the partisan threshold; items on which two model versions gave different stances come first.
    """
    entropy = 0.0
    values = [max(float(v), 0.0) for v in (scores or {}).values()]
    total = sum(values)
    if total > 0 and len(values) > 1:
        probs = [v / total for v in values if v > 0]
        entropy = -sum(p * math.log(p) for p in probs) / math.log(len(values))
    span = max(threshold, 1.0 - threshold) or 1.0
    closeness = 1.0 - min(abs(p_partisan - threshold) / span, 1.0)
    return max(entropy, closeness) + (1.0 if versions_disagree else 0.0)


def unit_hash(kind: str, platform: str, post_id: str) -> float:
    """A uniform number in [0, 1) fixed by the post's identity: the same post always draws the same."""
    digest = hashlib.sha256(f"netra:{kind}:{platform}:{post_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def evidence_hash(ev: dict[str, Any]) -> str:
    """SHA-256 of the evidence's canonical JSON (sorted keys, ISO times), as printed in case files."""
    keys = ("platform", "post_id", "url", "author_handle", "author_display_name", "author_platform_id",
            "text", "posted_at", "captured_at")  # fmt: skip
    payload = {k: audit.jsonable(ev.get(k)) for k in keys}
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


# --- enqueue ------------------------------------------------------------------------------------


@dataclass
class EnqueueSummary:
    seen: int = 0  # posts with a prediction and an ASN match candidate
    qualifying: int = 0  # passed both thresholds
    frame: int = 0  # below a threshold: the population the audit sample is drawn from
    inserted: int = 0
    inserted_audit: int = 0
    updated: int = 0
    evidence_added: int = 0
    model_version: str | None = None
    thresholds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(n_in=self.seen, n_out=self.inserted + self.updated)
        return out


def _snapshot_key(row: dict[str, Any]) -> str:
    key = (row["prediction_id"], *sources.match_fingerprint(row))
    return hashlib.sha256(orjson.dumps([str(k) for k in key])).hexdigest()


def _prediction_snapshot(row: dict[str, Any]) -> dict[str, Any]:
    return audit.jsonable(
        {
            "id": row["prediction_id"],
            "model_version": row["model_version"],
            "stance": row["stance"],
            "scores": row["scores"] or {},
            "partisan": bool(row["partisan"]),
            "partisan_score": float(row["partisan_score"]),
            "target": row["target"],
            "explanation": row["explanation"],
            "created_at": row["predicted_at"],
        }
    )


def _match_snapshot(row: dict[str, Any], record: dict[str, Any] | None) -> dict[str, Any]:
    return audit.jsonable(
        {
            "nip": row["nip"],
            "probability": float(row["probability"] or 0.0),
            "candidates": row["candidates"],
            "evidence": row["evidence"],
            "registry_version": row["registry_version"],
            "matched_at": row["matched_at"],
            "record": record,
        }
    )


def _evidence_row(row: dict[str, Any]) -> dict[str, Any]:
    ev = {
        "platform": row["platform"],
        "post_id": row["post_id"],
        "url": row["url"],
        "author_handle": row["author_handle"],
        "author_display_name": row["author_display_name"],
        "author_platform_id": row["author_platform_id"],
        "text": row["text"],
        "posted_at": row["created_at"],
        "captured_at": row["first_seen_at"],  # the text is stored as first collected
    }
    ev["sha256"] = evidence_hash(ev)
    return ev


def _engagement(row: dict[str, Any]) -> int:
    return sum(int(row.get(k) or 0) for k in ("likes", "reposts", "replies", "quotes"))


def _insert(conn: Connection):
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


def _batches(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def enqueue(settings: Settings, engine: Engine, now: datetime | None = None) -> EnqueueSummary:
    """Bring the queue up to date with the newest predictions and matches; safe to run any number of times.

    New qualifying posts (and the audit sample) become items; existing items get the newest model
    opinion and match, with their reviewers' decisions untouched. A post never enters twice.
    """
    q: QueueSettings = settings.queue
    now = now or utcnow()
    summary = EnqueueSummary(
        thresholds={"asn": q.asn_threshold, "partisan": q.partisan_threshold, "audit_rate": q.audit_rate}
    )
    with engine.connect() as read_conn:
        summary.model_version = sources.default_model_version(read_conn)
        existing = {
            r.post_pk: _Known(r.id, r.snapshot_key, r.prediction, r.audit)
            for r in read_conn.execute(
                select(ITEMS.c.id, ITEMS.c.post_pk, ITEMS.c.snapshot_key, ITEMS.c.prediction, ITEMS.c.audit)
                .where(ITEMS.c.post_pk.is_not(None))
            )
        }  # fmt: skip
        hashes: dict[int, set[str]] = {}
        for r in read_conn.execute(select(EVIDENCE.c.item_id, EVIDENCE.c.sha256)):
            hashes.setdefault(r.item_id, set()).add(r.sha256)
        rows = sources.candidate_rows(read_conn, summary.model_version)
        for batch in _batches(rows, BATCH):
            with engine.begin() as conn:
                _enqueue_batch(conn, batch, existing, hashes, q, now, summary)
    with engine.begin() as conn:
        audit.log(conn, ENQUEUE_ACTOR, "enqueue_run", "queue", after=summary.as_dict(), at=now)
    return summary


def _enqueue_batch(
    conn: Connection,
    batch: list[dict[str, Any]],
    existing: dict[int, _Known],
    hashes: dict[int, set[str]],
    q: QueueSettings,
    now: datetime,
    summary: EnqueueSummary,
) -> None:
    new_rows: list[dict[str, Any]] = []
    changed: list[tuple[Any, dict[str, Any]]] = []
    for row in batch:
        summary.seen += 1
        p_asn, p_part = float(row["probability"] or 0.0), float(row["partisan_score"])
        passes = p_asn >= q.asn_threshold and p_part >= q.partisan_threshold
        summary.qualifying += passes
        summary.frame += not passes
        old = existing.get(row["post_pk"])
        if old is not None:
            if old.snapshot_key != _snapshot_key(row):
                changed.append((old, row))
            continue
        is_audit = not passes and unit_hash("audit", row["platform"], row["post_id"]) < q.audit_rate
        if passes or is_audit:
            new_rows.append((row, is_audit))
    records = sources.asn_records(
        conn, [(r["nip"], r["registry_version"]) for r, _ in new_rows] + [(r["nip"], r["registry_version"])
                                                                        for _, r in changed]
    )  # fmt: skip
    log_entries: list[dict[str, Any]] = []
    evidence_rows: list[dict[str, Any]] = []
    if new_rows:
        items = [_new_item(row, is_audit, records, q, now) for row, is_audit in new_rows]
        stmt = _insert(conn)(ITEMS).on_conflict_do_nothing()
        conn.execute(stmt, items)
        ids = {
            r.post_pk: r.id
            for r in conn.execute(
                select(ITEMS.c.id, ITEMS.c.post_pk).where(ITEMS.c.post_pk.in_([i["post_pk"] for i in items]))
            )
        }
        for item, (row, _) in zip(items, new_rows, strict=True):
            item_id = ids[item["post_pk"]]
            existing[item["post_pk"]] = _Known(
                item_id, item["snapshot_key"], item["prediction"], item["audit"]
            )
            summary.inserted += 1
            summary.inserted_audit += item["audit"]
            ev = _evidence_row(row) | {"item_id": item_id}
            evidence_rows.append(ev)
            hashes.setdefault(item_id, set()).add(ev["sha256"])
            log_entries.append(
                audit.entry(
                    ENQUEUE_ACTOR, "enqueue", "review_item", item_id, item_id, after=_brief(item), at=now
                )
            )
    for old, row in changed:
        evidence_rows.extend(_refresh(conn, old, row, records, hashes, q, now, log_entries))
        summary.updated += 1
    if evidence_rows:
        conn.execute(EVIDENCE.insert(), evidence_rows)
        summary.evidence_added += len(evidence_rows)
        log_entries.extend(
            audit.entry(ENQUEUE_ACTOR, "capture", "evidence", None, ev["item_id"],
                        after={"sha256": ev["sha256"], "captured_at": ev["captured_at"]}, at=now)
            for ev in evidence_rows
        )  # fmt: skip
    audit.log_many(conn, log_entries)


@dataclass
class _Known:
    id: int
    snapshot_key: str
    prediction: dict[str, Any]
    audit: bool


def _brief(item: dict[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of an item's state: enough to see what changed, not the whole snapshot."""
    pred = item.get("prediction") or {}
    return {
        "model_version": item.get("model_version"),
        "stance": pred.get("stance"),
        "p_partisan": item.get("p_partisan"),
        "p_asn": item.get("p_asn"),
        "nip": item.get("nip"),
        "audit": item.get("audit"),
        "needs_double": item.get("needs_double"),
        "priority": item.get("priority"),
    }


def _scores(
    row: dict[str, Any], q: QueueSettings, is_audit: bool, versions_disagree: bool
) -> dict[str, float]:
    p_asn, p_part = float(row["probability"] or 0.0), float(row["partisan_score"])
    followers, engagement = row.get("author_followers"), _engagement(row)
    if is_audit:
        # Audit items rank as if they sat exactly on the thresholds: reviewed alongside borderline
        # items, neither ahead of every clear case nor starved behind them.
        p_asn, p_part = max(p_asn, q.asn_threshold), max(p_part, q.partisan_threshold)
    return {
        "priority": priority_score(p_asn, p_part, followers, engagement, row["created_at"]),
        "uncertainty": uncertainty_score(row["scores"], float(row["partisan_score"]), q.partisan_threshold,
                                         versions_disagree),
    }  # fmt: skip


def _new_item(
    row: dict[str, Any],
    is_audit: bool,
    records: dict[tuple[str, Any], dict[str, Any]],
    q: QueueSettings,
    now: datetime,
) -> dict[str, Any]:
    double = unit_hash("double", row["platform"], row["post_id"]) < q.double_review_rate
    return {
        "post_pk": row["post_pk"],
        "platform": row["platform"],
        "post_id": row["post_id"],
        "author_handle": row["author_handle"],
        "nip": row["nip"],
        "p_asn": float(row["probability"] or 0.0),
        "p_partisan": float(row["partisan_score"]),
        "match": _match_snapshot(row, records.get((row["nip"], row["registry_version"]))),
        "prediction": _prediction_snapshot(row),
        "model_version": row["model_version"],
        "snapshot_key": _snapshot_key(row),
        **_scores(row, q, is_audit, False),
        "audit": is_audit,
        "needs_double": double,
        "required_reviews": 2 if double else 1,
        "status": "open",
        "outcome": None,
        "final": None,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "decided_at": None,
    }


def _refresh(
    conn: Connection,
    old: _Known,
    row: dict[str, Any],
    records: dict[tuple[str, Any], dict[str, Any]],
    hashes: dict[int, set[str]],
    q: QueueSettings,
    now: datetime,
    log_entries: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """A new model opinion or match for an existing item: new snapshots, same decisions and status.

    Once an item has a decision its match snapshot is frozen (only the model's opinion is refreshed).
    """
    pred = _prediction_snapshot(row)
    disagree = bool(old.prediction) and old.prediction.get("stance") != pred["stance"]
    values = {
        "p_asn": float(row["probability"] or 0.0),
        "p_partisan": float(row["partisan_score"]),
        "nip": row["nip"],
        "author_handle": row["author_handle"],
        "match": _match_snapshot(row, records.get((row["nip"], row["registry_version"]))),
        "prediction": pred,
        "model_version": row["model_version"],
        "snapshot_key": _snapshot_key(row),
        **_scores(row, q, bool(old.audit), disagree),
        "updated_at": now,
    }
    before = conn.execute(select(ITEMS).where(ITEMS.c.id == old.id)).one()._mapping
    judged = conn.scalar(select(func.count()).where(DECISIONS.c.item_id == old.id))
    if judged:
        # Reviewers have judged this author against this ASN record: a later match (say, to another
        # candidate after a "wrong person") must not silently re-point their decision at someone else.
        for key in ("p_asn", "nip", "author_handle", "match"):
            values.pop(key)
    conn.execute(update(ITEMS).where(ITEMS.c.id == old.id).values(version=ITEMS.c.version + 1, **values))
    log_entries.append(
        audit.entry(ENQUEUE_ACTOR, "refresh", "review_item", old.id, old.id,
                    before=_brief(dict(before)), after=_brief(dict(before) | values), at=now)
    )  # fmt: skip
    old.snapshot_key, old.prediction = values["snapshot_key"], pred
    ev = _evidence_row(row) | {"item_id": old.id}
    if ev["sha256"] in hashes.setdefault(old.id, set()):
        return []
    hashes[old.id].add(ev["sha256"])
    return [ev]


# --- handing out work ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    item_id: int
    assignment_id: int
    slot: int
    expires_at: datetime
    resumed: bool  # the reviewer already held this item


def _occupied(now: datetime):
    """SQL: how many of an item's slots are taken (decided, or leased and not yet expired)."""
    a = ASSIGNMENTS
    return (
        select(func.count())
        .where(
            a.c.item_id == ITEMS.c.id,
            or_(a.c.state == "done", and_(a.c.state == "active", a.c.expires_at > now)),
        )
        .scalar_subquery()
    )


def _order(ordering: str) -> list[Any]:
    if ordering == "uncertainty":
        return [ITEMS.c.uncertainty.desc(), ITEMS.c.priority.desc(), ITEMS.c.id]
    return [ITEMS.c.priority.desc(), ITEMS.c.id]


def available_query(user_id: int, now: datetime, ordering: str = "priority"):
    """Open items this reviewer may take: a slot is free and they have not held it before."""
    a = ASSIGNMENTS
    mine = exists().where(a.c.item_id == ITEMS.c.id, a.c.user_id == user_id)
    return (
        select(ITEMS.c.id)
        .where(ITEMS.c.status == "open", ~mine, _occupied(now) < ITEMS.c.required_reviews)
        .order_by(*_order(ordering))
    )


def _lock_item(conn: Connection, item_id: int, *conditions: Any) -> bool:
    """Take the item's row lock (PostgreSQL) or the write lock (SQLite) before reading its state.

    A no-op update is the portable lock: on SQLite the first write of a transaction takes the
    database's write lock, so everything read afterwards is current; on PostgreSQL it locks the row.
    """
    result = conn.execute(
        update(ITEMS).where(ITEMS.c.id == item_id, *conditions).values(updated_at=ITEMS.c.updated_at)
    )
    return result.rowcount == 1


def held_lease(conn: Connection, user_id: int) -> Any | None:
    """The reviewer's open lease on an item still waiting for decisions, if any."""
    a = ASSIGNMENTS
    return conn.execute(
        select(a)
        .join(ITEMS, ITEMS.c.id == a.c.item_id)
        .where(a.c.user_id == user_id, a.c.state == "active", ITEMS.c.status == "open")
        .order_by(a.c.claimed_at)
        .limit(1)
    ).first()


def claim_next(
    engine: Engine,
    user_id: int,
    actor: str,
    settings: Settings,
    now: datetime | None = None,
    attempts: int = 50,
) -> Claim | None:
    """Lease the next item for this reviewer, or return the one they hold; None when nothing is left."""
    q = settings.queue
    lease = timedelta(minutes=q.lease_minutes)
    for _ in range(attempts):
        t = now or utcnow()
        with engine.begin() as conn:
            held = held_lease(conn, user_id)
            if held is not None:
                renewed = conn.execute(
                    update(ASSIGNMENTS)
                    .where(ASSIGNMENTS.c.id == held.id, ASSIGNMENTS.c.user_id == user_id,
                           ASSIGNMENTS.c.state == "active", ASSIGNMENTS.c.version == held.version)
                    .values(expires_at=t + lease, version=ASSIGNMENTS.c.version + 1)
                )  # fmt: skip
                if renewed.rowcount == 1:
                    return Claim(held.item_id, held.id, held.slot, t + lease, resumed=True)
                continue  # taken over a moment ago: look again
            stmt = available_query(user_id, t, q.ordering).limit(1)
            if conn.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True, of=ITEMS)
            item_id = conn.scalar(stmt)
            if item_id is None:
                return None
            claim = _take_slot(conn, item_id, user_id, actor, t, lease)
            if claim is not None:
                return claim
    return None


def _take_slot(
    conn: Connection, item_id: int, user_id: int, actor: str, now: datetime, lease: timedelta
) -> Claim | None:
    if not _lock_item(conn, item_id, ITEMS.c.status == "open"):
        return None
    required = conn.scalar(select(ITEMS.c.required_reviews).where(ITEMS.c.id == item_id))
    a = ASSIGNMENTS
    rows = {r.slot: r for r in conn.execute(select(a).where(a.c.item_id == item_id))}
    if any(r.user_id == user_id for r in rows.values()):
        return None
    for slot in range(1, required + 1):
        r = rows.get(slot)
        if r is not None and (r.state == "done" or (r.state == "active" and r.expires_at > now)):
            continue
        values = {
            "user_id": user_id,
            "state": "active",
            "claimed_at": now,
            "expires_at": now + lease,
            "finished_at": None,
        }
        if r is None:
            assignment_id = conn.execute(
                a.insert().values(item_id=item_id, slot=slot, version=1, **values)
            ).inserted_primary_key[0]
            before = None
        else:
            # An expired or released lease: take it over, but only if nobody else just did.
            taken = conn.execute(
                update(a).where(a.c.id == r.id, a.c.version == r.version)
                .values(version=a.c.version + 1, **values)
            )  # fmt: skip
            if taken.rowcount != 1:
                return None
            assignment_id = r.id
            before = {"slot": slot, "user_id": r.user_id, "state": r.state, "expires_at": r.expires_at}
        after = {"slot": slot, "user_id": user_id, "expires_at": now + lease}
        audit.log(
            conn,
            actor,
            "claim",
            "assignment",
            entity_id=assignment_id,
            item_id=item_id,
            before=before,
            after=after,
            at=now,
        )
        return Claim(item_id, assignment_id, slot, now + lease, resumed=False)
    return None


def release(engine: Engine, item_id: int, user_id: int, actor: str, now: datetime | None = None) -> bool:
    """Give a leased item back (skip it); it returns to the queue for someone else."""
    now = now or utcnow()
    a = ASSIGNMENTS
    with engine.begin() as conn:
        row = conn.execute(
            select(a).where(a.c.item_id == item_id, a.c.user_id == user_id, a.c.state == "active")
        ).first()
        if row is None:
            return False
        done = conn.execute(
            update(a).where(a.c.id == row.id, a.c.version == row.version)
            .values(state="released", finished_at=now, version=a.c.version + 1)
        )  # fmt: skip
        if done.rowcount != 1:
            return False
        audit.log(conn, actor, "release", "assignment", entity_id=row.id, item_id=item_id,
                  before={"state": "active"}, after={"state": "released"}, at=now)  # fmt: skip
    return True


# --- queue state for the report and the progress page ---------------------------------------------


def queue_state(engine: Engine, now: datetime | None = None) -> dict[str, int]:
    """Counts: new (untouched), in_review (leased, partly decided or awaiting adjudication), decided, ...

    ``decided`` includes ``forwarded`` (findings) and ``dismissed``.
    """
    now = now or utcnow()
    a, d = ASSIGNMENTS, DECISIONS
    active = exists().where(a.c.item_id == ITEMS.c.id, a.c.state == "active", a.c.expires_at > now)
    decided_any = exists().where(d.c.item_id == ITEMS.c.id)
    with engine.connect() as conn:
        by_status = dict(conn.execute(select(ITEMS.c.status, func.count()).group_by(ITEMS.c.status)).all())
        untouched = conn.scalar(
            select(func.count()).where(ITEMS.c.status == "open", ~active, ~decided_any)
        )  # fmt: skip
        outcomes = dict(
            conn.execute(
                select(ITEMS.c.outcome, func.count())
                .where(ITEMS.c.status == "decided")
                .group_by(ITEMS.c.outcome)
            ).all()
        )
        n_audit = conn.scalar(select(func.count()).where(ITEMS.c.audit.is_(True)))
    open_ = int(by_status.get("open", 0))
    adjudication = int(by_status.get("adjudication", 0))
    return {
        "total": int(sum(by_status.values())),
        "new": int(untouched or 0),
        "in_review": open_ - int(untouched or 0) + adjudication,
        "adjudication": adjudication,
        "decided": int(by_status.get("decided", 0)),
        "forwarded": int(outcomes.get("forward", 0)),
        "dismissed": int(outcomes.get("dismiss", 0)),
        "audit": int(n_audit or 0),
    }


def audit_estimate(engine: Engine) -> dict[str, Any]:
    """What the thresholds miss, from the reviewed audit sample.

    ``violations`` of ``reviewed`` audit items were forwarded as findings; ``population`` is the
    number of below-threshold posts the sample was drawn from at the last enqueue, so
    ``population · violations / reviewed`` estimates the missed violations (the report adds a
    Wilson interval). ``rate`` is None until an audit item has been decided.
    """
    with engine.connect() as conn:
        n_items = conn.scalar(select(func.count()).where(ITEMS.c.audit.is_(True))) or 0
        reviewed = conn.scalar(
            select(func.count()).where(ITEMS.c.audit.is_(True), ITEMS.c.status == "decided")
        ) or 0  # fmt: skip
        violations = conn.scalar(
            select(func.count()).where(
                ITEMS.c.audit.is_(True), ITEMS.c.status == "decided", ITEMS.c.outcome == "forward"
            )
        ) or 0  # fmt: skip
        last = audit.last_entry(conn, "enqueue_run")
    run = (last or {}).get("after") or {}
    population = int(run.get("frame", 0) or 0)
    rate = violations / reviewed if reviewed else None
    return {
        "items": int(n_items),
        "reviewed": int(reviewed),
        "violations": int(violations),
        "population": population,
        "audit_rate": (run.get("thresholds") or {}).get("audit_rate"),
        "rate": rate,
        "estimated_missed": round(population * rate) if rate is not None else None,
    }
