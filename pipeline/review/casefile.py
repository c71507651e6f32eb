"""Case files for forwarded findings: one HTML and one PDF per item, ready to send to Bawaslu or BKN.

A case file holds the evidence as captured (verbatim text, URL, author, times, SHA-256, and whether
the stored copy still matches its hash), the matched ASN record and why it matched, every reviewer
decision and the adjudication, the legal basis for the kind of violation (``legal_basis.yaml``), and
the item's audit trail. PDFs are rendered by WeasyPrint from the same HTML.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine, select

from pipeline.schema import utcnow
from pipeline.store.tables import Adjudication, Decision, Evidence, ReviewItem, User

from . import audit
from .i18n import label, translator
from .queue import evidence_hash

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ITEMS = ReviewItem.__table__
DECISIONS = Decision.__table__
ADJUDICATIONS = Adjudication.__table__
EVIDENCE = Evidence.__table__
USERS = User.__table__
# What of an ASN record stays in a pseudonymised case file: the post, not the person.
PUBLIC_RECORD_FIELDS = ("jabatan", "instansi", "unit_kerja", "kabupaten_kota", "provinsi")


@cache
def legal_basis() -> dict[str, dict[str, list[str]]]:
    return yaml.safe_load((HERE / "legal_basis.yaml").read_text(encoding="utf-8"))


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    env.filters["dt"] = lambda v: "–" if v is None else f"{v:%Y-%m-%d %H:%M} UTC"
    return env


def case_number(item: Any) -> str:
    decided = item["decided_at"] or utcnow()
    return f"NETRA-{decided:%Y%m%d}-{item['id']:06d}"


def case_bundle(engine: Engine, item_id: int, pseudonym_key: str | None = None) -> dict[str, Any]:
    """Everything a case file shows about one item, read in one go."""
    from .export import pseudonym

    with engine.connect() as conn:
        item = dict(conn.execute(select(ITEMS).where(ITEMS.c.id == item_id)).one()._mapping)
        evidence = [
            dict(r._mapping)
            for r in conn.execute(
                select(EVIDENCE).where(EVIDENCE.c.item_id == item_id).order_by(EVIDENCE.c.id)
            )
        ]
        decisions = [
            dict(r._mapping)
            for r in conn.execute(
                select(DECISIONS, USERS.c.username, USERS.c.display_name)
                .join(USERS, USERS.c.id == DECISIONS.c.reviewer_id)
                .where(DECISIONS.c.item_id == item_id)
                .order_by(DECISIONS.c.slot)
            )
        ]
        adj = conn.execute(
            select(ADJUDICATIONS, USERS.c.username, USERS.c.display_name)
            .join(USERS, USERS.c.id == ADJUDICATIONS.c.lead_id)
            .where(ADJUDICATIONS.c.item_id == item_id)
        ).first()
        trail = audit.item_trail(conn, item_id)
    for ev in evidence:
        ev["verified"] = evidence_hash(ev) == ev["sha256"]
    match = dict(item.get("match") or {})
    record = dict(match.get("record") or {})
    nip = item.get("nip")
    if pseudonym_key:
        nip = pseudonym(nip, pseudonym_key) if nip else None
        record = {k: v for k, v in record.items() if k in PUBLIC_RECORD_FIELDS}
        for ev in evidence:
            ev["author_display_name"] = None
    return {
        "item": item,
        "number": case_number(item),
        "nip": nip,
        "record": record,
        "match": match,
        "evidence": evidence,
        "latest": evidence[-1] if evidence else {},
        "decisions": decisions,
        "adjudication": dict(adj._mapping) if adj else None,
        "final": item.get("final") or {},
        "trail": trail,
        "pseudonymised": bool(pseudonym_key),
    }


def render_casefile(bundle: dict[str, Any], lang: str = "id") -> str:
    final = bundle["final"]
    basis = legal_basis()
    violation = final.get("violation") or "other"
    laws = list(basis["general"][lang]) + list((basis.get(violation) or basis["other"])[lang])
    template = _env().get_template("casefile.html")
    return template.render(
        b=bundle, t=translator(lang), lang=lang, label=lambda f, v: label(lang, f, v), laws=laws,
        generated_at=utcnow(),
    )  # fmt: skip


def forwarded_ids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.scalars(
                select(ITEMS.c.id)
                .where(ITEMS.c.status == "decided", ITEMS.c.outcome == "forward")
                .order_by(ITEMS.c.id)
            )
        )


def write_pdf(html: str, path: Path) -> None:
    from weasyprint import HTML

    HTML(string=html, base_url=str(HERE)).write_pdf(str(path))


def write_casefiles(
    engine: Engine,
    output: Path,
    settings: Any = None,
    pseudonym_key: str | None = None,
    lang: str | None = None,
    pdf: bool = True,
) -> list[Path]:
    """One ``<case number>.html`` (and ``.pdf``) per forwarded finding in ``output``; returns the paths."""
    lang = lang or (settings.review.language if settings is not None else "id")
    output.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for item_id in forwarded_ids(engine):
        bundle = case_bundle(engine, item_id, pseudonym_key)
        html = render_casefile(bundle, lang)
        base = output / bundle["number"]
        base.with_suffix(".html").write_text(html, encoding="utf-8")
        written.append(base.with_suffix(".html"))
        if pdf:
            write_pdf(html, base.with_suffix(".pdf"))
            written.append(base.with_suffix(".pdf"))
    log.info("wrote %d case files", len(written))
    return written
