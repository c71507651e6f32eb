"""Exports of reviewed items: a labelled data set for retraining, CSV, Label Studio JSON, case files.

One row per *decided* item, with the final labels (the adjudication where two reviewers disagreed,
else their shared or single decision), the post as captured (text, url, author, times, hash), the
model's opinion at the time, and how much the reviewers agreed. With ``pseudonym_key`` the NIP and
the author's handle become keyed pseudonyms (HMAC-SHA256, the same scheme as the registry's exports,
so the same key gives joinable files) and the URL, which contains the handle, is dropped.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, select

from pipeline.store.tables import Adjudication, Decision, Evidence, ReviewItem, User

from .agreement import agreement_report, item_agreement
from .audit import jsonable
from .labels import ASN_VERDICTS, OUTCOMES, STANCES, VIOLATIONS

ITEMS = ReviewItem.__table__
DECISIONS = Decision.__table__
ADJUDICATIONS = Adjudication.__table__
EVIDENCE = Evidence.__table__
USERS = User.__table__

FORMATS = ("datasets", "jsonl", "parquet", "csv", "label-studio", "casefiles")
PSEUDONYM_PREFIX = "asn_"  # matches pipeline.registry.pseudonym
HANDLE_PREFIX = "acct_"


def pseudonym(value: str, key: str, prefix: str = PSEUDONYM_PREFIX) -> str:
    """``prefix`` + 24 hex digits of HMAC-SHA256(key, value): not reversible without the key."""
    if not key:
        raise ValueError("no pseudonym key: set privacy.pseudonym_key or NETRA_PSEUDONYM_KEY")
    try:  # the registry's implementation, when present, so both stages' pseudonyms agree
        from pipeline.registry.pseudonym import pseudonymise_nip

        if prefix == PSEUDONYM_PREFIX:
            return pseudonymise_nip(value, key)
    except ImportError:
        pass
    digest = hmac.new(key.encode("utf-8"), value.encode("utf-8"), hashlib.sha256).hexdigest()
    return prefix + digest[:24]


def _latest_evidence(conn: Any, ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for i in range(0, len(ids), 500):
        rows = conn.execute(
            select(EVIDENCE).where(EVIDENCE.c.item_id.in_(ids[i : i + 500])).order_by(EVIDENCE.c.id)
        )
        for r in rows:
            out[r.item_id] = dict(r._mapping)  # later rows (newer captures) win
    return out


def reviewed_rows(
    engine: Engine, pseudonym_key: str | None = None, include_undecided: bool = False
) -> list[dict[str, Any]]:
    """Decided items as flat rows (see the module doc); ``include_undecided`` adds items with decisions."""
    with engine.connect() as conn:
        cond = ITEMS.c.status == "decided"
        if include_undecided:
            cond = cond | ITEMS.c.id.in_(select(DECISIONS.c.item_id))
        items = conn.execute(select(ITEMS).where(cond).order_by(ITEMS.c.id)).all()
        ids = [i.id for i in items]
        decisions: dict[int, list[Any]] = defaultdict(list)
        for r in conn.execute(
            select(DECISIONS, USERS.c.username)
            .join(USERS, USERS.c.id == DECISIONS.c.reviewer_id)
            .order_by(DECISIONS.c.item_id, DECISIONS.c.slot)
        ):
            decisions[r.item_id].append(r)
        adjudicated = {
            r.item_id: r
            for r in conn.execute(
                select(ADJUDICATIONS, USERS.c.username).join(USERS, USERS.c.id == ADJUDICATIONS.c.lead_id)
            )
        }
        evidence = _latest_evidence(conn, ids)
    rows = []
    for item in items:
        ev = evidence.get(item.id, {})
        final = item.final or {}
        decs = decisions.get(item.id, [])
        pred = item.prediction or {}
        author, nip, url = ev.get("author_handle") or item.author_handle, item.nip, ev.get("url")
        if pseudonym_key:
            nip = pseudonym(nip, pseudonym_key) if nip else None
            author = pseudonym(f"{item.platform}:{author}", pseudonym_key, HANDLE_PREFIX) if author else None
            url = None
        stance = final.get("stance")
        adj = adjudicated.get(item.id)
        rows.append(
            {
                "item_id": item.id,
                "platform": item.platform,
                "post_id": item.post_id,
                "text": ev.get("text", ""),
                "url": url,
                "author": author,
                "created_at": ev.get("posted_at"),
                "captured_at": ev.get("captured_at"),
                "evidence_sha256": ev.get("sha256"),
                "status": item.status,
                "stance": stance,
                "label": STANCES.index(stance) if stance in STANCES else None,
                "partisan": stance in ("support", "oppose") if stance else None,
                "target": final.get("target"),
                "asn_verdict": final.get("asn_verdict"),
                "violation": final.get("violation"),
                "outcome": final.get("outcome"),
                "label_source": final.get("source"),
                "n_reviews": len(decs),
                "agreement": item_agreement(decs) if decs else None,
                "reviewer_stances": [d.stance for d in decs],
                "reviewers": [d.username for d in decs],
                "adjudicator": adj.username if adj is not None else None,
                "nip": nip,
                "p_asn": float(item.p_asn),
                "model_version": item.model_version,
                "model_stance": pred.get("stance"),
                "model_partisan_score": float(item.p_partisan),
                "audit": bool(item.audit),
                "decided_at": item.decided_at,
            }
        )
    return rows


def _features():
    from datasets import ClassLabel, Features, List, Value

    string = Value("string")
    return Features(
        {
            "item_id": Value("int64"),
            "platform": string,
            "post_id": string,
            "text": string,
            "url": string,
            "author": string,
            "created_at": Value("timestamp[us]"),
            "captured_at": Value("timestamp[us]"),
            "evidence_sha256": string,
            "status": string,
            "stance": string,
            "label": ClassLabel(names=list(STANCES)),
            "partisan": Value("bool"),
            "target": string,
            "asn_verdict": string,
            "violation": string,
            "outcome": string,
            "label_source": string,
            "n_reviews": Value("int32"),
            "agreement": Value("float32"),
            "reviewer_stances": List(string),
            "reviewers": List(string),
            "adjudicator": string,
            "nip": string,
            "p_asn": Value("float32"),
            "model_version": string,
            "model_stance": string,
            "model_partisan_score": Value("float32"),
            "audit": Value("bool"),
            "decided_at": Value("timestamp[us]"),
        }
    )


def reviewed_dataset(engine: Engine, pseudonym_key: str | None = None):
    """The decided items as a ``datasets.Dataset`` for retraining (issue 6's ``--from-reviews``).

    ``stance`` (string) and ``label`` (ClassLabel over support/oppose/neutral/unrelated) are the final
    labels: adjudicated where the reviewers disagreed. ``created_at`` and ``author`` allow time- and
    account-based splits; ``agreement`` (share of reviewer pairs agreeing on the stance) and
    ``label_source`` (single / consensus / adjudicated) let training weigh or filter labels.
    The overall agreement statistics are in ``dataset.info.description`` as JSON.
    """
    from datasets import Dataset, DatasetInfo

    rows = reviewed_rows(engine, pseudonym_key)
    features = _features()
    info = DatasetInfo(
        description=orjson.dumps({"agreement": agreement_report(engine)}).decode(), features=features
    )
    columns = {name: [r[name] for r in rows] for name in features}
    return Dataset.from_dict(columns, features=features, info=info)


# --- writers ------------------------------------------------------------------------------------


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("wb") as f:
        for r in rows:
            f.write(orjson.dumps(jsonable(r)) + b"\n")


def _csv(path: Path, rows: list[dict[str, Any]]) -> None:
    fields = list(_features()) if not rows else list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for r in rows:
            writer.writerow({k: "|".join(v) if isinstance(v, list) else jsonable(v) for k, v in r.items()})


LABEL_STUDIO_CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Header value="Stance"/>
  <Choices name="stance" toName="text" choice="single" showInline="true">
{stance}
  </Choices>
  <TextArea name="target" toName="text" placeholder="candidate, pair or party" maxSubmissions="1"/>
  <Header value="Is the matched ASN the author?"/>
  <Choices name="asn_verdict" toName="text" choice="single" showInline="true">
{asn_verdict}
  </Choices>
  <Header value="Kind of violation (SKB 2022)"/>
  <Choices name="violation" toName="text" choice="single">
{violation}
  </Choices>
  <Header value="Outcome"/>
  <Choices name="outcome" toName="text" choice="single" showInline="true">
{outcome}
  </Choices>
  <TextArea name="note" toName="text" placeholder="note"/>
</View>
"""


def label_studio_config() -> str:
    def choices(values: tuple[str, ...]) -> str:
        return "\n".join(f'    <Choice value="{v}"/>' for v in values)

    return LABEL_STUDIO_CONFIG.format(
        stance=choices(STANCES), asn_verdict=choices(ASN_VERDICTS), violation=choices(VIOLATIONS),
        outcome=choices(OUTCOMES),
    )  # fmt: skip


def _ls_result(labels: Any) -> list[dict[str, Any]]:
    get = labels.get if isinstance(labels, dict) else lambda k: getattr(labels, k, None)
    out = []
    for name in ("stance", "asn_verdict", "violation", "outcome"):
        if get(name):
            out.append(
                {"from_name": name, "to_name": "text", "type": "choices", "value": {"choices": [get(name)]}}
            )
    for name in ("target", "note"):
        if get(name):
            out.append(
                {"from_name": name, "to_name": "text", "type": "textarea", "value": {"text": [get(name)]}}
            )
    return out


def _ls_annotation(user_id: int, username: str, row: Any, ground_truth: bool) -> dict[str, Any]:
    return {
        "completed_by": user_id,
        "netra_reviewer": username,
        "created_at": jsonable(row.created_at),
        "updated_at": jsonable(row.updated_at),
        "ground_truth": ground_truth,
        "result": _ls_result(row),
    }


def label_studio_tasks(engine: Engine, pseudonym_key: str | None = None) -> list[dict[str, Any]]:
    """Label Studio import JSON: one task per reviewed item, each decision an annotation, the lead's
    adjudication an annotation marked ``ground_truth``, and the model's opinion as a prediction."""
    rows = {r["item_id"]: r for r in reviewed_rows(engine, pseudonym_key, include_undecided=True)}
    with engine.connect() as conn:
        decisions = conn.execute(
            select(DECISIONS, USERS.c.username).join(USERS, USERS.c.id == DECISIONS.c.reviewer_id)
        ).all()
        adjudications = conn.execute(
            select(ADJUDICATIONS, USERS.c.username).join(USERS, USERS.c.id == ADJUDICATIONS.c.lead_id)
        ).all()
        preds = dict(conn.execute(select(ITEMS.c.id, ITEMS.c.prediction)).all())
    annotations: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for d in decisions:
        annotations[d.item_id].append(_ls_annotation(d.reviewer_id, d.username, d, ground_truth=False))
    for a in adjudications:
        annotations[a.item_id].append(_ls_annotation(a.lead_id, a.username, a, ground_truth=True))
    tasks = []
    for item_id, r in rows.items():
        pred = preds.get(item_id) or {}
        data = {
            k: jsonable(r[k]) for k in ("text", "url", "author", "platform", "post_id", "created_at", "nip")
        }
        data["netra_item_id"] = item_id
        tasks.append(
            {
                "id": item_id,
                "data": data,
                "annotations": annotations.get(item_id, []),
                "predictions": [
                    {
                        "model_version": pred.get("model_version") or "",
                        "score": pred.get("partisan_score"),
                        "result": _ls_result({"stance": pred.get("stance"), "target": pred.get("target")}),
                    }
                ]
                if pred
                else [],
            }
        )
    return tasks


def export(
    engine: Engine,
    fmt: str,
    output: Path,
    pseudonym_key: str | None = None,
    settings: Any = None,
) -> list[Path]:
    """Write one export format into ``output`` (created if needed); returns the files written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    output.mkdir(parents=True, exist_ok=True)
    if fmt == "casefiles":
        from .casefile import write_casefiles

        return write_casefiles(engine, output, settings=settings, pseudonym_key=pseudonym_key)
    if fmt == "label-studio":
        tasks = label_studio_tasks(engine, pseudonym_key)
        path, config = output / "label-studio.json", output / "label-studio-config.xml"
        path.write_bytes(orjson.dumps(tasks, option=orjson.OPT_INDENT_2))
        config.write_text(label_studio_config(), encoding="utf-8")
        return [path, config]
    agreement = output / "agreement.json"
    agreement.write_bytes(orjson.dumps(agreement_report(engine), option=orjson.OPT_INDENT_2))
    if fmt == "datasets":
        path = output / "reviewed"
        reviewed_dataset(engine, pseudonym_key).save_to_disk(str(path))
        return [path, agreement]
    if fmt == "parquet":
        path = output / "reviewed.parquet"
        reviewed_dataset(engine, pseudonym_key).to_parquet(str(path))
        return [path, agreement]
    rows = reviewed_rows(engine, pseudonym_key)
    if fmt == "jsonl":
        path = output / "reviewed.jsonl"
        _jsonl(path, rows)
    else:
        path = output / "reviewed.csv"
        _csv(path, rows)
    return [path, agreement]
