"""Turn :class:`ReportData` into files: ``report.html`` (charts embedded), ``summary.json``, ``flagged.csv``.

Files go to ``<report.output_dir>/<YYYY-MM-DD>/`` and a copy of the HTML to ``latest.html``, so a
cron job's mail or a shared folder always has tonight's page at a stable path.
"""

from __future__ import annotations

import csv
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Engine

from pipeline.config import ConfigError, Settings
from pipeline.schema import utcnow
from pipeline.text.election import Election, load_election

from .charts import PALETTE, BarChart, Chart, LineChart, data_uri, render_png
from .data import ReportData, gather, wilson_interval
from .i18n import strings

_env = Environment(loader=PackageLoader("pipeline.report", "templates"), autoescape=select_autoescape())

QUEUE_KEYS = ("new", "in_review", "decided", "forwarded")


def _election(settings: Settings) -> Election | None:
    """The configured election; a report is still written without one (no campaign shading)."""
    try:
        return load_election(settings.config_file(settings.election))
    except ConfigError:
        return None


def build_charts(
    data: ReportData, t: dict[str, str], election: Election | None
) -> list[tuple[str, Chart | None]]:
    """Every chart of the report as a spec; None where there is nothing to draw yet."""
    charts: list[tuple[str, Chart | None]] = []
    stances = [s for s in ("support", "oppose") if any(f.stance == s for f in data.flagged)]
    charts.append((t["by_stance"], BarChart(
        t["by_stance"], [t[f"stance_{s}"] for s in stances],
        [sum(f.stance == s for f in data.flagged) for s in stances], [PALETTE[s] for s in stances],
    ) if stances else None))  # fmt: skip
    for key, attr in (("by_target", "target"), ("by_region", "region"), ("by_agency", "agency")):
        pairs = data.counts(attr, top=12)
        charts.append((t[key], BarChart(t[key], [k or t["unknown"] for k, _ in pairs], [v for _, v in pairs])
                       if pairs else None))  # fmt: skip
    charts.append((t["trend"], _trend(data, t, election)))
    return charts


def _trend(data: ReportData, t: dict[str, str], election: Election | None) -> LineChart | None:
    flagged = data.flagged_by_day()
    days_seen = set(flagged) | set(data.partisan_by_day)
    start, end, vote = (
        (election.campaign_start, election.campaign_end, election.voting_day) if election else (None,) * 3
    )
    if not days_seen:
        return None
    first = min(days_seen | ({start} if start else set()))
    last = max(days_seen | ({vote} if vote else set()))
    days = [first + timedelta(n) for n in range((last - first).days + 1)]
    chart = LineChart(
        t["trend"], days,
        {t["trend_flagged"]: [flagged.get(d, 0) for d in days],
         t["trend_partisan"]: [data.partisan_by_day.get(d, 0) for d in days]},
    )  # fmt: skip
    if start and end:
        chart.spans.append((start, end, t["campaign"]))
    if vote:
        chart.marks.append((vote, t["voting_day"]))
    return chart


def _audit_text(data: ReportData, t: dict[str, str]) -> str:
    audit = data.audit or {}
    n, k = int(audit.get("reviewed", 0) or 0), int(audit.get("violations", 0) or 0)
    if n == 0:
        return t["audit_none"]
    low, high = wilson_interval(k, n)
    below = int(audit.get("population", 0) or 0)
    return t["audit_text"].format(
        n=n, k=k, rate=f"{k / n:.1%}", low=f"{low:.1%}", high=f"{high:.1%}", missed=round(below * k / n)
    )


def build_report(settings: Settings, engine: Engine, language: str | None = None) -> dict[str, Any]:
    """Gather and render; returns the HTML and the summary without writing anything."""
    lang = language or settings.report.language
    t = strings(lang)
    election = _election(settings)
    data = gather(settings, engine, election)
    summary = {
        "generated_at": utcnow().isoformat(timespec="seconds") + "Z",
        "model_version": data.model_version,
        "posts_total": data.posts_total,
        "posts_classified": data.posts_classified,
        "posts_partisan": data.posts_partisan,
        "authors_asn": data.authors_asn,
        "flagged": len(data.flagged),
        "flagged_by_stance": dict(data.counts("stance")),
        "flagged_by_target": dict(data.counts("target")),
        "flagged_by_region": dict(data.counts("region")),
        "flagged_by_agency": dict(data.counts("agency")),
        "flagged_by_day": {d.isoformat(): n for d, n in sorted(data.flagged_by_day().items())},
        "top_accounts": data.top_accounts(),
        "queue": data.queue,
        "audit": data.audit,
    }
    charts = [
        {"title": title, "uri": data_uri(render_png(spec)) if spec else None}
        for title, spec in build_charts(data, t, election)
    ]
    html = _env.get_template("report.html").render(
        t=t, lang=lang, generated=summary["generated_at"], generated_day=summary["generated_at"][:10],
        election_name=election.name if election else settings.election, model_version=data.model_version,
        asn_threshold=settings.queue.asn_threshold, partisan_threshold=settings.queue.partisan_threshold,
        summary=summary, charts=charts, top_accounts=summary["top_accounts"], queue=data.queue,
        queue_rows=[(k, t[f"queue_{k}"]) for k in QUEUE_KEYS], audit_text=_audit_text(data, t),
    )  # fmt: skip
    return {"html": html, "summary": summary, "flagged": data.flagged}


def write_report(
    settings: Settings, engine: Engine, output_dir: Path | None = None, language: str | None = None
) -> list[Path]:
    report = build_report(settings, engine, language)
    root = output_dir or settings.path(settings.report.output_dir)
    folder = root / report["summary"]["generated_at"][:10]
    folder.mkdir(parents=True, exist_ok=True)
    html_path, json_path, csv_path = folder / "report.html", folder / "summary.json", folder / "flagged.csv"
    html_path.write_text(report["html"], encoding="utf-8")
    options = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS
    json_path.write_bytes(orjson.dumps(report["summary"], option=options))
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["platform", "handle", "created_at", "stance", "target", "partisan_score", "p_asn",
                         "region", "agency", "followers"])  # fmt: skip
        for f in report["flagged"]:
            writer.writerow([
                f.platform, f.handle, f.created_at.isoformat(), f.stance, f.target,
                f"{f.partisan_score:.4f}", f"{f.p_asn:.4f}", f.region, f.agency, f.followers,
            ])  # fmt: skip
    latest = root / "latest.html"
    shutil.copyfile(html_path, latest)
    return [html_path, json_path, csv_path, latest]
