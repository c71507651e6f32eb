"""Inter-reviewer agreement on the double-reviewed items: per label, and per pair of reviewers.

Cohen's kappa compares two raters, so it is computed per reviewer pair, and once pooled over all
pairs (first slot against second; a summary, since the raters differ from item to item).
Krippendorff's alpha (nominal) handles any number of reviewers and missing labels, so it is the
per-label figure to quote. Both are ``None`` where undefined (too few items, or only one label used).
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from typing import Any

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score
from sqlalchemy import Engine, func, select

from pipeline.store.tables import Decision, ReviewItem, User

from .labels import CHOICES

DECISIONS = Decision.__table__
ITEMS = ReviewItem.__table__
USERS = User.__table__
LABELS = ("stance", "asn_verdict", "violation", "outcome")


def _clean(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 4)


def kappa(a: list[str], b: list[str]) -> float | None:
    if len(a) < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _clean(cohen_kappa_score(a, b))


def alpha(units: dict[int, dict[str, str]], field: str) -> float | None:
    """Krippendorff's alpha over reviewers × items (nominal), from {item: {reviewer: label}}."""
    reviewers = sorted({r for labels in units.values() for r in labels})
    if len(units) < 2 or len(reviewers) < 2:
        return None
    codes = {v: i for i, v in enumerate(CHOICES[field])}
    data = np.full((len(reviewers), len(units)), np.nan)
    for j, labels in enumerate(units.values()):
        for reviewer, value in labels.items():
            data[reviewers.index(reviewer), j] = codes[value]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _clean(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    except ValueError:  # one value only: agreement is undefined, not perfect
        return None


def paired_decisions(engine: Engine) -> list[tuple[Any, Any]]:
    """(first, second) decisions of every item that two reviewers have both labelled."""
    with engine.connect() as conn:
        done = select(DECISIONS.c.item_id).group_by(DECISIONS.c.item_id).having(func.count() == 2)
        rows = conn.execute(
            select(DECISIONS, USERS.c.username)
            .join(USERS, USERS.c.id == DECISIONS.c.reviewer_id)
            .where(DECISIONS.c.item_id.in_(done))
            .order_by(DECISIONS.c.item_id, DECISIONS.c.slot)
        ).all()
    by_item: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        by_item[r.item_id].append(r)
    return [(d[0], d[1]) for d in by_item.values() if len(d) == 2]


def agreement_report(engine: Engine) -> dict[str, Any]:
    """Per label: items, % agreement, pooled kappa, alpha. Per reviewer pair: items, % and kappa per label."""
    pairs = paired_decisions(engine)
    per_label = []
    for field in LABELS:
        a = [getattr(x, field) for x, _ in pairs]
        b = [getattr(y, field) for _, y in pairs]
        units = {x.item_id: {x.username: getattr(x, field), y.username: getattr(y, field)} for x, y in pairs}
        per_label.append(
            {
                "label": field,
                "items": len(pairs),
                "agreement": round(sum(p == q for p, q in zip(a, b, strict=True)) / len(a), 4) if a else None,
                "kappa": kappa(a, b),
                "alpha": alpha(units, field),
            }
        )
    groups: dict[tuple[str, str], list[tuple[Any, Any]]] = defaultdict(list)
    for x, y in pairs:
        first, second = sorted((x, y), key=lambda d: d.username)
        groups[(first.username, second.username)].append((first, second))
    per_pair = []
    for (ra, rb), items in sorted(groups.items()):
        entry: dict[str, Any] = {"reviewer_a": ra, "reviewer_b": rb, "items": len(items)}
        for field in LABELS:
            a = [getattr(x, field) for x, _ in items]
            b = [getattr(y, field) for _, y in items]
            entry[f"{field}_agreement"] = round(sum(p == q for p, q in zip(a, b, strict=True)) / len(a), 4)
            entry[f"{field}_kappa"] = kappa(a, b)
        per_pair.append(entry)
    return {"items": len(pairs), "labels": per_label, "pairs": per_pair}


def item_agreement(decisions: list[Any], field: str = "stance") -> float:
    """Share of reviewer pairs on one item that agree on ``field`` (1.0 for a single review)."""
    values = [getattr(d, field) if not isinstance(d, dict) else d[field] for d in decisions]
    if len(values) < 2:
        return 1.0
    agree = sum(values[i] == values[j] for i in range(len(values)) for j in range(i + 1, len(values)))
    return agree / (len(values) * (len(values) - 1) / 2)
