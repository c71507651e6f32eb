"""Precision and recall of the matcher on a labelled evaluation set, and its precision–recall curve.

An evaluation set is a folder with ``registry.csv`` (import shape), ``accounts.jsonl`` and
``truth.csv`` (platform, handle, nip — empty when the account is not in the registry — and kind).
Each account's top candidate counts as a *link* when its probability reaches the threshold;
a link is correct when its NIP is the true one. Precision = correct links / links; recall = correct
links / accounts that are in the registry. Calibration compares the top candidate's probability
with how often it is right (reliability bins and the Brier score), which is what makes a threshold
mean what it says.
"""

from __future__ import annotations

import csv
import itertools
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .features import account_id
from .importer import RegistryMapping, read_rows, validate_row
from .matcher import AccountMatcher


@dataclass
class EvalResult:
    threshold: float
    n_accounts: int
    n_positive: int
    n_links: int
    n_correct: int
    precision: float
    recall: float
    by_kind: dict[str, dict[str, int]]
    by_profile: dict[str, dict[str, int]]
    curve: list[dict[str, float]]
    calibration: list[dict[str, float]]
    brier: float
    prior: float
    seconds: float
    excluding_declared: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def read_registry_file(path: Path, mapping: RegistryMapping | None = None) -> tuple[pd.DataFrame, int]:
    """A registry file as a DataFrame of valid rows (no store), and how many rows were rejected."""
    _, rows = read_rows(path, mapping or RegistryMapping())
    out, rejected = [], 0
    for line, raw in rows:
        rec, _ = validate_row(raw, path.name, line)
        if rec is None:
            rejected += 1
            continue
        rec["akun"] = ";".join(rec["akun"]) if rec["akun"] else None
        out.append(rec)
    return pd.DataFrame(out), rejected


def read_accounts(path: Path) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """Accounts from JSON lines: (accounts, [(line, reason)] for lines set aside)."""
    accounts, bad = [], []
    with path.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                bad.append((i, f"invalid JSON ({exc.msg})"))
                continue
            if not isinstance(item, dict):
                bad.append((i, "not a JSON object"))
                continue
            missing = [k for k in ("platform", "handle") if not item.get(k)]
            if missing:
                bad.append((i, f"missing {', '.join(missing)}"))
                continue
            accounts.append(item)
    return accounts, bad


def read_truth(path: Path) -> tuple[dict[str, str | None], dict[str, str], dict[str, str]]:
    """(true NIP, kind, profile) by account id; profile: how much a member's account reveals."""
    truth, kinds, profiles = {}, {}, {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            aid = account_id(row["platform"], row["handle"])
            truth[aid] = row.get("nip") or None
            kinds[aid] = row.get("kind") or ""
            profiles[aid] = row.get("profile") or ""
    return truth, kinds, profiles


def _prf(top_nip: np.ndarray, top_p: np.ndarray, true_nip: np.ndarray, t: float) -> tuple[int, int, int]:
    linked = top_p >= t
    correct = linked & (top_nip == true_nip) & (true_nip != "")
    return int(linked.sum()), int(correct.sum()), int((true_nip != "").sum())


def score(results: Sequence[dict[str, Any]], truth: dict[str, str | None], kinds: dict[str, str],
          threshold: float, profiles: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    """Precision, recall, PR curve and calibration of ``results`` against ``truth``."""
    rows = []
    for r in results:
        aid = account_id(r["platform"], r["handle"])
        if aid not in truth:
            continue
        top = r["candidates"][0] if r["candidates"] else {"nip": "", "probability": 0.0}
        rows.append((aid, top["nip"] or "", float(top["probability"]), truth[aid] or "", kinds.get(aid, ""),
                     (profiles or {}).get(aid, "")))  # fmt: skip
    df = pd.DataFrame(rows, columns=["aid", "nip", "p", "true", "kind", "profile"])
    top_nip, top_p, true_nip = df.nip.to_numpy(), df.p.to_numpy(), df.true.to_numpy()
    n_links, n_correct, n_pos = _prf(top_nip, top_p, true_nip, threshold)
    curve = []
    for t in sorted(set(np.round(top_p, 4).tolist()) | {threshold}, reverse=True):
        if t <= 0:
            continue
        links, correct, _ = _prf(top_nip, top_p, true_nip, t)
        curve.append({"threshold": t, "precision": correct / links if links else 1.0,
                      "recall": correct / n_pos if n_pos else 0.0})  # fmt: skip
    right = (top_nip == true_nip) & (true_nip != "")
    bins = []
    edges = np.linspace(0, 1, 11)
    for lo, hi in itertools.pairwise(edges):
        sel = (top_p >= lo) & ((top_p < hi) | ((hi == 1.0) & (top_p <= hi)))
        if sel.any():
            bins.append({
                "from": float(lo), "to": float(hi), "n": int(sel.sum()),
                "mean_probability": float(top_p[sel].mean()), "fraction_correct": float(right[sel].mean()),
            })  # fmt: skip

    def counts(column: str, frame: pd.DataFrame) -> dict[str, dict[str, int]]:
        out = {}
        for key, g in frame.groupby(column):
            linked = g.p >= threshold
            out[str(key)] = {
                "accounts": len(g), "linked": int(linked.sum()),
                "linked_correctly": int((linked & (g.nip == g.true) & (g.true != "")).sum()),
            }  # fmt: skip
        return out

    by_kind = counts("kind", df)
    by_profile = counts("profile", df[(df.true != "") & (df.profile != "")])
    nd = df[df.kind != "declared"]
    links_nd, correct_nd, pos_nd = _prf(nd.nip.to_numpy(), nd.p.to_numpy(), nd.true.to_numpy(), threshold)
    return {
        "threshold": threshold, "n_accounts": len(df), "n_positive": n_pos, "n_links": n_links,
        "n_correct": n_correct, "precision": n_correct / n_links if n_links else 1.0,
        "recall": n_correct / n_pos if n_pos else 0.0, "by_kind": by_kind, "by_profile": by_profile,
        "curve": curve,
        "calibration": bins, "brier": float(np.mean((top_p - right.astype(float)) ** 2)),
        "excluding_declared": {
            "precision": correct_nd / links_nd if links_nd else 1.0,
            "recall": correct_nd / pos_nd if pos_nd else 0.0,
        },
    }  # fmt: skip


def evaluate(data_dir: str | Path, threshold: float, matcher: AccountMatcher | None = None) -> EvalResult:
    """Fit the matcher on the set's registry and accounts (no labels used) and score it."""
    data_dir = Path(data_dir)
    started = time.perf_counter()
    registry, _ = read_registry_file(data_dir / "registry.csv")
    accounts, _ = read_accounts(data_dir / "accounts.jsonl")
    truth, kinds, profiles = read_truth(data_dir / "truth.csv")
    matcher = matcher or AccountMatcher(threshold=threshold)
    results = matcher.fit(registry, accounts).predict(accounts)
    s = score(results, truth, kinds, threshold, profiles)
    return EvalResult(**s, prior=float(matcher.prior_), seconds=round(time.perf_counter() - started, 1))


def plot_curve(result: EvalResult, path: Path) -> None:
    """The precision–recall curve with the configured threshold marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 4.5), dpi=120)
    recall = [c["recall"] for c in result.curve]
    precision = [c["precision"] for c in result.curve]
    ax.plot(recall, precision, drawstyle="steps-post", label="matcher")
    label = f"threshold {result.threshold:.2f}: P={result.precision:.3f} R={result.recall:.3f}"
    ax.scatter([result.recall], [result.precision], color="red", zorder=3, label=label)
    ax.axhline(0.95, color="grey", lw=0.8, ls="--")
    ax.axvline(0.90, color="grey", lw=0.8, ls="--")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0.5, 1.02)
    ax.set_title("Account → ASN registry matching (evaluation set)")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
