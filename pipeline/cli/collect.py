"""`netra collect ...`: file imports and live collectors (issue 2).

This module holds ``collect_app`` and the file import; the live collectors add their commands from
their own module.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from pipeline.config import ConfigError

from . import app
from .common import Exit, console, fail, state

collect_app = typer.Typer(help="Bring posts in: file imports and live sources.", no_args_is_help=True)
app.add_typer(collect_app, name="collect")

FORMAT_HELP = "auto (detect from content), snscrape, twscrape, mastodon, telegram-export or csv."


@collect_app.command("file")
def collect_file(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="A file (.jsonl, .json, .csv, or .gz of those) or a folder."),
    format: str = typer.Option("auto", "--format", "-f", help=FORMAT_HELP),
    mapping: str | None = typer.Option(
        None, "--map", "-m", help="Column mapping for CSV: a YAML file or a name in configs/mappings."
    ),
    source: str | None = typer.Option(None, "--source", "-s", help="Name of the run (default: the path)."),
) -> None:
    """Import posts from files: snscrape/twscrape JSONL, Mastodon API JSON, Telegram exports, mapped CSV.

    Re-importing the same file stores nothing new: known posts are updated (metrics refreshed).
    Exit codes: 0 all stored, 3 some records rejected (see the rejects file), 65 unreadable content,
    66 no such file, 2 bad --map or configuration.
    """
    from pipeline.collect.files import FORMATS, UnreadableFile, import_file, total_bytes

    if format not in FORMATS:
        fail(f"unknown --format {format!r}; use one of: {', '.join(FORMATS)}", Exit.USAGE)
    st = state(ctx)
    progress = Progress(
        TextColumn("[bold]importing[/]"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    task = progress.add_task("import", total=None)
    try:
        with progress:
            summary = import_file(
                path, format, mapping, engine=st.engine, settings=st.settings, source=source,
                progress=lambda n: progress.advance(task, n),
                on_files=lambda files: progress.update(task, total=total_bytes(files)),
            )  # fmt: skip
    except UnreadableFile as exc:
        fail(f"cannot import {exc.path}: {exc.reason}", Exit.NO_INPUT if exc.missing else Exit.DATA)
    except ConfigError as exc:
        fail(f"bad column mapping: {exc}", Exit.USAGE)

    table = Table(show_edge=False, box=None, pad_edge=False)
    for col in ("file", "format", "read", "stored", "updated", "rejected", "skipped"):
        table.add_column(col, justify="left" if col in ("file", "format") else "right")
    for f in summary.files:
        if f.error:
            table.add_row(f.path, "[red]unreadable[/]", "", "", "", "", "")
        elif f.note:
            table.add_row(f.path, f"[yellow]{f.format}: {f.note}[/]", "", "", "", "", "")
        else:
            numbers = (f.read, f.stored, f.updated, f.rejected, f.skipped)
            table.add_row(f.path, f.format or "", *(str(v) for v in numbers))
    c = summary.counts
    if len(summary.files) > 1:
        numbers = (c.read, c.stored, c.updated, c.rejected, c.skipped)
        table.add_row("[bold]total[/]", "", *(f"[bold]{v}[/]" for v in numbers))
    out = Console(width=None if Console().is_terminal else 200)  # stdout; no 80-column wrap in pipes
    out.print(table)
    out.print(
        f"run {summary.run_id}: read {c.read}, stored {c.stored}, updated {c.updated}, "
        f"rejected {c.rejected}, skipped {c.skipped}",
        highlight=False,
    )
    for f in summary.failed_files:
        console.print(f"[yellow]unreadable:[/] {f.error}", highlight=False)
    if summary.rejects_path:
        out.print(f"rejects: {summary.rejects_path}", highlight=False, soft_wrap=True)
    if summary.partial:
        raise typer.Exit(int(Exit.PARTIAL))
