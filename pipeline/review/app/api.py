"""The JSON API under ``/api/v1``: the same queue, decisions and views as the pages, same login.

Errors have one shape: ``{"detail": {"code": ..., "message": ..., "field": ...}}`` with 401 (not
logged in), 403 (role or CSRF), 404, 409 (conflict: someone else changed it; nothing stored), 422.
The OpenAPI schema is at ``/api/v1/openapi.json`` (behind the login, like everything else).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field

from .. import queue as q
from ..agreement import agreement_report
from ..decisions import Actor, adjudicate, save_decision
from ..labels import ASN_VERDICTS, OUTCOMES, STANCES, VIOLATIONS, LabelError, Labels
from ..views import adjudication_list, item_detail, my_queue, team_progress
from .security import app_state

router = APIRouter(prefix="/api/v1", tags=["review"])

Stance = Literal[STANCES]  # type: ignore[valid-type]
AsnVerdict = Literal[ASN_VERDICTS]  # type: ignore[valid-type]
Violation = Literal[VIOLATIONS]  # type: ignore[valid-type]
Outcome = Literal[OUTCOMES]  # type: ignore[valid-type]


class Error(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    detail: Error


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Not logged in"},
    403: {"model": ErrorBody, "description": "Wrong role, or missing CSRF token"},
    404: {"model": ErrorBody, "description": "No such item"},
    409: {"model": ErrorBody, "description": "Conflict: changed by someone else; nothing was stored"},
    422: {"model": ErrorBody, "description": "Invalid labels"},
}


class Me(BaseModel):
    id: int
    username: str
    role: str
    language: str | None
    csrf_token: str = Field(description="Send as X-CSRF-Token with every POST.")


class LabelsIn(BaseModel):
    stance: Stance
    asn_verdict: AsnVerdict = Field(description="Is the matched ASN really the author?")
    violation: Violation = Field(description="The SKB 2022 act, or 'none'")
    outcome: Outcome
    target: str | None = Field(None, max_length=500)
    note: str | None = Field(None, max_length=5000)


class DecisionIn(LabelsIn):
    version: int = Field(0, ge=0, description="0 for a new decision; the version you loaded to revise yours")


class AdjudicationIn(LabelsIn):
    item_version: int = Field(ge=1, description="The item's version you looked at")


class DecisionOut(BaseModel):
    decision_id: int
    version: int
    status: str
    item_version: int


class AdjudicationOut(BaseModel):
    adjudication_id: int
    status: str
    item_version: int


class ClaimOut(BaseModel):
    item_id: int
    slot: int
    expires_at: datetime
    resumed: bool


def actor_of(request: Request) -> Actor:
    return request.state.actor


def require_lead(request: Request) -> Actor:
    actor = actor_of(request)
    if not actor.is_lead:
        raise HTTPException(403, detail={"code": "forbidden", "message": "Leads and admins only."})
    return actor


def labels_of(body: LabelsIn) -> Labels:
    try:
        return Labels(
            stance=body.stance, asn_verdict=body.asn_verdict, violation=body.violation, outcome=body.outcome,
            target=body.target, note=body.note,
        ).validate()  # fmt: skip
    except LabelError as exc:
        raise HTTPException(
            422, detail={"code": "invalid", "message": exc.reason, "field": exc.field}
        ) from exc


@router.get("/me", response_model=Me, responses=ERRORS)
def me(request: Request) -> Me:
    actor, row = actor_of(request), request.state.user_row
    return Me(
        id=actor.id, username=actor.username, role=actor.role, language=row.get("language"),
        csrf_token=request.session.get("csrf", ""),
    )  # fmt: skip


@router.get("/queue", responses=ERRORS)
def queue_summary(request: Request) -> dict[str, Any]:
    """My queue: the item I hold, how many are waiting for me, my recent decisions."""
    st = app_state(request)
    return my_queue(st.engine, actor_of(request), st.settings)


@router.get("/queue/state", responses=ERRORS)
def state(request: Request) -> dict[str, int]:
    """Counts of items: new, in_review, adjudication, decided, forwarded, dismissed, audit, total."""
    return q.queue_state(app_state(request).engine)


@router.post(
    "/queue/claim", response_model=ClaimOut, responses={204: {"description": "Nothing left"}, **ERRORS}
)
def claim(request: Request, response: Response):
    """Lease the next item (or get back the one I hold). 204 when the queue has nothing for me."""
    st = app_state(request)
    actor = actor_of(request)
    got = q.claim_next(st.engine, actor.id, actor.username, st.settings)
    if got is None:
        return Response(status_code=204)
    return ClaimOut(item_id=got.item_id, slot=got.slot, expires_at=got.expires_at, resumed=got.resumed)


@router.get("/items/{item_id}", responses=ERRORS)
def get_item(request: Request, item_id: int) -> dict[str, Any]:
    """An item as its page shows it to me: post evidence, ASN record, model output, visible decisions."""
    view = item_detail(app_state(request).engine, item_id, actor_of(request))
    view.pop("runs", None)
    return view


@router.post("/items/{item_id}/decision", response_model=DecisionOut, responses=ERRORS)
def decide(request: Request, item_id: int, body: DecisionIn) -> DecisionOut:
    """Store my decision on an item I hold, or revise mine (send the version you loaded)."""
    st = app_state(request)
    result = save_decision(st.engine, item_id, actor_of(request), labels_of(body), body.version)
    return DecisionOut(**result)


@router.post("/items/{item_id}/release", responses=ERRORS)
def release(request: Request, item_id: int) -> dict[str, bool]:
    """Give back (skip) an item I hold."""
    st = app_state(request)
    actor = actor_of(request)
    return {"released": q.release(st.engine, item_id, actor.id, actor.username)}


@router.post("/items/{item_id}/adjudication", response_model=AdjudicationOut, responses=ERRORS)
def adjudication(request: Request, item_id: int, body: AdjudicationIn) -> AdjudicationOut:
    """A lead's final labels for a disputed (or decided) item."""
    actor = require_lead(request)
    result = adjudicate(app_state(request).engine, item_id, actor, labels_of(body), body.item_version)
    return AdjudicationOut(**result)


@router.get("/adjudication", responses=ERRORS)
def disputed(request: Request) -> list[dict[str, Any]]:
    """Items whose two reviewers disagreed, with both decisions (leads)."""
    require_lead(request)
    return adjudication_list(app_state(request).engine)


@router.get("/agreement", responses=ERRORS)
def agreement(request: Request) -> dict[str, Any]:
    """Cohen's kappa and Krippendorff's alpha per label and per reviewer pair (leads)."""
    require_lead(request)
    return agreement_report(app_state(request).engine)


@router.get("/progress", responses=ERRORS)
def progress(request: Request) -> dict[str, Any]:
    """Queue counts, output per reviewer, open leases, the audit sample (leads)."""
    require_lead(request)
    return team_progress(app_state(request).engine)


@router.get("/openapi.json", include_in_schema=False)
def openapi_schema(request: Request) -> dict[str, Any]:
    return request.app.openapi()
