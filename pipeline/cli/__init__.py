"""The ``netra`` command. Thin: parses arguments, calls the stages, prints progress.

Each domain keeps its commands in a module of this package and adds them to ``app`` on import.
"""

from __future__ import annotations

from pathlib import Path

import typer

from pipeline.log import setup_logging

from .common import CliState, state

app = typer.Typer(
    name="netra",
    help="Netra: find civil servants (ASN) campaigning on social media, for Bawaslu reviewers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    ctx: typer.Context,
    config_dir: Path | None = typer.Option(
        None, "--config-dir", "-c", envvar="NETRA_CONFIG_DIR", help="Folder with netra.yaml and friends."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug logging on the terminal."),
) -> None:
    ctx.obj = CliState(config_dir=config_dir, verbose=verbose)
    settings = ctx.obj.settings
    log_file = settings.path(settings.logging.file) if settings.logging.file else None
    setup_logging(settings.logging.level, log_file, verbose)


db_app = typer.Typer(help="The store: migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create or migrate the database named by store.url to the newest schema."""
    st = state(ctx)
    st.engine  # noqa: B018 - opening the store runs the migrations
    typer.echo(f"store is up to date: {st.settings.database_url}")


# Domain command modules register themselves on `app` when imported.
from . import collect  # noqa: E402,F401
from . import collect_live  # noqa: E402,F401
from . import scan  # noqa: E402,F401
from . import classify  # noqa: E402,F401
from . import review  # noqa: E402,F401
from . import registry  # noqa: E402,F401


def main() -> None:
    app()
