"""Evidence a reviewer can read: which fields agreed, how strongly, and what each side said.

Each item is a dict::

    {"field": "name", "level": "exact", "label": "...", "label_id": "...",
     "weight": 6.1, "strength": "strong", "account": "Sri Wahyuni", "record": "Hj. Sri Wahyuni, S.Pd."}

``weight`` is the comparison's log2 Bayes factor (Splink's match weight for that comparison,
term-frequency adjustment included): +1 doubles the odds of a match, -1 halves them.
``strength`` buckets it: strong (≥ 3), for (≥ 1), neutral, against (≤ -1), strong_against (≤ -3).
Level codes are stable (see model.LEVELS), so the review app can translate them itself.

The account and record values are personal data: evidence is stored and shown to reviewers, and
never written to logs.
"""

from __future__ import annotations

import math
from typing import Any

from .model import ACCOUNT_FACTORS, LEVELS, TF_LEVELS, level


def level_of(comparison: str, weight: float, level_weights: dict[str, list[tuple[str, float]]] | None) -> str:
    """The level a pair landed in, recovered from its weight for that comparison.

    Splink only returns the level index (gamma) together with every compared column, which is
    too heavy at national scale; each level's weight log2(m/u) is distinct, and the null level's
    is exactly 0, so the weight identifies the level.
    """
    levels = (level_weights or {}).get(comparison, [])
    if levels:
        code, w = min(levels, key=lambda cw: abs(cw[1] - weight))
        if abs(w - weight) < 1e-6:
            return code
    return "null" if abs(weight) < 1e-9 else "unknown"


def strength(weight: float) -> str:
    if weight >= 3:
        return "strong"
    if weight >= 1:
        return "for"
    if weight > -1:
        return "neutral"
    if weight > -3:
        return "against"
    return "strong_against"


def _join(values: Any) -> str | None:
    if not values:
        return None
    return ", ".join(str(v) for v in values)


def _record_name(rec: dict[str, Any]) -> str:
    front = (rec.get("gelar_depan") or "").strip()
    back = (rec.get("gelar_belakang") or "").strip()
    name = " ".join(p for p in (front, (rec.get("nama") or "").strip()) if p)
    return f"{name}, {back}" if back else name


def _sides(field: str, feats: dict[str, Any], account: dict[str, Any], rec: dict[str, Any] | None):
    rec = rec or {}
    if field == "name":
        shown = account.get("display_name") or account.get("handle")
        return shown, _record_name(rec) if rec else None
    if field == "titles":
        return _join(feats.get("titles")), " ".join(
            p for p in ((rec.get("gelar_depan") or ""), (rec.get("gelar_belakang") or "")) if p
        ) or None
    if field == "region":
        return _join(feats.get("kabs") or feats.get("provs")) or account.get("location") or None, _join(
            [v for v in (rec.get("kabupaten_kota"), rec.get("provinsi")) if v]
        )
    if field == "job":
        return _join(feats.get("jobs")), rec.get("jabatan")
    if field == "workplace":
        parts = [*(feats.get("units") or []), *(feats.get("places") or []), *(feats.get("agencies") or [])]
        return _join(parts), _join([v for v in (rec.get("unit_kerja"), rec.get("instansi")) if v])
    if field == "gender":
        return feats.get("gender"), rec.get("gender")
    if field == "status":
        flag = feats.get("asn_flag")
        return {1: "ASN/PNS", -1: "non-ASN"}.get(flag), None
    return None, None


def rejected_item(reviewer: str | None = None) -> dict[str, Any]:
    """The first evidence item of an account whose linked record a reviewer rejected."""
    who, siapa = (f"reviewer {reviewer}", f"peninjau {reviewer}") if reviewer else ("a reviewer", "peninjau")
    return {
        "field": "review", "level": "rejected", "weight": None, "strength": "certain",
        "label": f"{who} rejected a record for this account; it will not be proposed again, and no other "
                 "record is linked without a reviewer",
        "label_id": f"{siapa} menolak satu data untuk akun ini; data itu tidak akan diusulkan lagi, dan "
                    "data lain tidak ditautkan tanpa peninjau",
        "account": None, "record": None,
    }  # fmt: skip


def build_evidence(
    kind: str,
    top: Any,
    feats: dict[str, Any],
    account: dict[str, Any],
    record: dict[str, Any] | None,
    probabilities: list[float],
    prior: float,
    reviewer: str | None = None,
    level_weights: dict[str, list[tuple[str, float]]] | None = None,
    status: tuple[str, float] | None = None,
    q0: float = 1.0,
    account_factors: list[tuple[str, str, float]] | None = None,
) -> list[dict[str, Any]]:
    """Evidence for the account's best candidate (``top`` is its row of Splink's scored pairs)."""
    items: list[dict[str, Any]] = []
    if kind == "declared":
        items.append({
            "field": "declared", "level": "declared", "weight": None, "strength": "certain",
            "label": "the registry lists this account as the person's own",
            "label_id": "akun ini tercantum di data ASN sebagai milik yang bersangkutan",
            "account": account.get("handle"), "record": _record_name(record) if record else None,
        })  # fmt: skip
        return items
    if kind == "confirmed":
        items.append({
            "field": "review", "level": "confirmed", "weight": None, "strength": "certain",
            "label": f"confirmed by reviewer {reviewer}" if reviewer else "confirmed by a reviewer",
            "label_id": f"dikonfirmasi oleh peninjau {reviewer}" if reviewer else "dikonfirmasi peninjau",
            "account": account.get("handle"), "record": _record_name(record) if record else None,
        })  # fmt: skip
        return items
    if top is None:
        items.append({
            "field": "candidates", "level": "none", "weight": None, "strength": "neutral",
            "label": "no registry record shares a name with this account",
            "label_id": "tidak ada data ASN dengan nama yang cocok", "account": account.get("display_name"),
            "record": None,
        })  # fmt: skip
        return items
    for comp in LEVELS:
        code = level_of(comp, float(top[f"mw_{comp}"]), level_weights)
        weight = float(top[f"mw_{comp}"]) + (float(top["mw_tf_adj_name"]) if comp == "name" else 0.0)
        if comp == "name" and code in TF_LEVELS:
            weight -= math.log2(q0)  # u = q0·tf(v): see matcher.estimate_prior
        lv = level(comp, code)
        acc_value, rec_value = _sides(comp, feats, account, record)
        items.append({
            "field": comp, "level": code, "label": lv.label, "label_id": lv.label_id,
            "weight": round(weight, 2), "strength": "neutral" if code == "null" else strength(weight),
            "account": acc_value, "record": rec_value,
        })  # fmt: skip
    factors = list(account_factors or [])
    if status is not None:
        factors.insert(0, ("status", *status))
    for name, code, weight in factors:
        lv = next(lv for lv in ACCOUNT_FACTORS[name] if lv.code == code)
        acc_value, _ = _sides(name, feats, account, record)
        items.append({
            "field": name, "level": code, "label": lv.label, "label_id": lv.label_id,
            "weight": round(weight, 2), "strength": strength(weight), "account": acc_value, "record": None,
        })  # fmt: skip
    items.sort(key=lambda e: -abs(e["weight"] or 0))
    if len(probabilities) > 1:
        top_p = probabilities[0]
        close = sum(1 for p in probabilities[1:] if p >= top_p / 2)
        if close:
            items.insert(0, {
                "field": "namesakes", "level": "shared", "weight": None, "strength": "against",
                "label": f"{close} other registry record(s) fit almost as well; the probability is shared",
                "label_id": f"{close} data ASN lain hampir sama cocoknya; peluang terbagi",
                "account": None, "record": None,
            })  # fmt: skip
    items.append({
        "field": "prior", "level": "prior", "weight": None, "strength": "neutral",
        "label": f"share of accounts expected to be in the registry: {prior:.3f}",
        "label_id": f"perkiraan porsi akun yang ada di data ASN: {prior:.3f}",
        "account": None, "record": None,
    })  # fmt: skip
    return items
