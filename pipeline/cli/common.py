"""What every command shares: settings, the store, exit codes and error printing."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy import Engine

from pipeline.config import ConfigError, Settings, load_settings

console = Console(stderr=True)


class Exit(IntEnum):
    """Exit codes cron and systemd can act on (sysexits-style where one fits)."""

    OK = 0
    FAILED = 1          # the command ran and failed
    USAGE = 2           # bad arguments or configuration
    PARTIAL = 3         # finished, but some sources or records failed
    DATA = 65           # input data unreadable (EX_DATAERR)
    NO_INPUT = 66       # input file missing (EX_NOINPUT)
    LOCKED = 75         # another scan holds the lock; try later (EX_TEMPFAIL)


@dataclass
class CliState:
    config_dir: Path | None = None
    verbose: bool = False
    _settings: Settings | None = field(default=None, repr=False)
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self.config_dir)
            except ConfigError as exc:
                fail(f"configuration error: {exc}", Exit.USAGE)
        return self._settings

    @property
    def engine(self) -> Engine:
        """The store, migrated to the newest schema on first use."""
        if self._engine is None:
            from pipeline.store import open_store

            s = self.settings
            self._engine = open_store(s.database_url, echo=s.store.echo)
        return self._engine


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):
        obj = CliState()
        ctx.find_root().obj = obj
    return obj


def fail(message: str, code: int = Exit.FAILED) -> None:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(int(code))
