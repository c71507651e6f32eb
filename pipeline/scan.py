"""The nightly scan: collect → normalise → registry → match → classify → enqueue → report.

Like a spaCy project, the scan is a list of named stages with declared inputs. Each stage is an
idempotent step over the store that works only on what is new (files not imported yet, posts without
a normalised text, authors without a current match, posts without a prediction from the default
model, predictions not yet enqueued). On top of that, a stage whose inputs have not changed since its
last successful run is skipped outright: the fingerprint of its inputs (row counts and high-water
marks of the tables it reads, the model and registry versions, the settings it uses) is stored with
every stage run.

So a second scan changes nothing, and a scan killed at any point is resumed by running it again:
committed work is kept (every stage commits in batches), unfinished work is found again, nothing is
done twice. ``--resume`` only links the new run record to the interrupted one.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, func, inspect, select, update

from pipeline.config import PROJECT_ROOT, Settings
from pipeline.runlock import ScanLock
from pipeline.schema import utcnow
from pipeline.store.tables import ScanRun, StageRun

log = logging.getLogger(__name__)

DEMO_DIR = PROJECT_ROOT / "data" / "demo"


@dataclass
class StageResult:
    n_in: int = 0
    n_out: int = 0
    n_errors: int = 0
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return "partial" if self.n_errors else "ok"


@dataclass
class ScanContext:
    settings: Settings
    engine: Engine
    scan_id: int
    demo: bool
    progress: bool = True


@dataclass(frozen=True)
class Stage:
    """A named step. ``inputs`` name what it reads; their state decides whether it must run again."""

    name: str
    inputs: tuple[str, ...]
    run: Callable[[ScanContext], StageResult]
    always_runs: bool = False  # collect reads the outside world, whose state the store cannot see


# --- input fingerprints -------------------------------------------------------------------------

# What each input name means in the store: (table, high-water column). Missing tables count as empty.
_TABLE_INPUTS: dict[str, tuple[str, str]] = {
    "posts": ("posts", "updated_at"),
    "registry": ("registry_versions", "id"),
    "account_matches": ("account_matches", "matched_at"),
    "predictions": ("predictions", "id"),
    "review_items": ("review_items", "updated_at"),
    "decisions": ("decisions", "id"),
}


def _table_state(engine: Engine, table: str, column: str) -> list[Any] | None:
    insp = inspect(engine)
    if not insp.has_table(table):
        return None
    from sqlalchemy import column as col
    from sqlalchemy import table as tbl

    t = tbl(table, col(column))
    with engine.connect() as conn:
        count, high = conn.execute(select(func.count(), func.max(t.c[column]))).one()
    return [count, str(high) if high is not None else None]


def _settings_state(settings: Settings, name: str) -> Any:
    section = getattr(settings, name)
    return section.model_dump(mode="json") if hasattr(section, "model_dump") else section


def fingerprint(ctx: ScanContext, inputs: Iterable[str]) -> str:
    state: dict[str, Any] = {}
    for name in inputs:
        if name in _TABLE_INPUTS:
            state[name] = _table_state(ctx.engine, *_TABLE_INPUTS[name])
        elif name == "model":
            state[name] = current_model_version(ctx.settings)
        elif name.startswith("settings."):
            state[name] = _settings_state(ctx.settings, name.split(".", 1)[1])
        elif name == "election":
            path = ctx.settings.config_file(ctx.settings.election)
            state[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
        else:
            raise KeyError(f"unknown stage input {name!r}")
    return hashlib.sha256(orjson.dumps(state, option=orjson.OPT_SORT_KEYS)).hexdigest()


def current_model_version(settings: Settings) -> str | None:
    try:
        from pipeline.classify.registry import resolve_model_version
    except ImportError:
        return None
    try:
        return resolve_model_version(settings)
    except Exception:  # an unresolvable model is reported by the classify stage
        return None


# --- the stages -----------------------------------------------------------------------------------


def _collect(ctx: ScanContext) -> StageResult:
    from pipeline.collect.scan_sources import collect_for_scan

    return collect_for_scan(ctx.settings, ctx.engine, demo=ctx.demo, progress=ctx.progress)


def _normalise(ctx: ScanContext) -> StageResult:
    from pipeline.text import normalise_posts

    summary = normalise_posts(ctx.engine)
    return _as_result(summary)


def _registry(ctx: ScanContext) -> StageResult:
    """Import the registry file when there is one to import (the demo's); unchanged content adds no
    version. Its own stage, so that match's inputs already include the registry it will use."""
    if not ctx.demo:
        return StageResult(details={"reason": "registry is imported with `netra registry import`"})
    from pipeline.registry.importer import import_registry

    report = import_registry(ctx.engine, DEMO_DIR / "registry.csv",
                             rejects_dir=ctx.settings.path(ctx.settings.collect.rejects_dir))  # fmt: skip
    return StageResult(
        n_in=report.n_read, n_out=0 if report.unchanged else report.n_valid, n_errors=report.n_rejected,
        details={"added": report.added, "removed": report.removed, "changed": report.changed},
    )  # fmt: skip


def _match(ctx: ScanContext) -> StageResult:
    from pipeline.registry import match_authors

    return _as_result(match_authors(ctx.settings, ctx.engine))


def _classify(ctx: ScanContext) -> StageResult:
    from pipeline.classify import classify_posts

    return _as_result(classify_posts(ctx.settings, ctx.engine, progress=ctx.progress))


def _enqueue(ctx: ScanContext) -> StageResult:
    from pipeline.review.queue import enqueue

    return _as_result(enqueue(ctx.settings, ctx.engine))


def _report(ctx: ScanContext) -> StageResult:
    from pipeline.report import write_report

    paths = write_report(ctx.settings, ctx.engine)
    return StageResult(n_out=len(paths), details={"files": [str(p) for p in paths]})


def _as_result(summary: Any) -> StageResult:
    """Stages return their own summary types; they all carry counts under these names."""
    if isinstance(summary, StageResult):
        return summary
    data = summary if isinstance(summary, dict) else getattr(summary, "__dict__", {})
    if hasattr(summary, "as_dict"):
        data = summary.as_dict()
    n_in = int(data.get("n_in", data.get("read", data.get("seen", 0))) or 0)
    n_out = int(data.get("n_out", data.get("written", data.get("stored", 0))) or 0)
    n_errors = int(data.get("n_errors", data.get("errors", data.get("rejected", 0))) or 0)
    details = {k: v for k, v in data.items() if isinstance(v, (int, float, str, bool, type(None)))}
    return StageResult(n_in=n_in, n_out=n_out, n_errors=n_errors, details=details)


STAGES: tuple[Stage, ...] = (
    Stage("collect", ("settings.collect",), _collect, always_runs=True),
    Stage("normalise", ("posts",), _normalise),
    Stage("registry", ("settings.match",), _registry, always_runs=True),
    Stage("match", ("posts", "registry", "settings.match"), _match),
    Stage("classify", ("posts", "model", "election", "settings.classify"), _classify),
    Stage("enqueue", ("predictions", "account_matches", "model", "settings.queue"), _enqueue),
    Stage("report", ("posts", "predictions", "account_matches", "review_items", "decisions",
                     "settings.report", "settings.queue"), _report),
)  # fmt: skip


# --- orchestration -------------------------------------------------------------------------------


@dataclass
class ScanOutcome:
    scan_id: int
    status: str
    stages: list[dict[str, Any]]
    resumed_from: int | None = None


def _last_ok_fingerprint(engine: Engine, stage: str) -> str | None:
    with engine.connect() as conn:
        return conn.scalar(
            select(StageRun.fingerprint)
            .where(StageRun.stage == stage, StageRun.status.in_(("ok", "skipped")))
            .order_by(StageRun.id.desc())
            .limit(1)
        )


def _config_hash(settings: Settings) -> str:
    dump = settings.model_dump(mode="json", exclude={"config_dir"})
    dump.get("review", {}).pop("secret_key", None)
    dump.get("privacy", {}).pop("pseudonym_key", None)
    return hashlib.sha256(orjson.dumps(dump, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def _registry_version(engine: Engine) -> str | None:
    state = _table_state(engine, "registry_versions", "id")
    return None if state is None or state[1] is None else str(state[1])


def run_scan(
    settings: Settings,
    engine: Engine,
    *,
    demo: bool = False,
    resume: bool = False,
    stages: tuple[Stage, ...] = STAGES,
    only: Iterable[str] | None = None,
    progress: bool = True,
    on_stage: Callable[[str, str], None] | None = None,
    lock_dir: Path | None = None,
) -> ScanOutcome:
    """Run the stages in order under the scan lock; raises ScanLocked if another scan runs."""
    wanted = set(only) if only else None
    with ScanLock(engine, lock_dir=lock_dir):
        with engine.begin() as conn:
            # We hold the lock, so any scan still marked running died without finishing.
            stale = conn.scalars(select(ScanRun.id).where(ScanRun.status == "running")).all()
            if stale:
                conn.execute(
                    update(ScanRun).where(ScanRun.id.in_(stale)).values(status="interrupted")
                )
                conn.execute(
                    update(StageRun)
                    .where(StageRun.scan_id.in_(stale), StageRun.status == "running")
                    .values(status="failed", error="interrupted", finished_at=utcnow())
                )
            resumed_from = None
            if resume:
                resumed_from = conn.scalar(
                    select(ScanRun.id)
                    .where(ScanRun.status.in_(("interrupted", "failed")))
                    .order_by(ScanRun.id.desc())
                    .limit(1)
                )
            scan_id = conn.execute(
                ScanRun.__table__.insert().values(
                    started_at=utcnow(), status="running", demo=demo, resumed_from=resumed_from,
                    model_version=current_model_version(settings),
                    registry_version=_registry_version(engine), config_hash=_config_hash(settings),
                )
            ).inserted_primary_key[0]  # fmt: skip
        if stale:
            log.warning("scans %s did not finish; their committed work is kept", stale)
        ctx = ScanContext(settings=settings, engine=engine, scan_id=scan_id, demo=demo, progress=progress)
        results: list[dict[str, Any]] = []
        overall = "ok"
        for stage in stages:
            if wanted is not None and stage.name not in wanted:
                continue
            status, row = _run_stage(ctx, stage)
            results.append(row)
            if on_stage:
                on_stage(stage.name, status)
            if status == "failed":
                overall = "failed"
                break  # later stages would work on an incomplete picture
            if status == "partial":
                overall = "partial"
        with engine.begin() as conn:
            conn.execute(
                update(ScanRun)
                .where(ScanRun.id == scan_id)
                .values(
                    status=overall, finished_at=utcnow(),
                    model_version=current_model_version(settings), registry_version=_registry_version(engine),
                    error=next((r["error"] for r in results if r.get("error")), None),
                )
            )  # fmt: skip
        return ScanOutcome(scan_id=scan_id, status=overall, stages=results, resumed_from=resumed_from)


def _run_stage(ctx: ScanContext, stage: Stage) -> tuple[str, dict[str, Any]]:
    fp = fingerprint(ctx, stage.inputs)
    started = utcnow()
    with ctx.engine.begin() as conn:
        stage_id = conn.execute(
            StageRun.__table__.insert().values(
                scan_id=ctx.scan_id, stage=stage.name, started_at=started, status="running",
                n_in=0, n_out=0, n_errors=0, fingerprint=fp,
            )
        ).inserted_primary_key[0]  # fmt: skip
    values: dict[str, Any]
    if not stage.always_runs and _last_ok_fingerprint(ctx.engine, stage.name) == fp:
        values = {"status": "skipped", "details": {"reason": "inputs unchanged since last run"}}
    else:
        try:
            result = stage.run(ctx)
            # Collect changes the posts table; record the fingerprint it leaves behind.
            values = {
                "status": result.status, "n_in": result.n_in, "n_out": result.n_out,
                "n_errors": result.n_errors, "details": result.details,
            }  # fmt: skip
            if not stage.always_runs:
                values["fingerprint"] = fp
        except Exception as exc:  # a failed stage is recorded, then reported
            log.error("stage %s failed: %s", stage.name, exc, extra={"stage": stage.name})
            log.debug("%s", traceback.format_exc())
            values = {"status": "failed", "error": f"{exc.__class__.__name__}: {exc}"}
    with ctx.engine.begin() as conn:
        conn.execute(
            update(StageRun).where(StageRun.id == stage_id).values(finished_at=utcnow(), **values)
        )
    row = {"stage": stage.name, "started_at": started, **values}
    return values["status"], row


def list_runs(engine: Engine, limit: int = 20) -> list[dict[str, Any]]:
    """Newest scans first, each with its stage runs."""
    with engine.connect() as conn:
        scans = conn.execute(select(ScanRun).order_by(ScanRun.id.desc()).limit(limit)).mappings().all()
        ids = [s["id"] for s in scans]
        stages = (
            conn.execute(select(StageRun).where(StageRun.scan_id.in_(ids)).order_by(StageRun.id))
            .mappings()
            .all()
        )
    by_scan: dict[int, list[dict[str, Any]]] = {}
    for st in stages:
        by_scan.setdefault(st["scan_id"], []).append(dict(st))
    return [{**dict(s), "stages": by_scan.get(s["id"], [])} for s in scans]
