"""`netra users ...` and `netra review ...`: accounts, the queue, the reviewers' web app and exports."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

import typer

from . import app
from .common import Exit, console, fail, state

users_app = typer.Typer(help="Accounts for the review app.", no_args_is_help=True)
review_app = typer.Typer(help="The review queue, the reviewers' web app and exports.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(review_app, name="review")

DEFAULT_SECRET = "change-me-in-production"


def _password(password_stdin: bool) -> str:
    if password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Login name: lower-case letters, digits, '.', '_' or '-'."),
    role: str = typer.Option("reviewer", "--role", "-r", help="reviewer, lead (adjudicates) or admin."),
    display_name: str | None = typer.Option(None, "--display-name", help="Shown in the app and case files."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Create an account (the password is asked twice, or read from stdin; stored as an Argon2id hash)."""
    from pipeline.review.auth import AccountError, create_user

    st = state(ctx)
    password = _password(password_stdin)
    try:
        create_user(st.engine, name, password, role=role, display_name=display_name)
    except AccountError as exc:
        fail(str(exc), Exit.USAGE)
    typer.echo(f"user {name.strip().lower()} added ({role})")


@users_app.command("passwd")
def users_passwd(
    ctx: typer.Context,
    name: str = typer.Argument(...),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Set a new password for an account."""
    from pipeline.review.auth import AccountError, set_password

    st = state(ctx)
    try:
        set_password(st.engine, name.strip().lower(), _password(password_stdin))
    except AccountError as exc:
        fail(str(exc), Exit.USAGE)
    typer.echo(f"password of {name} changed")


@users_app.command("list")
def users_list(ctx: typer.Context) -> None:
    """List accounts (name, role, active, last login)."""
    from pipeline.review.auth import list_users

    for u in list_users(state(ctx).engine):
        last = f"{u['last_login_at']:%Y-%m-%d %H:%M}" if u["last_login_at"] else "never"
        typer.echo(f"{u['username']:<24} {u['role']:<9} {'active' if u['active'] else 'inactive':<9} {last}")


@review_app.command("enqueue")
def review_enqueue(ctx: typer.Context) -> None:
    """Put newly flagged posts (and the audit sample) in the queue; refresh items a new model re-scored."""
    from pipeline.review.queue import enqueue

    st = state(ctx)
    s = enqueue(st.settings, st.engine)
    typer.echo(
        f"enqueued {s.inserted} new items ({s.inserted_audit} audit), refreshed {s.updated}; "
        f"{s.qualifying} of {s.seen} matched posts pass the thresholds, {s.frame} below them"
    )


@review_app.command("state")
def review_state(ctx: typer.Context) -> None:
    """Queue counts and the audit sample's estimate of what the thresholds miss."""
    from pipeline.review.queue import audit_estimate, queue_state

    st = state(ctx)
    for key, value in queue_state(st.engine).items():
        typer.echo(f"{key:<13} {value}")
    a = audit_estimate(st.engine)
    typer.echo(
        f"audit: {a['reviewed']} of {a['items']} reviewed, {a['violations']} violations"
        + (
            f", about {a['estimated_missed']} missed of {a['population']} below the thresholds"
            if a["rate"]
            else ""
        )
    )


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@review_app.command("serve")
def review_serve(
    ctx: typer.Context,
    host: str | None = typer.Option(None, "--host", help="Address to listen on (default: review.host)."),
    port: int | None = typer.Option(None, "--port", help="Port (default: review.port)."),
) -> None:
    """Run the reviewers' web app. Behind TLS, set review.secure_cookies and a real review.secret_key."""
    import uvicorn

    from pipeline.review.app import create_app

    st = state(ctx)
    settings = st.settings
    host = host or settings.review.host
    port = port or settings.review.port
    if settings.review.secret_key == DEFAULT_SECRET and not _is_loopback(host):
        fail(
            "review.secret_key is the default; set NETRA_SECRET_KEY to a long random value before serving "
            f"on {host} (the default is accepted only on 127.0.0.1)",
            Exit.USAGE,
        )
    console.print(f"Netra review on http://{host}:{port}/ (Ctrl+C stops)", highlight=False)
    uvicorn.run(
        create_app(settings, st.engine), host=host, port=port, log_level="warning", proxy_headers=True
    )


@review_app.command("export")
def review_export(
    ctx: typer.Context,
    format: str = typer.Option(
        ..., "--format", "-f", help="datasets, jsonl, parquet, csv, label-studio or casefiles (HTML + PDF)."
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Folder to write into (created if missing)."),
    pseudonymise: bool = typer.Option(
        False, "--pseudonymise", help="Replace NIPs and handles by keyed pseudonyms (privacy.pseudonym_key)."
    ),
) -> None:
    """Export reviewed items: a labelled data set for retraining, CSV, Label Studio JSON, or case files."""
    from pipeline.review.export import FORMATS, export

    if format not in FORMATS:
        fail(f"unknown --format {format!r}; use one of: {', '.join(FORMATS)}", Exit.USAGE)
    st = state(ctx)
    key = None
    if pseudonymise:
        key = st.settings.privacy.pseudonym_key
        if not key:
            fail("--pseudonymise needs privacy.pseudonym_key (or NETRA_PSEUDONYM_KEY)", Exit.USAGE)
    paths = export(st.engine, format, output, pseudonym_key=key, settings=st.settings)
    for p in paths:
        typer.echo(str(p))
    if not paths:
        typer.echo(
            "nothing to export yet (no forwarded findings)" if format == "casefiles" else "nothing written"
        )
