"""The reviewers' web app: FastAPI, server-rendered Jinja2 pages with htmx, and a JSON API.

``create_app(settings, engine)`` builds it; ``netra review serve`` runs it with uvicorn. The app calls
the same queue and decision functions as the CLI and the tests; it adds sessions, the login gate,
CSRF protection, security headers, translations and templates.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.middleware.sessions import SessionMiddleware

from pipeline.config import Settings

from ..auth import RateLimiter
from . import api, pages
from .security import SESSION_COOKIE, SESSION_MAX_AGE, AppState, auth_gate, csrf_protect, security_headers

HERE = Path(__file__).resolve().parent


def create_app(settings: Settings, engine: Engine) -> FastAPI:
    """The app for this store and these settings (one per process; state lives in the store)."""
    app = FastAPI(
        title="Netra review",
        version="1",
        description="Review queue of posts by civil servants (ASN) flagged as campaigning. "
        "All endpoints need a logged-in session (cookie); POST, PUT and DELETE also need the "
        "session's CSRF token in the X-CSRF-Token header (GET /api/v1/me returns it).",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served under the login gate by api.openapi_schema instead
        dependencies=[Depends(csrf_protect)],
    )
    app.state.netra = AppState(
        settings=settings,
        engine=engine,
        limiter=RateLimiter(settings.review.login_attempts_per_minute),
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)
    pages.install_error_pages(app)
    # Middleware runs outermost-last-added: headers(session(gate(app))).
    app.middleware("http")(auth_gate)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.review.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.review.secure_cookies,
    )
    app.middleware("http")(security_headers)
    return app
