"""The nightly matching stage: match the authors of stored posts to the current registry.

Idempotent: an author is matched again only when it is new, when its profile (display name, bio,
location) changed, or when the registry has a new version; a second run with nothing new does
nothing. Reviewers' confirmations and rejections are applied on every run.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from pipeline.config import Settings
from pipeline.store.tables import Post

from .features import account_id
from .importer import import_registry, load_mapping, load_registry
from .matcher import AccountMatcher
from .store import load_feedback, load_matches, profile_hash, save_matches

log = logging.getLogger(__name__)


def stored_authors(engine: Engine) -> list[dict[str, Any]]:
    """The latest profile of every (platform, author_handle) in the posts table."""
    p = Post.__table__
    ranked = select(
        p.c.platform, p.c.author_handle, p.c.author_display_name, p.c.author_bio, p.c.author_location,
        func.row_number().over(
            partition_by=(p.c.platform, p.c.author_handle), order_by=(p.c.updated_at.desc(), p.c.id.desc())
        ).label("rn"),
    ).where(p.c.author_handle.is_not(None), p.c.author_handle != "").subquery()  # fmt: skip
    query = select(ranked).where(ranked.c.rn == 1)
    with engine.connect() as conn:
        return [
            {"platform": r.platform, "handle": r.author_handle, "display_name": r.author_display_name,
             "bio": r.author_bio, "location": r.author_location}
            for r in conn.execute(query)
        ]  # fmt: skip


def match_authors(
    settings: Settings,
    engine: Engine,
    registry_file: str | Path | None = None,
    mapping_file: str | Path | None = None,
    force: bool = False,
    matcher: AccountMatcher | None = None,
) -> dict[str, Any]:
    """Match new or changed post authors against the current registry version and store the results.

    ``registry_file`` (the demo passes one) is imported first; importing unchanged content adds no
    version. Returns counts (no names, no NIPs): read, written, linked, ambiguous, skipped.
    """
    started = time.perf_counter()
    summary: dict[str, Any] = {
        "read": 0,
        "written": 0,
        "linked": 0,
        "ambiguous": 0,
        "skipped": 0,
        "errors": 0,
    }
    if registry_file is not None:
        report = import_registry(
            engine, registry_file, load_mapping(mapping_file), mapping_name=str(mapping_file or "") or None,
            rejects_dir=settings.path(settings.collect.rejects_dir),
        )  # fmt: skip
        summary["registry_rejected"] = report.n_rejected
    authors = stored_authors(engine)
    summary["read"] = len(authors)
    with engine.connect() as conn:
        version, registry = load_registry(conn)
        existing = load_matches(conn)
        feedback = load_feedback(conn)
    summary["registry_version"] = version
    if version is None or registry.empty:
        summary["status"] = "no registry imported"
        log.warning("match: no registry imported; authors not matched")
        return summary
    hashes = {account_id(a["platform"], a["handle"]): profile_hash(a) for a in authors}
    stale = []
    for a in authors:
        old = existing.get((a["platform"], a["handle"]))
        fresh = (
            old is not None
            and old["registry_version"] == version
            and old["profile_hash"] == hashes[account_id(a["platform"], a["handle"])]
        )
        if force or not fresh:
            stale.append(a)
    summary["skipped"] = len(authors) - len(stale)
    if not stale:
        log.info("match: all %d authors up to date with registry version %s", len(authors), version)
        summary["seconds"] = round(time.perf_counter() - started, 2)
        return summary
    m = settings.match
    matcher = matcher or AccountMatcher(threshold=m.threshold, max_candidates=m.max_candidates)
    matcher.fit(registry, stale)
    results = matcher.predict(stale, feedback)
    with engine.begin() as conn:
        summary["written"] = save_matches(conn, results, version, m.threshold, hashes)
    summary["linked"] = sum(1 for r in results if r["nip"])
    summary["ambiguous"] = sum(1 for r in results if r["status"] == "ambiguous")
    summary["prior"] = round(float(getattr(matcher, "prior_", 0.0)), 4)
    summary["seconds"] = round(time.perf_counter() - started, 2)
    log.info(
        "match: %d authors matched (%d linked, %d ambiguous), %d up to date, registry version %s",
        summary["written"], summary["linked"], summary["ambiguous"], summary["skipped"], version,
    )  # fmt: skip
    return summary
