"""What the nightly report shows, gathered from the store in one place.

A post is *flagged* when the default model calls it partisan (partisan_score at or above the queue's
partisan threshold) and its author's registry match passes the queue's ASN threshold: the same rule
that puts an item in the review queue, so the report and the queue never disagree.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine, func, select

from pipeline.config import Settings
from pipeline.store.tables import AccountMatch, AsnRecord, ModelVersion, Post, Prediction
from pipeline.text.election import Election


@dataclass
class FlaggedPost:
    platform: str
    handle: str | None
    created_at: date
    stance: str
    target: str | None
    partisan_score: float
    p_asn: float
    region: str | None
    agency: str | None
    followers: int | None


@dataclass
class ReportData:
    posts_total: int = 0
    posts_classified: int = 0
    posts_partisan: int = 0
    authors_asn: int = 0
    model_version: str | None = None
    flagged: list[FlaggedPost] = field(default_factory=list)
    partisan_by_day: dict[date, int] = field(default_factory=dict)
    queue: dict[str, int] = field(default_factory=dict)
    audit: dict[str, Any] | None = None

    def counts(self, attr: str, top: int | None = None) -> list[tuple[str, int]]:
        counter = Counter(getattr(f, attr) or "" for f in self.flagged)
        return counter.most_common(top)

    def flagged_by_day(self) -> dict[date, int]:
        return dict(Counter(f.created_at for f in self.flagged))

    def top_accounts(self, n: int = 10) -> list[dict[str, Any]]:
        per: dict[tuple[str, str | None], list[FlaggedPost]] = {}
        for f in self.flagged:
            per.setdefault((f.platform, f.handle), []).append(f)
        rows = [
            {"platform": p, "handle": h, "count": len(fs), "p_asn": max(x.p_asn for x in fs)}
            for (p, h), fs in per.items()
        ]
        return sorted(rows, key=lambda r: (-r["count"], -r["p_asn"], r["handle"] or ""))[:n]


def default_model_version(engine: Engine) -> str | None:
    """The registered default model, else the version with the most predictions."""
    with engine.connect() as conn:
        version = conn.scalar(select(ModelVersion.version).where(ModelVersion.is_default.is_(True)))
        if version is None:
            version = conn.scalar(
                select(Prediction.model_version)
                .group_by(Prediction.model_version)
                .order_by(func.count().desc(), Prediction.model_version)
                .limit(1)
            )
    return version


def gather(settings: Settings, engine: Engine, election: Election | None = None) -> ReportData:
    q = settings.queue
    data = ReportData(model_version=default_model_version(engine))
    with engine.connect() as conn:
        data.posts_total = conn.scalar(select(func.count()).select_from(Post)) or 0
        # Linked authors only: an account whose linked record a reviewer rejected keeps its next
        # candidate's probability but no NIP (status needs_review) and is not counted as an ASN.
        likely = (AccountMatch.probability >= q.asn_threshold) & AccountMatch.nip.is_not(None)
        data.authors_asn = conn.scalar(select(func.count()).where(likely)) or 0
        if data.model_version is None:
            return data
        pred_filter = Prediction.model_version == data.model_version
        data.posts_classified = conn.scalar(select(func.count()).where(pred_filter)) or 0
        partisan = pred_filter & (Prediction.partisan_score >= q.partisan_threshold)
        data.posts_partisan = conn.scalar(select(func.count()).where(partisan)) or 0
        day = func.date(Post.created_at)
        for d, n in conn.execute(
            select(day, func.count())
            .join(Prediction, Prediction.post_pk == Post.id)
            .where(partisan)
            .group_by(day)
        ):
            data.partisan_by_day[_as_date(d)] = n
        stmt = (
            select(
                Post.platform, Post.author_handle, Post.created_at, Post.author_followers,
                Prediction.stance, Prediction.target, Prediction.partisan_score, AccountMatch.probability,
                AsnRecord.kabupaten_kota, AsnRecord.instansi,
            )
            .join(Prediction, Prediction.post_pk == Post.id)
            .join(
                AccountMatch,
                (AccountMatch.platform == Post.platform) & (AccountMatch.handle == Post.author_handle),
            )
            .outerjoin(AsnRecord, AsnRecord.nip == AccountMatch.nip)
            .where(partisan, likely)
            .order_by(Post.created_at, Post.id)
        )  # fmt: skip
        for row in conn.execute(stmt):
            data.flagged.append(
                FlaggedPost(
                    platform=row[0], handle=row[1], created_at=row[2].date(), followers=row[3],
                    stance=row[4], target=row[5], partisan_score=row[6], p_asn=row[7],
                    region=row[8], agency=row[9],
                )
            )  # fmt: skip
    canonical = _target_canonicaliser(election)
    for f in data.flagged:
        f.target = canonical(f.target)
    data.queue, data.audit = _queue(engine)
    return data


def _target_canonicaliser(election: Election | None):
    """Posts name a contestant many ways ("Bu Ratna / 03", "RAGA", "#03Bisa"): group them under the
    ballot entry of the configured election (its first name and number), as the classifier's matcher
    reads them. Targets it cannot place stay as written."""
    from pipeline.text.election import CandidateMatcher

    if election is None:
        return lambda target: target
    matcher = CandidateMatcher([election])

    def canonical(target: str | None) -> str | None:
        if not target:
            return target
        for text in (target, "#" + target):  # the matcher gives hashtag targets without their '#'
            votes = Counter(c for m in matcher(text).mentions if m.kind != "number" for c in m.candidates)
            if votes:
                return matcher.candidates[votes.most_common(1)[0][0]].label
        return target

    return canonical


def _queue(engine: Engine) -> tuple[dict[str, int], dict[str, Any]]:
    from pipeline.review.queue import audit_estimate, queue_state

    return queue_state(engine), audit_estimate(engine)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval for a proportion: honest with the small audit samples we get."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
