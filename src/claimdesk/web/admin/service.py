"""Service desk pages (SVC-1..SVC-5, CLM-Z3): complaints with their clocks and actions,
consultations and satisfaction surveys. Thin: every action calls service.service, the
same functions as the API; a refused action re-renders the page with the message in
place and changes nothing (GEN-6)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.clocks.schemas import ClockOut
from claimdesk.clocks.service import clocks_for, clocks_of_subjects
from claimdesk.deps import DB, require
from claimdesk.models.base import utcnow
from claimdesk.paging import fetch
from claimdesk.service import repository, service
from claimdesk.service.schemas import (
    AcknowledgeIn,
    ComplaintIn,
    DecideIn,
    ExtendIn,
    NoteIn,
    OutcomeIn,
    RespondIn,
)
from claimdesk.web.kit import (
    FormPage,
    Refusal,
    checked,
    form_action,
    form_context,
    language_of,
    list_filter,
    page,
    page_request_of,
    pager,
    parse_id,
    translator,
    urgency,
)
from claimdesk.web.labels import labeller

router = APIRouter(prefix="/desk")

Desk = Annotated[Principal, Depends(require(Permission.SERVICE_DESK))]
# The longest text a desk form takes; each route then builds the API's own in-schema
# (kit.checked), whose limits refuse a longer text with the API's words (GEN-6), and each
# textarea stops the typing at that limit (kit.max_length).
TEXT_LIMIT = 8000
Text = Annotated[str, Form(max_length=TEXT_LIMIT)]
Short = Annotated[str, Form(max_length=200)]

STATUSES = ("received", "acknowledged", "decided", "accepted", "escalated", "archived")


def _common(request: Request) -> dict[str, Any]:
    return {
        "label": labeller(translator(request)),
        "now": utcnow(),
        "urgency": urgency,
    }


@router.get("/complaints")
def complaints(request: Request, db: DB, actor: Desk, status: str | None = None) -> Response:
    chosen = list_filter(status, STATUSES)
    # Paged (issue 12): the list stopped silently at 200 complaints.
    found = fetch(db, repository.complaints_query(actor, status=chosen), page_request_of(request))
    listed = found.page_of(found.rows)
    return page(
        request,
        "admin/complaints.html",
        complaints=listed.items,
        pager=pager(request, listed),
        statuses=STATUSES,
        status=chosen,
        **_common(request),
    )


def _new_form(
    request: Request, *, refusal: Refusal | None = None, values: dict[str, Any] | None = None
) -> Response:
    return page(
        request,
        "admin/complaint_new.html",
        **form_context(refusal, values=values),
        channels=service.CHANNELS,
        types=service.COMPLAINT_TYPES,
        causes=service.COMPLAINT_CAUSES,
        **_common(request),
    )


@router.get("/complaints/new")
def new_complaint(request: Request, actor: Desk) -> Response:
    return _new_form(request)


@router.post("/complaints")
def file_complaint(
    request: Request,
    db: DB,
    actor: Desk,
    person_id: Short = "",
    contact: Short = "",
    channel: Short = "",
    complaint_type: Short = "",
    cause: Short = "",
    description: Text = "",
    policy_id: Short = "",
    claim_id: Short = "",
) -> Response:
    values = {
        "person_id": person_id,
        "contact": contact,
        "channel": channel,
        "complaint_type": complaint_type,
        "cause": cause,
        "description": description,
        "policy_id": policy_id,
        "claim_id": claim_id,
    }
    return form_action(
        request,
        db,
        lambda: service.file_complaint(
            db,
            actor=actor,
            **checked(
                ComplaintIn,
                {
                    **values,
                    "person_id": parse_id(person_id, "person_id"),
                    "policy_id": parse_id(policy_id, "policy_id"),
                    "claim_id": parse_id(claim_id, "claim_id"),
                },
            ).model_dump(),
        ),
        refused=lambda refusal: _new_form(request, refusal=refusal, values=values),
        redirect=lambda complaint: f"/desk/complaints/{complaint.id}",
    )


def _detail(
    request: Request,
    db: Session,
    actor: Principal,
    complaint_id: int,
    *,
    refusal: Refusal | None = None,
    action: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    complaint = service.get_complaint(db, actor=actor, complaint_id=complaint_id)
    language = language_of(request)
    clocks = [ClockOut.of(c, language) for c in clocks_for(db, "complaint", complaint.id)]
    return page(
        request,
        "admin/complaint.html",
        complaint=complaint,
        clocks=clocks,
        notes=repository.notes_of(db, complaint.id),
        **form_context(refusal, action=action, values=values),
        outcomes=service.DECISION_OUTCOMES,
        responses=service.CUSTOMER_RESPONSES,
        routes=service.ESCALATION_ROUTES,
        **_common(request),
    )


@router.get("/complaints/{complaint_id}")
def complaint_page(complaint_id: int, request: Request, db: DB, actor: Desk) -> Response:
    return _detail(request, db, actor, complaint_id)


def _complaint(request: Request, db: Session, actor: Principal, complaint_id: int) -> FormPage:
    """The complaint's page, which every action's form posts back to."""
    show = partial(_detail, request, db, actor, complaint_id)
    return FormPage(request, db, show, f"/desk/complaints/{complaint_id}")


@router.post("/complaints/{complaint_id}/acknowledge")
def acknowledge(
    complaint_id: int, request: Request, db: DB, actor: Desk, progress_note: Text = ""
) -> Response:
    return _complaint(request, db, actor, complaint_id).act(
        "acknowledge",
        {"progress_note": progress_note},
        lambda: service.acknowledge_complaint(
            db,
            actor=actor,
            complaint_id=complaint_id,
            **checked(AcknowledgeIn, {"progress_note": progress_note}).model_dump(),
        ),
    )


@router.post("/complaints/{complaint_id}/notes")
def add_note(complaint_id: int, request: Request, db: DB, actor: Desk, note: Text = "") -> Response:
    return _complaint(request, db, actor, complaint_id).act(
        "note",
        {"note": note},
        lambda: service.add_note(
            db, actor=actor, complaint_id=complaint_id, note=checked(NoteIn, {"note": note}).note
        ),
    )


@router.post("/complaints/{complaint_id}/extend")
def extend(
    complaint_id: int, request: Request, db: DB, actor: Desk, extension_reason: Text = ""
) -> Response:
    return _complaint(request, db, actor, complaint_id).act(
        "extend",
        {"extension_reason": extension_reason},
        lambda: service.extend_complaint(
            db,
            actor=actor,
            complaint_id=complaint_id,
            reason=checked(
                ExtendIn, {"reason": extension_reason}, named={"reason": "extension_reason"}
            ).reason,
            reason_field="extension_reason",
        ),
    )


@router.post("/complaints/{complaint_id}/decide")
def decide(
    complaint_id: int,
    request: Request,
    db: DB,
    actor: Desk,
    outcome: Short = "",
    decision: Text = "",
    extension_reason: Text = "",
) -> Response:
    values = {"outcome": outcome, "decision": decision, "extension_reason": extension_reason}
    return _complaint(request, db, actor, complaint_id).act(
        "decide",
        values,
        lambda: service.decide_complaint(
            db,
            actor=actor,
            complaint_id=complaint_id,
            **checked(
                DecideIn, {**values, "extension_reason": extension_reason or None}
            ).model_dump(),
        ),
    )


def _consultations(
    request: Request,
    db: Session,
    actor: Principal,
    *,
    status: str | None = None,
    refusal: Refusal | None = None,
    action: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    chosen = list_filter(status, RECORD_STATUSES)
    records = repository.list_service_records(db, actor, status=chosen)
    # SVC-4 / GEN-4: each consultation's 2-hour answer clock, with its rule and basis.
    language = language_of(request)
    by_record = clocks_of_subjects(db, "service_record", [r.id for r in records])
    answer_clocks = {
        int(record_id): ClockOut.of(found[-1], language)
        for record_id, found in by_record.items()
        if found
    }
    return page(
        request,
        "admin/consultations.html",
        **form_context(refusal, action=action, values=values),
        records=records,
        status=chosen,
        answer_clocks=answer_clocks,
        **_common(request),
    )


RECORD_STATUSES = ("open", "answered", "closed")


@router.post("/complaints/{complaint_id}/response")
def record_response(
    complaint_id: int,
    request: Request,
    db: DB,
    actor: Desk,
    response: Short = "",
    route: Short = "",
) -> Response:
    """The complainant's answer to the decision, taken by phone or at the counter (SVC-3)."""
    return _complaint(request, db, actor, complaint_id).act(
        "response",
        {"response": response, "route": route},
        lambda: service.respond_to_decision(
            db,
            actor=actor,
            complaint_id=complaint_id,
            **checked(RespondIn, {"response": response, "route": route or None}).model_dump(),
        ),
    )


@router.post("/complaints/{complaint_id}/archive")
def archive(complaint_id: int, request: Request, db: DB, actor: Desk) -> Response:
    """Recorded and archived (SVC-3): a decided complaint left the desk's open list never."""
    return _complaint(request, db, actor, complaint_id).act(
        "archive", {}, lambda: service.archive_complaint(db, actor=actor, complaint_id=complaint_id)
    )


@router.get("/consultations")
def consultations(request: Request, db: DB, actor: Desk, status: str | None = None) -> Response:
    return _consultations(request, db, actor, status=status)


def _record_action(
    request: Request, db: Session, actor: Principal, record_id: int, outcome: str, step: str
) -> Response:
    """Answer (SVC-4: the 2-hour clock stops) or close a contact from its row; refused, the
    list again with the message and what was typed beside that row's form."""

    def call() -> object:
        if step == "answer":
            body = checked(OutcomeIn, {"outcome": outcome})
            return service.answer_service_record(
                db, actor=actor, record_id=record_id, outcome=body.outcome
            )
        # Closing an answered contact keeps its answer unless another is written.
        written = checked(OutcomeIn, {"outcome": outcome}).outcome if outcome.strip() else None
        return service.close_service_record(db, actor=actor, record_id=record_id, outcome=written)

    return form_action(
        request,
        db,
        call,
        refused=lambda refusal: _consultations(
            request,
            db,
            actor,
            refusal=refusal,
            action=f"{step}-{record_id}",
            values={"outcome": outcome},
        ),
        redirect=f"/desk/consultations#record-{record_id}",
    )


@router.post("/consultations/{record_id}/answer")
def answer_record(
    record_id: int, request: Request, db: DB, actor: Desk, outcome: Text = ""
) -> Response:
    return _record_action(request, db, actor, record_id, outcome, "answer")


@router.post("/consultations/{record_id}/close")
def close_record(
    record_id: int, request: Request, db: DB, actor: Desk, outcome: Text = ""
) -> Response:
    return _record_action(request, db, actor, record_id, outcome, "close")


@router.get("/surveys")
def surveys(request: Request, db: DB, actor: Desk) -> Response:
    return page(
        request,
        "admin/surveys.html",
        surveys=repository.list_surveys(db, actor),
        **_common(request),
    )
