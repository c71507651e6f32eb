"""Reading and writing match results and reviewer feedback in the store."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from pipeline.schema import utcnow
from pipeline.store.tables.registry import AccountMatch, MatchFeedback

from .features import account_id
from .matcher import Feedback

MATCHES = AccountMatch.__table__
FEEDBACK = MatchFeedback.__table__
STORED = (
    "nip", "probability", "threshold", "p_in_registry", "status", "candidates", "other_odds", "evidence",
    "registry_version", "profile_hash", "matched_at",
)  # fmt: skip


def profile_hash(account: dict[str, Any]) -> str:
    """What the matcher reads of an account; when it changes, the account is matched again."""
    h = hashlib.blake2b(digest_size=16)
    for key in ("display_name", "bio", "location"):
        h.update((account.get(key) or "").strip().encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


def save_matches(
    conn: Connection,
    results: Iterable[dict[str, Any]],
    registry_version: int | None,
    threshold: float,
    profile_hashes: dict[str, str] | None = None,
) -> int:
    """Upsert results into account_matches, one row per (platform, handle). Caller commits."""
    now = utcnow()
    rows = []
    for r in results:
        aid = account_id(r["platform"], r["handle"])
        rows.append({
            "platform": r["platform"], "handle": r["handle"], "nip": r["nip"],
            "probability": float(r["probability"]), "threshold": threshold,
            "p_in_registry": float(r.get("p_in_registry", r["probability"])), "status": r["status"],
            "candidates": r["candidates"], "other_odds": float(r.get("other_odds") or 0.0),
            "evidence": r["evidence"], "registry_version": registry_version,
            "profile_hash": (profile_hashes or {}).get(aid), "matched_at": now,
        })  # fmt: skip
    if not rows:
        return 0
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    for i in range(0, len(rows), 500):
        stmt = insert(MATCHES)
        stmt = stmt.on_conflict_do_update(
            index_elements=[MATCHES.c.platform, MATCHES.c.handle],
            set_={name: stmt.excluded[name] for name in STORED},
        )
        conn.execute(stmt, rows[i : i + 500])
    return len(rows)


def load_feedback(conn: Connection) -> Feedback:
    """Every pair's latest verdict: confirmed links and rejected pairs, keyed by account id."""
    fb = Feedback()
    latest: dict[tuple[str, str], tuple[str, str]] = {}
    query = select(FEEDBACK.c.platform, FEEDBACK.c.handle, FEEDBACK.c.nip, FEEDBACK.c.verdict,
                   FEEDBACK.c.reviewer).order_by(FEEDBACK.c.at, FEEDBACK.c.id)  # fmt: skip
    confirmed_at: dict[str, int] = {}
    for i, row in enumerate(conn.execute(query)):
        aid = account_id(row.platform, row.handle)
        latest[(aid, row.nip)] = (row.verdict, row.reviewer)
        if row.verdict == "confirm":
            confirmed_at[aid] = i
    for (aid, nip), (verdict, reviewer) in latest.items():
        if verdict == "reject":
            fb.rejected.add((aid, nip))
            fb.reviewers[(aid, nip)] = reviewer
        elif verdict == "confirm":
            fb.confirmed[aid] = nip  # order of insertion: the latest confirmation wins
            fb.reviewers[(aid, nip)] = reviewer
    # A confirmation later withdrawn by a rejection of the same pair is no confirmation.
    fb.confirmed = {aid: nip for aid, nip in fb.confirmed.items() if (aid, nip) not in fb.rejected}
    return fb


def load_matches(conn: Connection) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r.platform, r.handle): dict(r._mapping) for r in conn.execute(select(MATCHES))}
