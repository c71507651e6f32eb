"""The login gate, CSRF protection and security headers.

* Login gate (middleware, so it covers every route including unknown ones): only ``/login`` and the
  static files are reachable without a session; pages redirect to the login page, the API answers 401.
* CSRF: a random token bound to the session; every POST must echo it, as the ``csrf_token`` form
  field or the ``X-CSRF-Token`` header (htmx sends the header, set once on ``<body>``).
* Headers: a Content-Security-Policy allowing only this origin's scripts and styles (no inline code
  anywhere in the templates), no framing, no caching of pages that show personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import Engine

from pipeline.config import Settings

from ..auth import RateLimiter, csrf_ok, load_actor, new_csrf_token

SESSION_COOKIE = "netra_session"
SESSION_MAX_AGE = 12 * 3600  # one working day; then log in again
PUBLIC_PATHS = frozenset({"/login"})
PUBLIC_PREFIXES = ("/static/",)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    limiter: RateLimiter


def app_state(request: Request) -> AppState:
    return request.app.state.netra


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def safe_next(target: str | None, default: str = "/queue") -> str:
    """Only local paths are followed after login or a language switch (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


async def auth_gate(request: Request, call_next):
    session = request.session
    if "csrf" not in session:
        session["csrf"] = new_csrf_token()
    request.state.actor = None
    request.state.user_row = None
    uid = session.get("uid")
    if uid is not None:
        loaded = await run_in_threadpool(load_actor, app_state(request).engine, int(uid))
        if loaded is None:  # deactivated or deleted since logging in
            session.pop("uid", None)
        else:
            request.state.actor, request.state.user_row = loaded
    path = request.url.path
    if request.state.actor is None and not is_public(path):
        if path.startswith("/api/"):
            body = {"detail": {"code": "unauthenticated", "message": "Log in first (POST /login)."}}
            return JSONResponse(body, status_code=401)
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        if request.method == "GET":
            return RedirectResponse(f"/login?next={quote(path)}", status_code=303)
        return RedirectResponse("/login", status_code=303)
    return await call_next(request)


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: unsafe methods must carry the session's CSRF token."""
    if request.method not in UNSAFE_METHODS:
        return
    given = request.headers.get("x-csrf-token")
    if not given and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        given = (await request.form()).get("csrf_token")
    if not csrf_ok(request.session.get("csrf"), given):
        raise HTTPException(
            status_code=403,
            detail={"code": "csrf", "message": "Missing or wrong CSRF token; reload the page and try again."},
        )


async def security_headers(request: Request, call_next):
    response = await call_next(request)
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if not request.url.path.startswith("/static/"):
        headers.setdefault("Cache-Control", "no-store")
    return response
