"""`netra scan`, `netra runs` and `netra report`: the nightly job and its records (issue 6)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from . import app
from .common import Exit, console, fail, state


@app.command()
def scan(
    ctx: typer.Context,
    demo: bool = typer.Option(False, "--demo", help="Scan data/demo with the embedded defaults."),
    resume: bool = typer.Option(False, "--resume", help="Continue the last interrupted scan."),
    stage: list[str] = typer.Option(None, "--stage", help="Run only these stages (repeatable)."),
    no_progress: bool = typer.Option(False, "--no-progress", help="No progress bars (cron, logs)."),
) -> None:
    """Run collect → normalise → registry → match → classify → enqueue → report, only what is new.

    Exit codes: 0 done, 3 done but some sources or records failed, 1 a stage failed,
    75 another scan is running (try again later), 2 bad configuration.
    """
    from pipeline.runlock import ScanLocked
    from pipeline.scan import STAGES, run_scan

    st = state(ctx)
    names = {s.name for s in STAGES}
    unknown = set(stage or ()) - names
    if unknown:
        fail(f"unknown stage(s) {', '.join(sorted(unknown))}; stages are {', '.join(s.name for s in STAGES)}",
             Exit.USAGE)  # fmt: skip

    def announce(name: str, status: str) -> None:
        colour = {"ok": "green", "skipped": "cyan", "partial": "yellow"}.get(status, "red")
        console.print(f"  {name:<10} [{colour}]{status}[/]")

    console.print(f"netra scan{' --demo' if demo else ''}: store {st.settings.database_url}")
    try:
        outcome = run_scan(st.settings, st.engine, demo=demo, resume=resume, only=stage or None,
                           progress=not no_progress, on_stage=announce)  # fmt: skip
    except ScanLocked as exc:
        fail(str(exc), Exit.LOCKED)
    table = Table(title=f"scan {outcome.scan_id}: {outcome.status}", title_justify="left")
    for col in ("stage", "status", "in", "out", "errors", "note"):
        table.add_column(col, justify="right" if col in {"in", "out", "errors"} else "left")
    for row in outcome.stages:
        note = row.get("error") or (row.get("details") or {}).get("reason", "")
        files = (row.get("details") or {}).get("files")
        if files:
            note = files[0]
        table.add_row(row["stage"], row["status"], str(row.get("n_in", "")), str(row.get("n_out", "")),
                      str(row.get("n_errors", "")), str(note))  # fmt: skip
    console.print(table)
    if outcome.resumed_from:
        console.print(f"resumed from scan {outcome.resumed_from}")
    raise typer.Exit(int({"ok": Exit.OK, "partial": Exit.PARTIAL}.get(outcome.status, Exit.FAILED)))


@app.command()
def runs(
    ctx: typer.Context,
    limit: int = typer.Option(10, "--limit", "-n", help="How many scans to list."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List scans, newest first, with each stage's counts, status and errors."""
    import orjson

    from pipeline.scan import list_runs

    rows = list_runs(state(ctx).engine, limit=limit)
    if as_json:
        typer.echo(orjson.dumps(rows, default=str, option=orjson.OPT_INDENT_2).decode())
        return
    table = Table(title="scans", title_justify="left")
    for col in ("scan", "started", "ended", "status", "model", "registry", "stages"):
        table.add_column(col)
    for r in rows:
        stages = " ".join(f"{s['stage']}:{s['status']}({s['n_in']}→{s['n_out']})" for s in r["stages"])
        ended = r["finished_at"].strftime("%H:%M:%S") if r["finished_at"] else "–"
        table.add_row(str(r["id"]), r["started_at"].strftime("%Y-%m-%d %H:%M:%S"), ended, r["status"],
                      r["model_version"] or "–", r["registry_version"] or "–", stages)  # fmt: skip
    console.print(table) if rows else typer.echo("no scans yet")


@app.command()
def report(
    ctx: typer.Context,
    output: Path | None = typer.Option(None, "--output", "-o", help="Folder (default: report.output_dir)."),
    language: str | None = typer.Option(None, "--lang", help="id (default) or en."),
) -> None:
    """Write the nightly report (HTML with charts, summary.json, flagged.csv) from the store as it is."""
    from pipeline.report import write_report

    if language not in (None, "id", "en"):
        fail("--lang must be id or en", Exit.USAGE)
    st = state(ctx)
    for path in write_report(st.settings, st.engine, output_dir=output, language=language):
        typer.echo(str(path))
