"""Reviewer feedback on matches: a confirmation makes a link certain; a rejection removes the pair
and leaves the account for a reviewer.

The review app calls :func:`record_feedback` inside its own transaction when a reviewer says the
ASN match of a post's author is right ("confirm") or the wrong person ("reject"). The verdict is
stored in ``match_feedback`` (every later matching run reads it: a confirmed pair stays certain, a
rejected pair is never proposed again) and the account's row in ``account_matches`` is updated at
once, so the queue sees the change without waiting for the next scan.

After a rejection no other record of the account is linked automatically: the remaining candidates
stay listed with their renormalised probabilities, but ``nip`` stays null and the status is
``needs_review``, here and in every later matching run, until a reviewer confirms a record. A
rejection shows that the profile misled the model for this account, so the next namesake's
renormalised probability is not trustworthy enough to flag a civil servant without a human.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection, func, select, update

from pipeline.schema import utcnow

from .evidence import rejected_item
from .matcher import NEEDS_REVIEW
from .store import FEEDBACK, MATCHES

log = logging.getLogger(__name__)

VERDICTS = ("confirm", "reject")


def record_feedback(
    conn: Connection, platform: str, handle: str, nip: str, verdict: str, reviewer: str
) -> dict[str, Any] | None:
    """Store a reviewer's verdict on (account, NIP) and update the account's match; caller commits.

    Returns the updated account_matches row, or None when the account has no stored match yet
    (the verdict is kept and applies when it is matched).
    """
    verdict = (verdict or "").strip().lower()
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, not {verdict!r}")
    if not (platform and handle and nip and reviewer):
        raise ValueError("platform, handle, nip and reviewer are required")
    handle = handle.strip().lstrip("@")
    conn.execute(
        FEEDBACK.insert().values(
            platform=platform, handle=handle, nip=str(nip), verdict=verdict, reviewer=reviewer, at=utcnow()
        )
    )
    row = conn.execute(
        select(MATCHES).where(MATCHES.c.platform == platform, MATCHES.c.handle == handle)
    ).first()
    if row is None:
        row = conn.execute(
            select(MATCHES).where(
                MATCHES.c.platform == platform, func.lower(MATCHES.c.handle) == handle.lower()
            )
        ).first()
    log.info("match feedback recorded: %s", verdict)
    if row is None:
        return None
    current = dict(row._mapping)
    values = (
        _confirmed(current, str(nip), reviewer)
        if verdict == "confirm"
        else _rejected(current, str(nip), reviewer)
    )
    conn.execute(update(MATCHES).where(MATCHES.c.id == current["id"]).values(**values, matched_at=utcnow()))
    return {**current, **values}


def _review_item(level: str, reviewer: str) -> dict[str, Any]:
    if level == "rejected":
        return rejected_item(reviewer)
    label, label_id = f"confirmed by reviewer {reviewer}", f"dikonfirmasi oleh peninjau {reviewer}"
    return {"field": "review", "level": level, "label": label, "label_id": label_id, "weight": None,
            "strength": "certain", "account": None, "record": None}  # fmt: skip


def _confirmed(row: dict[str, Any], nip: str, reviewer: str) -> dict[str, Any]:
    same_top = (row.get("candidates") or [{}])[0].get("nip") == nip
    evidence = [_review_item("confirmed", reviewer)] + (list(row.get("evidence") or []) if same_top else [])
    return {
        "nip": nip, "probability": 1.0, "p_in_registry": 1.0, "status": "confirmed",
        "candidates": [{"nip": nip, "probability": 1.0}], "other_odds": 0.0, "evidence": evidence,
    }  # fmt: skip


def _rejected(row: dict[str, Any], nip: str, reviewer: str) -> dict[str, Any]:
    """Drop the candidate and renormalise the rest, P_i = odds_i / (1 + Σ odds + other_odds); link none."""
    kept = [c for c in row.get("candidates") or [] if c.get("nip") != nip]
    scored = [c for c in kept if c.get("odds") is not None]
    total = sum(float(c["odds"]) for c in scored) + float(row.get("other_odds") or 0.0)
    candidates = [{**c, "probability": round(float(c["odds"]) / (1.0 + total), 4)} for c in scored]
    candidates.sort(key=lambda c: -c["probability"])
    top = candidates[0]["probability"] if candidates else 0.0
    p_in = total / (1.0 + total)
    top_was_rejected = (row.get("candidates") or [{}])[0].get("nip") == nip
    evidence = list(row.get("evidence") or [])
    if top_was_rejected:
        evidence = []  # it explained the rejected record; the next matching run writes fresh evidence
    return {
        "nip": None, "probability": round(top, 4), "p_in_registry": round(p_in, 4), "status": NEEDS_REVIEW,
        "candidates": candidates, "evidence": [_review_item("rejected", reviewer), *evidence],
        "profile_hash": None if top_was_rejected else row.get("profile_hash"),
    }  # fmt: skip
