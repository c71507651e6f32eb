"""`netra collect run` (live sources) and `netra collect sources` (what is configured)."""

from __future__ import annotations

import typer
from rich.table import Table

from .collect import collect_app
from .common import Exit, console, fail, state


@collect_app.command("run")
def collect_run(
    ctx: typer.Context,
    source: list[str] = typer.Option(
        None, "--source", "-s", help="Run only this source (repeatable); runs it even when disabled."
    ),
) -> None:
    """Collect what is new from every enabled live source in sources.yaml (Telegram, Mastodon, X).

    Exit codes: 0 all sources ok (or skipped), 3 some source, channel or record failed (the others
    were still collected), 2 bad sources file or unknown --source.
    """
    from pipeline.collect.live import SourceResult, collect_all
    from pipeline.collect.sources import load_sources, sources_path
    from pipeline.config import ConfigError

    st = state(ctx)
    path = sources_path(st.settings)
    try:
        sources = load_sources(st.settings)
        if source:
            for name in source:
                sources.get(name)
    except ConfigError as exc:
        fail(f"configuration error: {exc}", Exit.USAGE)
    except KeyError as exc:
        fail(f"{path}: {exc.args[0]}", Exit.USAGE)
    if not source and not sources.enabled():
        console.print(f"no enabled live source in {path}; enable one or pass --source NAME")
        raise typer.Exit(int(Exit.OK))

    def progress(r: SourceResult) -> None:
        colour = {"ok": "green", "skipped": "cyan", "partial": "yellow"}.get(r.status, "red")
        console.print(f"  {r.name:<24} [{colour}]{r.status}[/]  stored {r.stored}, updated {r.updated}")

    results = collect_all(st.settings, st.engine, only=source or None, sources=sources, on_result=progress)
    table = Table(title="live sources", title_justify="left")
    numbers = {"fetched", "stored", "updated", "rejected"}
    for col in ("source", "kind", "status", "fetched", "stored", "updated", "rejected", "errors"):
        table.add_column(col, justify="right" if col in numbers else "left")
    for r in results:
        table.add_row(r.name, r.kind, r.status, str(r.fetched), str(r.stored), str(r.updated),
                      str(r.rejected), "-" if r.status == "skipped" else str(len(r.errors)),
                      style="red" if r.status == "failed" else None)  # fmt: skip
    console.print(table)
    for r in results:  # full messages below the table, where a narrow terminal does not cut them
        for message in r.errors:
            console.print(f"{r.name}: {message}", highlight=False, soft_wrap=True)
        if r.rejects_path:
            console.print(f"rejects of {r.name}: {r.rejects_path}", highlight=False, soft_wrap=True)
    raise typer.Exit(int(Exit.PARTIAL if any(r.failed for r in results) else Exit.OK))


@collect_app.command("sources")
def collect_sources(ctx: typer.Context) -> None:
    """List the live sources in sources.yaml with their keys and cursors (validates the file)."""
    from pipeline.collect.cursors import get_cursors
    from pipeline.collect.sources import load_sources, sources_path
    from pipeline.config import ConfigError

    st = state(ctx)
    try:
        sources = load_sources(st.settings)
    except ConfigError as exc:
        fail(f"configuration error: {exc}", Exit.USAGE)
    table = Table(title=str(sources_path(st.settings)), title_justify="left")
    for col in ("source", "kind", "enabled", "max items", "keys (cursor)"):
        table.add_column(col)
    for entry in sources.all():
        cursors = get_cursors(st.engine, entry.name)
        keys = _keys(entry)
        shown = ", ".join(f"{k} ({cursors[k]})" if k in cursors else k for k in keys)
        table.add_row(entry.name, entry.kind, "yes" if entry.enabled else "no", str(entry.max_items), shown)
    console.print(table)


def _keys(entry) -> list[str]:
    from pipeline.collect.mastodon import MastodonFetcher
    from pipeline.collect.sources import MastodonSource, TelegramSource

    if isinstance(entry, TelegramSource):
        return entry.channels
    if isinstance(entry, MastodonSource):
        return MastodonFetcher.keys(entry)
    return entry.queries
