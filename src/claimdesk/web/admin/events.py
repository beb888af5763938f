"""Mass event pages (CLM-Z2): the events, creating one, an event with its claims (small
losses first), its special team and its public guide; and the guide itself at
/events/{id}/guide, public by design like the API's /public/events/{id}/guide: it shows
only what events.public_guide returns (no claim, person or staff data)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from claimdesk.auth import service as users
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims.special import events
from claimdesk.claims.special.schemas import CloseIn, EventIn, MemberIn
from claimdesk.deps import DB, require
from claimdesk.errors import NotFound, ValidationFailed
from claimdesk.paging import PageRequest, Paging
from claimdesk.products.coverage_types import MATERIALS
from claimdesk.web.kit import (
    FormPage,
    Refusal,
    checked,
    common,
    form_action,
    form_context,
    language_of,
    page,
    shown_pager,
)

router = APIRouter()

Reader = Annotated[Principal, Depends(require(Permission.CLAIMS_READ))]
Manager = Annotated[Principal, Depends(require(Permission.CLAIM_EVENTS_MANAGE))]
Short = Annotated[str, Form(max_length=200)]
Text = Annotated[str, Form(max_length=4000)]


class CloseNotConfirmed(ValidationFailed):
    code = "event_close_not_confirmed"
    message_zh = "请勾选确认后再关闭：关闭后不能再将案件归入此事件，已关闭的事件不能重新开启"
    message_en = (
        "Tick the confirmation to close the event: no claim can be grouped under it any "
        "more, and a closed event cannot be reopened"
    )


EVENT_TYPES = ("earthquake", "flood", "typhoon", "fire", "accident", "other")


def _list(
    request: Request,
    db: Session,
    actor: Principal,
    *,
    paging: PageRequest,
    refusal: Refusal | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    found = events.events_page(db, paging)
    zh = language_of(request) == "zh-CN"
    materials = [(code, names[0] if zh else names[1]) for code, names in MATERIALS.items()]
    return page(
        request,
        "admin/events.html",
        **form_context(refusal, values=values),
        events=found.rows,
        pager=shown_pager(request, found.page_of(found.rows)),
        types=EVENT_TYPES,
        materials=materials,
        may_manage=actor.has(Permission.CLAIM_EVENTS_MANAGE),
        **common(request),
    )


@router.get("/admin/events")
def event_list(request: Request, db: DB, actor: Reader, paging: Paging) -> Response:
    return _list(request, db, actor, paging=paging)


@router.post("/admin/events")
def create_event(
    request: Request,
    db: DB,
    actor: Manager,
    name: Short = "",
    event_type: Short = "",
    region: Short = "",
    starts_on: Short = "",
    ends_on: Short = "",
    small_loss_amount: Short = "10000.00",
    hotline: Short = "",
    guide_zh: Text = "",
    guide_en: Text = "",
    deferrable_materials: Annotated[list[str] | None, Form()] = None,
) -> Response:
    values = {
        "name": name,
        "event_type": event_type,
        "region": region,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "small_loss_amount": small_loss_amount,
        "hotline": hotline,
        "guide_zh": guide_zh,
        "guide_en": guide_en,
        "deferrable_materials": deferrable_materials or [],
    }

    def call() -> Any:
        body = EventIn.model_validate(
            {**values, "ends_on": ends_on.strip() or None, "hotline": hotline.strip() or None}
        )
        return events.create_event(db, actor=actor, **body.model_dump())

    return form_action(
        request,
        db,
        call,
        refused=lambda refusal: _list(
            request, db, actor, paging=PageRequest(), refusal=refusal, values=values
        ),
        redirect=lambda event: f"/admin/events/{event.id}",
    )


def _detail(
    request: Request,
    db: Session,
    actor: Principal,
    event_id: int,
    *,
    refusal: Refusal | None = None,
    action: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    event = events.get_event(db, event_id)
    members = events.members_of(db, event_id)
    names = users.display_names(db, user_ids=[m.user_id for m in members])
    return page(
        request,
        "admin/event.html",
        **form_context(refusal, action=action, values=values),
        event=event,
        members=members,
        names=names,
        # Row-filtered (CLM-F2: a surveyor sees only their own claims of the event).
        claims=events.event_claims(db, event_id, actor=actor),
        guide=events.public_guide(db, event_id),
        may_manage=actor.has(Permission.CLAIM_EVENTS_MANAGE),
        **common(request),
    )


@router.get("/admin/events/{event_id}")
def event_page(event_id: int, request: Request, db: DB, actor: Reader) -> Response:
    return _detail(request, db, actor, event_id)


def _event(request: Request, db: Session, actor: Principal, event_id: int) -> FormPage:
    """The event's page, which its team and close forms post back to."""
    return FormPage(
        request, db, partial(_detail, request, db, actor, event_id), f"/admin/events/{event_id}"
    )


@router.post("/admin/events/{event_id}/team")
def add_member(
    event_id: int, request: Request, db: DB, actor: Manager, username: Short = "", duty: Short = ""
) -> Response:
    def call() -> Any:
        user_id = users.user_id_by_username(db, username=username.strip())
        if user_id is None:
            raise NotFound(what="user", field="username")
        body = MemberIn.model_validate({"user_id": user_id, "duty": duty.strip() or None})
        event = events.get_event(db, event_id, for_update=True)
        return events.add_member(db, actor=actor, event=event, user_id=body.user_id, duty=body.duty)

    return _event(request, db, actor, event_id).act(
        "team", {"username": username, "duty": duty}, call
    )


@router.post("/admin/events/{event_id}/close")
def close_event(
    event_id: int,
    request: Request,
    db: DB,
    actor: Manager,
    reason: Text = "",
    confirm: Short = "",
) -> Response:
    def call() -> Any:
        body = checked(CloseIn, {"reason": reason})
        # Closing is for good (a closed event stays closed, CLM-Z2) and one click did it:
        # the manager ticks the confirmation first (the reason is checked before).
        if confirm != "yes":
            raise CloseNotConfirmed(field="confirm")
        event = events.get_event(db, event_id, for_update=True)
        return events.close_event(db, actor=actor, event=event, reason=body.reason)

    return _event(request, db, actor, event_id).act("close", {"reason": reason}, call)


@router.get("/events/{event_id}/guide")
def public_guide(event_id: int, request: Request, db: DB) -> Response:
    """PUBLIC by design (CLM-Z2): no login; the same data as the public API route."""
    return page(
        request,
        "admin/event_guide.html",
        guide=events.public_guide(db, event_id),
        **common(request),
    )
