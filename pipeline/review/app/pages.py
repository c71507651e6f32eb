"""The server-rendered pages: login, my queue, an item, adjudication, agreement, team progress.

Every form works without JavaScript (plain POST, then a redirect); htmx, when present, boosts them
into in-page swaps and refreshes the progress table. Handlers are thin: they parse the form, call
the queue and decision functions in a worker thread, and render.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import update
from starlette.exceptions import HTTPException as StarletteHTTPException

from pipeline.store.tables import User

from .. import queue as q
from ..agreement import agreement_report
from ..auth import authenticate, new_csrf_token
from ..decisions import Actor, ReviewError, adjudicate, save_decision
from ..i18n import LANGUAGES, label, translator
from ..labels import ACTION_KEYS, CHOICES, KEYS, LabelError, Labels
from ..views import adjudication_list, item_detail, my_queue, team_progress
from .security import app_state, safe_next

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)

WIB = timedelta(hours=7)


def fmt_dt(value: Any, with_utc: bool = False) -> str:
    """Times are stored in UTC and shown in WIB (UTC+7), the zone of most of the reviewers."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    local = f"{value + WIB:%Y-%m-%d %H:%M} WIB"
    return f"{local} ({value:%H:%M} UTC)" if with_utc else local


def weight_class(weight: float) -> str:
    """Highlight strength as one of five CSS classes (the CSP forbids inline styles)."""
    if weight == 0:
        return ""
    level = min(5, max(1, round(abs(weight) * 5)))
    return f"w{level} {'neg' if weight < 0 else 'pos'}"


templates.env.filters["dt"] = fmt_dt
templates.env.globals["weight_class"] = weight_class


def current_lang(request: Request) -> str:
    lang = request.session.get("lang")
    row = getattr(request.state, "user_row", None)
    if lang not in LANGUAGES and row:
        lang = row.get("language")
    return lang if lang in LANGUAGES else app_state(request).settings.review.language


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = current_lang(request)
    base = {
        "t": translator(lang),
        "lang": lang,
        "languages": LANGUAGES,
        "actor": getattr(request.state, "actor", None),
        "user": getattr(request.state, "user_row", None),
        "csrf": request.session.get("csrf", ""),
        "keys": KEYS,
        "action_keys": ACTION_KEYS,
        "choices": CHOICES,
        "label": partial(label, lang),
        "path": request.url.path,
    }
    return templates.TemplateResponse(request, name, base | context, status_code=status_code)


def actor_of(request: Request) -> Actor:
    return request.state.actor


def require_lead(request: Request) -> Actor:
    actor = actor_of(request)
    if not actor.is_lead:
        raise HTTPException(status_code=403, detail="Only leads and admins can open this page.")
    return actor


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --- login --------------------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, next: str | None = None):
    if getattr(request.state, "actor", None) is not None:
        return see_other(safe_next(next))
    return render(request, "login.html", next=safe_next(next), error=None)


@router.post("/login")
async def login(request: Request):
    form = await request.form()
    username = str(form.get("username") or "")
    password = str(form.get("password") or "")
    target = safe_next(str(form.get("next") or ""))
    st = app_state(request)
    ip = request.client.host if request.client else "unknown"
    wait = st.limiter.attempt(ip, username)
    t = translator(current_lang(request))
    if wait > 0:
        response = render(
            request, "login.html", 429, next=target, error=t("login.too_many", seconds=int(wait) + 1)
        )
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    actor = await run_in_threadpool(authenticate, st.engine, username, password)
    if actor is None:
        return render(request, "login.html", 401, next=target, error=t("login.failed"))
    lang = request.session.get("lang")
    request.session.clear()  # a fresh session (and CSRF token) for the logged-in user
    request.session.update({"uid": actor.id, "csrf": new_csrf_token()})
    if lang in LANGUAGES:
        request.session["lang"] = lang
    return see_other(target)


@router.post("/logout")
def logout(request: Request):
    request.session.clear()
    return see_other("/login")


@router.post("/lang")
async def set_language(request: Request):
    form = await request.form()
    lang = str(form.get("lang") or "")
    if lang in LANGUAGES:
        request.session["lang"] = lang
        actor = getattr(request.state, "actor", None)
        if actor is not None:

            def store() -> None:
                with app_state(request).engine.begin() as conn:
                    conn.execute(
                        update(User.__table__).where(User.__table__.c.id == actor.id).values(language=lang)
                    )

            await run_in_threadpool(store)
    return see_other(safe_next(str(form.get("next") or "")))


# --- my queue -----------------------------------------------------------------------------------


@router.get("/")
def home() -> RedirectResponse:
    return see_other("/queue")


@router.get("/queue")
def queue_page(request: Request, empty: int = 0):
    st = app_state(request)
    view = my_queue(st.engine, actor_of(request), st.settings)
    return render(request, "queue.html", view=view, empty=bool(empty))


@router.post("/queue/next")
def claim_next(request: Request):
    st = app_state(request)
    actor = actor_of(request)
    claim = q.claim_next(st.engine, actor.id, actor.username, st.settings)
    if claim is None:
        return see_other("/queue?empty=1")
    return see_other(f"/items/{claim.item_id}")


# --- an item ------------------------------------------------------------------------------------


def error_text(request: Request, error: ReviewError | None) -> str | None:
    """The error in the reviewer's language when there is a translation for its code, else as raised."""
    if error is None:
        return None
    t = translator(current_lang(request))
    if error.status == 422 and error.field:
        return t("invalid.field", field=t(f"field.{error.field}"), reason=error.message.split(": ", 1)[-1])
    key = f"conflict.{error.code}"
    params = {"by": error.params.get("by", "?"), "at": fmt_dt(error.params.get("at"))}
    text = t(key, **params)
    return error.message if text == key else text


def item_page(
    request: Request, item_id: int, status_code: int = 200, error: ReviewError | None = None,
    draft: dict[str, Any] | None = None, adj_draft: dict[str, Any] | None = None,
) -> HTMLResponse:  # fmt: skip
    st = app_state(request)
    actor = actor_of(request)
    view = item_detail(st.engine, item_id, actor)
    mine = view["my_decision"]
    form_values = draft or (
        {k: mine[k] for k in ("stance", "asn_verdict", "violation", "outcome", "target", "note")}
        if mine
        else {}
    )
    if not form_values and not mine:
        pred = view["item"]["prediction"] or {}
        form_values = {"target": pred.get("target") or ""}  # a head start; the reviewer confirms or edits
    adj = view["adjudication"]
    adj_values = adj_draft or (
        {k: adj[k] for k in ("stance", "asn_verdict", "violation", "outcome", "target", "note")}
        if adj
        else {}
    )
    return render(
        request, "item.html", status_code, v=view, item=view["item"], form=form_values, adj_form=adj_values,
        error=error, error_text=error_text(request, error), decision_version=(mine or {}).get("version", 0),
        unsaved=draft is not None and not view["can_decide"],
    )  # fmt: skip


@router.get("/items/{item_id}")
def show_item(request: Request, item_id: int):
    return item_page(request, item_id)


def _draft(form: Any) -> dict[str, Any]:
    return {k: form.get(k) for k in ("stance", "asn_verdict", "violation", "outcome", "target", "note")}


@router.post("/items/{item_id}/decision")
async def decide(request: Request, item_id: int):
    form = await request.form()
    st = app_state(request)
    actor = actor_of(request)
    draft = _draft(form)
    try:
        labels = Labels.from_mapping(form)
        version = int(form.get("version") or 0)
        await run_in_threadpool(save_decision, st.engine, item_id, actor, labels, version)
    except LabelError as exc:
        err = ReviewError(f"{exc.field}: {exc.reason}", code="invalid", field=exc.field)
        err.status = 422
        return await run_in_threadpool(item_page, request, item_id, 422, err, draft)
    except ReviewError as exc:
        return await run_in_threadpool(item_page, request, item_id, exc.status, exc, draft)
    if form.get("then") == "stay":
        return see_other(f"/items/{item_id}?saved=1")
    claim = await run_in_threadpool(q.claim_next, st.engine, actor.id, actor.username, st.settings)
    return see_other(f"/items/{claim.item_id}" if claim else "/queue?empty=1")


@router.post("/items/{item_id}/release")
def skip(request: Request, item_id: int):
    st = app_state(request)
    actor = actor_of(request)
    q.release(st.engine, item_id, actor.id, actor.username)
    claim = q.claim_next(st.engine, actor.id, actor.username, st.settings)
    return see_other(f"/items/{claim.item_id}" if claim else "/queue?empty=1")


@router.post("/items/{item_id}/adjudicate")
async def adjudicate_item(request: Request, item_id: int):
    actor = require_lead(request)
    form = await request.form()
    st = app_state(request)
    draft = _draft(form)
    try:
        labels = Labels.from_mapping(form)
        await run_in_threadpool(
            adjudicate, st.engine, item_id, actor, labels, int(form.get("item_version") or 0)
        )
    except LabelError as exc:
        err = ReviewError(f"{exc.field}: {exc.reason}", code="invalid", field=exc.field)
        err.status = 422
        return await run_in_threadpool(item_page, request, item_id, 422, err, None, draft)
    except ReviewError as exc:
        return await run_in_threadpool(item_page, request, item_id, exc.status, exc, None, draft)
    return see_other("/adjudication?done=" + str(item_id))


# --- leads' pages -------------------------------------------------------------------------------


@router.get("/adjudication")
def adjudication_page(request: Request, done: int | None = None):
    require_lead(request)
    items = adjudication_list(app_state(request).engine)
    return render(request, "adjudication.html", items=items, done=done)


@router.get("/agreement")
def agreement_page(request: Request):
    require_lead(request)
    return render(request, "agreement.html", report=agreement_report(app_state(request).engine))


@router.get("/progress")
def progress_page(request: Request):
    require_lead(request)
    return render(request, "progress.html", p=team_progress(app_state(request).engine))


@router.get("/progress/table")
def progress_fragment(request: Request):
    require_lead(request)
    return render(request, "_progress_table.html", p=team_progress(app_state(request).engine))


# --- errors -------------------------------------------------------------------------------------


def install_error_pages(app: FastAPI) -> None:
    """HTML error pages for the browser, JSON for /api (FastAPI's default shape, with a code)."""

    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            detail = (
                exc.detail if isinstance(exc.detail, dict) else {"code": "error", "message": str(exc.detail)}
            )
            return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)
        message = exc.detail.get("message") if isinstance(exc.detail, dict) else exc.detail
        return render(request, "error.html", exc.status_code, code=exc.status_code, message=message)

    async def review_error(request: Request, exc: ReviewError) -> Response:
        if request.url.path.startswith("/api/"):
            body = {"detail": {"code": exc.code, "message": exc.message, "field": exc.field}}
            return JSONResponse(body, status_code=exc.status)
        return render(request, "error.html", exc.status, code=exc.status, message=exc.message)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(ReviewError, review_error)
