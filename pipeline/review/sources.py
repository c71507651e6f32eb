"""The one place where the review queue reads other stages' tables (posts, predictions, registry).

The registry tables belong to the matching stage. They are read here by reflection (whatever columns
the matching stage stores are carried into the item's snapshot), so the queue depends only on the
contract's key columns: ``account_matches(platform, handle, nip, probability, candidates, evidence,
registry_version, matched_at)`` and ``asn_records(nip, ...)``. Reviewer verdicts on the ASN match go
back through ``pipeline.registry.feedback.record_feedback``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, MetaData, Table, and_, case, func, inspect, select, tuple_

from pipeline.store.tables import ModelVersion, Post, Prediction

log = logging.getLogger(__name__)

POSTS = Post.__table__
PREDICTIONS = Prediction.__table__
MODEL_VERSIONS = ModelVersion.__table__

MATCHES_TABLE = "account_matches"
RECORDS_TABLE = "asn_records"
# Columns of an ASN record that are bookkeeping, not something a reviewer needs to see.
_RECORD_SKIP = {"id", "registry_version_id", "created_at", "updated_at", "imported_at", "row_hash"}


def reflect(conn: Connection, name: str) -> Table | None:
    """The table as it exists in this database, or None while its stage has not created it."""
    if not inspect(conn).has_table(name):
        return None
    return Table(name, MetaData(), autoload_with=conn)


def default_model_version(conn: Connection) -> str | None:
    return conn.scalar(select(MODEL_VERSIONS.c.version).where(MODEL_VERSIONS.c.is_default.is_(True)).limit(1))


def candidate_rows(conn: Connection, default_version: str | None) -> Iterator[dict[str, Any]]:
    """Every post with a prediction whose author has a registry match naming a NIP.

    Each post contributes its default model's prediction when there is one, else its newest: the
    classifier keeps old versions' rows, and the queue should show the opinion that is in force.
    """
    matches = reflect(conn, MATCHES_TABLE)
    if matches is None:
        return
    p = PREDICTIONS
    preferred = case((p.c.model_version == default_version, 0), else_=1) if default_version else None
    order = [c for c in (preferred, p.c.created_at.desc(), p.c.id.desc()) if c is not None]
    ranked = select(p.c.id, func.row_number().over(partition_by=p.c.post_pk, order_by=order).label("rn"))
    ranked = ranked.subquery()
    chosen = select(ranked.c.id).where(ranked.c.rn == 1)
    m = matches
    cols = [
        POSTS.c.id.label("post_pk"), POSTS.c.platform, POSTS.c.post_id, POSTS.c.url, POSTS.c.created_at,
        POSTS.c.text, POSTS.c.first_seen_at, POSTS.c.author_handle, POSTS.c.author_display_name,
        POSTS.c.author_platform_id, POSTS.c.author_followers, POSTS.c.likes, POSTS.c.reposts,
        POSTS.c.replies, POSTS.c.quotes, POSTS.c.views,
        p.c.id.label("prediction_id"), p.c.model_version, p.c.stance, p.c.scores, p.c.partisan,
        p.c.partisan_score, p.c.target, p.c.explanation, p.c.created_at.label("predicted_at"),
        m.c.nip, m.c.probability, m.c.candidates, m.c.evidence, m.c.registry_version, m.c.matched_at,
    ]  # fmt: skip
    stmt = (
        select(*cols)
        .select_from(
            POSTS.join(p, p.c.post_pk == POSTS.c.id).join(
                m, and_(m.c.platform == POSTS.c.platform, m.c.handle == POSTS.c.author_handle)
            )
        )
        .where(p.c.id.in_(chosen), m.c.nip.is_not(None))
        .order_by(POSTS.c.id)
    )
    for row in conn.execute(stmt):
        yield dict(row._mapping)


def asn_records(conn: Connection, keys: Iterable[tuple[str, Any]]) -> dict[tuple[str, Any], dict[str, Any]]:
    """ASN records by (nip, registry_version); a record found under another version is used as fallback."""
    records = reflect(conn, RECORDS_TABLE)
    wanted = {k for k in keys if k[0]}
    if records is None or not wanted:
        return {}
    nips = sorted({nip for nip, _ in wanted})
    versioned = "registry_version" in records.c
    found: dict[tuple[str, Any], dict[str, Any]] = {}
    by_nip: dict[str, dict[str, Any]] = {}
    for i in range(0, len(nips), 500):
        stmt = select(records).where(records.c.nip.in_(nips[i : i + 500]))
        if versioned:
            stmt = stmt.order_by(records.c.registry_version)
        for row in conn.execute(stmt):
            rec = {k: v for k, v in row._mapping.items() if k not in _RECORD_SKIP}
            by_nip[rec["nip"]] = rec  # the newest version wins as the fallback
            found[(rec["nip"], rec.get("registry_version"))] = rec
    return {k: found.get(k) or by_nip[k[0]] for k in wanted if k in found or k[0] in by_nip}


def match_fingerprint(row: dict[str, Any]) -> tuple[Any, ...]:
    """What identifies one registry match result; a change means the item's match snapshot is stale."""
    return (
        row.get("nip"),
        row.get("probability"),
        str(row.get("registry_version")),
        str(row.get("matched_at")),
    )


def post_keys(conn: Connection, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for i in range(0, len(pairs), 500):
        chunk = pairs[i : i + 500]
        stmt = select(POSTS.c.platform, POSTS.c.post_id, POSTS.c.id).where(
            tuple_(POSTS.c.platform, POSTS.c.post_id).in_(chunk)
        )
        out.update({(r.platform, r.post_id): r.id for r in conn.execute(stmt)})
    return out


VERDICT_TO_FEEDBACK = {"confirm": "confirm", "wrong_person": "reject"}


def record_feedback(
    conn: Connection, platform: str, handle: str | None, nip: str | None, asn_verdict: str, reviewer: str
) -> bool:
    """Tell the matching stage what a reviewer said about the match; False when there is nothing to say.

    "unsure" is not feedback. Runs in the caller's transaction, so a decision and its feedback are
    stored together or not at all.
    """
    verdict = VERDICT_TO_FEEDBACK.get(asn_verdict)
    if verdict is None or not handle or not nip:
        return False
    try:
        from pipeline.registry.feedback import record_feedback as registry_feedback
    except ImportError:  # the matching stage is not installed in this checkout
        log.debug("registry feedback unavailable; verdict kept only in the review decision")
        return False
    registry_feedback(conn, platform, handle, nip, verdict, reviewer)
    return True
