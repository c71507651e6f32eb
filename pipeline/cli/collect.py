"""`netra collect ...`: file imports and live collectors (issue 2)."""

from __future__ import annotations

import typer

from . import app

collect_app = typer.Typer(help="Bring posts in: file imports and live sources.", no_args_is_help=True)
app.add_typer(collect_app, name="collect")
