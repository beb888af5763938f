"""Service desk API (thin): /service, /complaints, /satisfaction, /reports/service.

Desk work needs SERVICE_DESK; customers (SERVICE_OWN) open contacts, file complaints,
answer decisions and rate their own records — the repository's row filter and the
service's ownership checks keep them to their own person.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.clocks.schemas import ClockOut
from claimdesk.clocks.service import clocks_for
from claimdesk.deps import DB, get_principal, require
from claimdesk.errors import PermissionDenied
from claimdesk.models.base import utcnow
from claimdesk.models.clock import Clock
from claimdesk.models.service import Complaint, ServiceRecord
from claimdesk.paging import Page, Paging
from claimdesk.service import reports, service
from claimdesk.service.schemas import (
    AcknowledgeIn,
    ComplaintIn,
    ComplaintOut,
    ComplaintsReportOut,
    DeadlineRowOut,
    DecideIn,
    ExtendIn,
    NoteIn,
    OutcomeIn,
    PolicyServiceRequestIn,
    RespondIn,
    SatisfactionRowOut,
    ServiceRecordIn,
    ServiceRecordOut,
    SurveyIn,
    SurveyOut,
)

router = APIRouter(tags=["service"])

NeedsDesk = Annotated[Principal, Depends(require(Permission.SERVICE_DESK))]
NeedsReports = Annotated[Principal, Depends(require(Permission.SERVICE_REPORTS))]


async def _desk_or_own(request: Request) -> Principal:
    """Desk staff, or a customer acting on their own records (row filter downstream).
    async and on the request (as deps.require): a plain def costs a trip through the
    thread pool of its own on every request (issue 14)."""
    principal = await get_principal(request)
    if not (principal.has(Permission.SERVICE_DESK) or principal.has(Permission.SERVICE_OWN)):
        raise PermissionDenied()
    return principal


# Read by the role × endpoint check: either permission opens these routes.
_desk_or_own.required_permission = Permission.SERVICE_DESK  # type: ignore[attr-defined]
_desk_or_own.alternative_permissions = (Permission.SERVICE_OWN,)  # type: ignore[attr-defined]
DeskOrOwn = Annotated[Principal, Depends(_desk_or_own)]


def _clocks_out(clocks: Sequence[Clock], language: str) -> list[ClockOut]:
    return [ClockOut.of(c, language) for c in clocks]


def _due_of(clocks: Sequence[Clock], name: str) -> dt.datetime | None:
    found = [c.due_at for c in clocks if c.name == name]
    return found[-1] if found else None


def record_out(db: Session, found: ServiceRecord, language: str = "zh-CN") -> ServiceRecordOut:
    """A contact with its clocks (SVC-4: the consultation's 2-hour answer)."""
    out = ServiceRecordOut.model_validate(found)
    clocks = clocks_for(db, subject_type="service_record", subject_id=found.id)
    out.clocks = _clocks_out(clocks, language)
    out.answer_due_at = _due_of(clocks, service.CONSULTATION_CLOCK)
    return out


def complaint_out(
    complaint: Complaint, db: Session | None = None, language: str = "zh-CN"
) -> ComplaintOut:
    """The complaint; with a session, its clocks too (SVC-3: acknowledgement, decision,
    claim answer), each naming its rule and basis (GEN-4)."""
    out = _complaint_fields(complaint)
    if db is not None:
        clocks = clocks_for(db, subject_type="complaint", subject_id=complaint.id)
        out.clocks = _clocks_out(clocks, language)
        out.acknowledgement_due_at = _due_of(clocks, service.ACK_CLOCK)
    return out


def _complaint_fields(complaint: Complaint) -> ComplaintOut:
    return ComplaintOut(
        id=complaint.id,
        number=complaint.number,
        person_id=complaint.person_id,
        channel=complaint.channel,
        complaint_type=complaint.complaint_type,
        cause=complaint.cause,
        status=complaint.status,
        claim_id=complaint.claim_id,
        policy_id=complaint.policy_id,
        handler_user_id=complaint.handler_user_id,
        received_at=complaint.received_at,
        acknowledged_at=complaint.acknowledged_at,
        working_days_due_at=complaint.working_days_due_at,
        days_due_at=complaint.days_due_at,
        decision_rule=f"{complaint.decision_rule_type}:{complaint.decision_rule_n}",
        decision_due_at=complaint.decision_due_at,
        extended_at=complaint.extended_at,
        extension_reason=complaint.extension_reason,
        decision_outcome=complaint.decision_outcome,
        decision=complaint.decision,
        decided_at=complaint.decided_at,
        customer_response=complaint.customer_response,
        escalation_route=complaint.escalation_route,
        archived_at=complaint.archived_at,
    )


# --- service records --------------------------------------------------------------------


@router.post("/service/records", status_code=201, response_model=ServiceRecordOut)
def open_record(body: ServiceRecordIn, db: DB, principal: DeskOrOwn) -> ServiceRecordOut:
    found = service.open_service_record(db, actor=principal, **body.model_dump())
    return record_out(db, found, principal.language)


@router.post("/service/policy-requests", status_code=201, response_model=ServiceRecordOut)
def open_policy_request(
    body: PolicyServiceRequestIn, db: DB, principal: DeskOrOwn
) -> ServiceRecordOut:
    found = service.open_policy_service_request(
        db, actor=principal, **body.model_dump(exclude={"change"}), change=body.change
    )
    return record_out(db, found, principal.language)


@router.get("/service/records", response_model=Page[ServiceRecordOut])
def list_records(
    db: DB,
    principal: DeskOrOwn,
    paging: Paging,
    status: Annotated[str | None, Query(max_length=12)] = None,
) -> Page[ServiceRecordOut]:
    found = service.service_records_page(db, actor=principal, request=paging, status=status)
    return found.page(lambda r: record_out(db, r, principal.language))


@router.get("/service/records/{record_id}", response_model=ServiceRecordOut)
def get_record(record_id: int, db: DB, principal: DeskOrOwn) -> ServiceRecordOut:
    found = service.get_service_record(db, actor=principal, record_id=record_id)
    return record_out(db, found, principal.language)


@router.post("/service/records/{record_id}/answer", response_model=ServiceRecordOut)
def answer_record(
    record_id: int, body: OutcomeIn, db: DB, principal: NeedsDesk
) -> ServiceRecordOut:
    found = service.answer_service_record(
        db, actor=principal, record_id=record_id, outcome=body.outcome, at=body.at
    )
    return record_out(db, found, principal.language)


@router.post("/service/records/{record_id}/close", response_model=ServiceRecordOut)
def close_record(record_id: int, body: OutcomeIn, db: DB, principal: NeedsDesk) -> ServiceRecordOut:
    found = service.close_service_record(
        db, actor=principal, record_id=record_id, outcome=body.outcome, at=body.at
    )
    return record_out(db, found, principal.language)


# --- complaints -------------------------------------------------------------------------


@router.post("/complaints", status_code=201, response_model=ComplaintOut)
def file_complaint(body: ComplaintIn, db: DB, principal: DeskOrOwn) -> ComplaintOut:
    complaint = service.file_complaint(db, actor=principal, **body.model_dump())
    return complaint_out(complaint, db, principal.language)


@router.get("/complaints", response_model=Page[ComplaintOut])
def list_complaints(
    db: DB,
    principal: DeskOrOwn,
    paging: Paging,
    status: Annotated[str | None, Query(max_length=12)] = None,
) -> Page[ComplaintOut]:
    found = service.complaints_page(db, actor=principal, request=paging, status=status)
    return found.page(lambda c: complaint_out(c, db, principal.language))


@router.get("/complaints/{complaint_id}", response_model=ComplaintOut)
def get_complaint(complaint_id: int, db: DB, principal: DeskOrOwn) -> ComplaintOut:
    found = service.get_complaint(db, actor=principal, complaint_id=complaint_id)
    return complaint_out(found, db, principal.language)


@router.post("/complaints/{complaint_id}/acknowledge", response_model=ComplaintOut)
def acknowledge(
    complaint_id: int, body: AcknowledgeIn, db: DB, principal: NeedsDesk
) -> ComplaintOut:
    return complaint_out(
        service.acknowledge_complaint(
            db,
            actor=principal,
            complaint_id=complaint_id,
            progress_note=body.progress_note,
            at=body.at,
        ),
        db,
        principal.language,
    )


@router.post("/complaints/{complaint_id}/notes", status_code=201)
def add_note(complaint_id: int, body: NoteIn, db: DB, principal: NeedsDesk) -> dict[str, int]:
    note = service.add_note(db, actor=principal, complaint_id=complaint_id, note=body.note)
    return {"id": note.id}


@router.post("/complaints/{complaint_id}/extend", response_model=ComplaintOut)
def extend(complaint_id: int, body: ExtendIn, db: DB, principal: NeedsDesk) -> ComplaintOut:
    return complaint_out(
        service.extend_complaint(
            db, actor=principal, complaint_id=complaint_id, reason=body.reason, at=body.at
        ),
        db,
        principal.language,
    )


@router.post("/complaints/{complaint_id}/decide", response_model=ComplaintOut)
def decide(complaint_id: int, body: DecideIn, db: DB, principal: NeedsDesk) -> ComplaintOut:
    return complaint_out(
        service.decide_complaint(
            db, actor=principal, complaint_id=complaint_id, **body.model_dump()
        ),
        db,
        principal.language,
    )


@router.post("/complaints/{complaint_id}/response", response_model=ComplaintOut)
def respond(complaint_id: int, body: RespondIn, db: DB, principal: DeskOrOwn) -> ComplaintOut:
    return complaint_out(
        service.respond_to_decision(
            db, actor=principal, complaint_id=complaint_id, response=body.response, route=body.route
        ),
        db,
        principal.language,
    )


@router.post("/complaints/{complaint_id}/archive", response_model=ComplaintOut)
def archive(complaint_id: int, db: DB, principal: NeedsDesk) -> ComplaintOut:
    found = service.archive_complaint(db, actor=principal, complaint_id=complaint_id)
    return complaint_out(found, db, principal.language)


# --- satisfaction -------------------------------------------------------------------------


@router.post("/satisfaction/surveys", status_code=201, response_model=SurveyOut)
def record_survey(body: SurveyIn, db: DB, principal: DeskOrOwn) -> SurveyOut:
    data = body.model_dump()
    scores = {name: data.pop(name) for name in service.SCORE_FIELDS}
    return SurveyOut.model_validate(
        service.record_survey(db, actor=principal, scores=scores, **data)
    )


# --- reports (GEN-7) ------------------------------------------------------------------------

DateFrom = Annotated[dt.date, Query()]
DateTo = Annotated[dt.date, Query()]


@router.get("/reports/service/complaints", response_model=ComplaintsReportOut)
def complaints_report(
    db: DB,
    principal: NeedsReports,
    date_from: DateFrom,
    date_to: DateTo,
    org_unit_id: int | None = None,
) -> ComplaintsReportOut:
    report = reports.complaints_report(
        db, date_from=date_from, date_to=date_to, org_unit_id=org_unit_id
    )
    return ComplaintsReportOut.model_validate(dataclasses.asdict(report))


@router.get("/reports/service/satisfaction", response_model=list[SatisfactionRowOut])
def satisfaction_report(
    db: DB,
    principal: NeedsReports,
    date_from: DateFrom,
    date_to: DateTo,
    org_unit_id: int | None = None,
) -> list[SatisfactionRowOut]:
    rows = reports.satisfaction_report(
        db, date_from=date_from, date_to=date_to, org_unit_id=org_unit_id
    )
    return [SatisfactionRowOut.model_validate(dataclasses.asdict(r)) for r in rows]


@router.get("/reports/service/deadlines", response_model=list[DeadlineRowOut])
def deadlines_report(
    db: DB, principal: NeedsReports, date_from: DateFrom, date_to: DateTo
) -> list[DeadlineRowOut]:
    rows = reports.deadlines_report(db, date_from=date_from, date_to=date_to, now=utcnow())
    return [DeadlineRowOut.model_validate(dataclasses.asdict(r)) for r in rows]
