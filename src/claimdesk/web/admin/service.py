"""Service desk pages (SVC-1..SVC-5, CLM-Z3): complaints with their clocks and actions,
consultations (recorded at the desk as they come in by phone, at the branch or by
e-mail, then answered and closed) and satisfaction surveys. Thin: every action calls service.service, the
same functions as the API; a refused action re-renders the page with the message in
place and changes nothing (GEN-6)."""

from __future__ import annotations

import datetime as dt
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
from claimdesk.errors import ValidationFailed
from claimdesk.models.base import utcnow
from claimdesk.policies import service as policies_service
from claimdesk.service import service
from claimdesk.service.errors import choose
from claimdesk.service.schemas import (
    AcknowledgeIn,
    ComplaintIn,
    DecideIn,
    ExtendIn,
    NoteIn,
    OutcomeIn,
    RespondIn,
    ServiceRecordIn,
)
from claimdesk.timeutil import local_zone
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
# A contact's question: the API's limit (ServiceRecordIn.request).
Question = Annotated[str, Form(max_length=4000)]

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
    found = service.complaints_page(
        db, actor=actor, request=page_request_of(request), status=chosen
    )
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
    clocks = [
        ClockOut.of(c, language)
        for c in clocks_for(db, subject_type="complaint", subject_id=complaint.id)
    ]
    return page(
        request,
        "admin/complaint.html",
        complaint=complaint,
        clocks=clocks,
        notes=service.complaint_notes(db, complaint_id=complaint.id),
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
    records = service.service_records(db, actor=actor, status=chosen)
    # SVC-4 / GEN-4: each consultation's 2-hour answer clock, with its rule and basis.
    language = language_of(request)
    by_record = clocks_of_subjects(
        db, subject_type="service_record", subject_ids=[r.id for r in records]
    )
    answer_clocks = {
        int(record_id): ClockOut.of(found[-1], language)
        for record_id, found in by_record.items()
        if found
    }
    # A policy service request (POL-2/3) shows the change it started, where it stands
    # and its own 2-working-day clock: the request is worked on the policy's page.
    changes = policies_service.changes_by_id(
        db, change_ids={r.policy_change_id for r in records if r.policy_change_id is not None}
    )
    by_change = clocks_of_subjects(db, subject_type="policy_change", subject_ids=list(changes))
    for record in records:
        found = by_change.get(str(record.policy_change_id), [])
        if found:
            answer_clocks[record.id] = ClockOut.of(found[-1], language)
    return page(
        request,
        "admin/consultations.html",
        **form_context(refusal, action=action, values=values),
        records=records,
        changes=changes,
        status=chosen,
        statuses=RECORD_STATUSES,
        answer_clocks=answer_clocks,
        opened=request.query_params.get("opened"),
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


# --- a new contact (SVC-1, SVC-2, SVC-4) -------------------------------------------


def _new_record_form(
    request: Request, *, refusal: Refusal | None = None, values: dict[str, Any] | None = None
) -> Response:
    fresh = {"channel": "phone", "service_type": "consultation"}
    return page(
        request,
        "admin/consultation_new.html",
        **form_context(refusal, values=values or fresh),
        channels=service.DESK_CHANNELS,
        types=service.SERVICE_TYPES,
        **_common(request),
    )


@router.get("/consultations/new")
def new_record(request: Request, actor: Desk) -> Response:
    return _new_record_form(request)


def received_at_of(text: str, field: str = "received_at") -> dt.datetime | None:
    """The form's "came in at" (a datetime-local in the deployment's zone, GEN-2): None
    for now; refused when unreadable or later than now — the service's own rule
    (``service.received_instant``: the API's, with its clock-skew tolerance)."""
    if not text.strip():
        return None
    try:
        local = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed(field=field) from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=local_zone())
    return service.received_instant(value=local, field=field)


@router.post("/consultations")
def open_record(
    request: Request,
    db: DB,
    actor: Desk,
    channel: Short = "",
    service_type: Short = "",
    customer: Short = "",
    subject: Short = "",
    question: Question = "",
    policy_id: Short = "",
    received_at: Short = "",
) -> Response:
    """A contact taken by phone, at the branch or by e-mail, recorded through the
    service the API uses (POST /api/v1/service/records): a consultation starts its
    2-hour answer clock from when it came in (SVC-4) and the contact is in the desk's
    list of open contacts at once, marked as its agent's."""
    values = {
        "channel": channel,
        "service_type": service_type,
        "customer": customer,
        "subject": subject,
        "question": question,
        "policy_id": policy_id,
        "received_at": received_at,
    }

    def call() -> Any:
        choose(channel, service.DESK_CHANNELS, "channel")
        # The API's own schema, as the desk's other forms (kit.checked, GEN-6).
        data = checked(
            ServiceRecordIn,
            {
                "service_type": service_type,
                "channel": channel,
                "subject": subject,
                "request": question.strip() or None,
                "policy_id": parse_id(policy_id, "policy_id"),
            },
            named={"request": "question"},
        )
        return service.open_service_record(
            db,
            actor=actor,
            service_type=data.service_type,
            channel=data.channel,
            person_id=service.customer_of(db, actor=actor, given=customer, field="customer"),
            subject=data.subject,
            request=data.request,
            policy_id=data.policy_id,
            received_at=received_at_of(received_at),
        )

    return form_action(
        request,
        db,
        call,
        refused=lambda refusal: _new_record_form(request, refusal=refusal, values=values),
        redirect=lambda record: f"/desk/consultations?opened={record.id}#record-{record.id}",
    )


@router.get("/surveys")
def surveys(request: Request, db: DB, actor: Desk) -> Response:
    return page(
        request,
        "admin/surveys.html",
        surveys=service.surveys(db, actor=actor),
        **_common(request),
    )
