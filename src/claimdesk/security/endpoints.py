"""Security incident API (thin): /security-incidents (SEC-7).

Every member of staff reports (SECURITY_INCIDENT_REPORT) and reads the incidents they
reported; compliance auditors and administrators read all (SECURITY_INCIDENT_READ, row
filter in security.repository); administrators work the stages and set the time limits
(SECURITY_INCIDENT_MANAGE).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.clocks.schemas import ClockOut
from claimdesk.clocks.service import clocks_for
from claimdesk.deps import DB, require
from claimdesk.models.security_incident import SecurityIncident
from claimdesk.paging import Page, Paging
from claimdesk.rules.deadlines import describe
from claimdesk.security import limits, service, workflow
from claimdesk.security.schemas import (
    ContainmentIn,
    ContainmentOut,
    CorrectiveIn,
    CorrectiveOut,
    IncidentIn,
    IncidentOut,
    IncidentSummaryOut,
    NoteIn,
    ReviewIn,
    RootCauseIn,
    TimeLimitIn,
    TimeLimitOut,
    TransitionOut,
)

router = APIRouter(prefix="/security-incidents", tags=["security incidents"])

Reporter = Annotated[Principal, Depends(require(Permission.SECURITY_INCIDENT_REPORT))]
Reader = Annotated[Principal, Depends(require(Permission.SECURITY_INCIDENT_READ))]
Manager = Annotated[Principal, Depends(require(Permission.SECURITY_INCIDENT_MANAGE))]


def _language(request: Request) -> str:
    return getattr(request.state, "language", None) or "zh-CN"


def summary_out(incident: SecurityIncident, clock: ClockOut | None = None) -> IncidentSummaryOut:
    return IncidentSummaryOut(
        id=incident.id,
        number=incident.number,
        title=incident.title,
        severity=incident.severity,
        state=incident.state,
        personal_data_involved=incident.personal_data_involved,
        reporter_name=incident.reporter_name,
        detected_at=incident.detected_at,
        reported_at=incident.reported_at,
        current_clock=clock,
    )


def incident_out(
    db: Session, incident: SecurityIncident, actor: Principal, language: str
) -> IncidentOut:
    clocks = [
        ClockOut.of(c, language)
        for c in clocks_for(db, subject_type=workflow.SUBJECT, subject_id=incident.id)
    ]
    running = [c for c in clocks if not c.stopped]
    return IncidentOut(
        **summary_out(incident, running[0] if running else None).model_dump(),
        reporter_id=incident.reporter_id,
        description=incident.description,
        affected_systems=incident.affected_systems,
        affected_data=incident.affected_data,
        contained_at=incident.contained_at,
        root_caused_at=incident.root_caused_at,
        root_cause=incident.root_cause,
        root_cause_category=incident.root_cause_category,
        corrected_at=incident.corrected_at,
        reviewed_at=incident.reviewed_at,
        reviewer_id=incident.reviewer_id,
        review_outcome=incident.review_outcome,
        review_notes=incident.review_notes,
        allowed_actions=workflow.allowed_actions(incident, actor),
        containment_actions=[
            ContainmentOut.model_validate(a)
            for a in service.containment_actions(db, incident_id=incident.id)
        ],
        corrective_actions=[
            CorrectiveOut.model_validate(a)
            for a in service.corrective_actions(db, incident_id=incident.id)
        ],
        transitions=[
            TransitionOut.model_validate(t)
            for t in service.transitions(db, incident_id=incident.id)
        ],
        clocks=clocks,
    )


def limit_out(limit: limits.Limit, language: str) -> TimeLimitOut:
    return TimeLimitOut(
        severity=limit.severity,
        stage=limit.stage,
        rule_type=limit.rule.type,
        n=limit.rule.n,
        rule_label=describe(limit.rule, language),
        is_default=limit.is_default,
        default_rule_type=limit.default.type,
        default_n=limit.default.n,
        updated_at=limit.row.updated_at if limit.row else None,
        updated_by_id=limit.row.updated_by_id if limit.row else None,
    )


# --- time limits (declared before /{incident_id} so the path is not taken for an id) ---


@router.get("/time-limits", response_model=list[TimeLimitOut])
def time_limits(request: Request, db: DB, principal: Reader) -> list[TimeLimitOut]:
    language = _language(request)
    return [limit_out(limit, language) for limit in limits.limits_table(db)]


@router.put("/time-limits/{severity}/{stage}", response_model=TimeLimitOut)
def set_time_limit(
    severity: str, stage: str, body: TimeLimitIn, request: Request, db: DB, principal: Manager
) -> TimeLimitOut:
    limit = limits.set_limit(
        db, actor=principal, severity=severity, stage=stage, rule_type=body.rule_type, n=body.n
    )
    return limit_out(limit, _language(request))


# --- incidents ------------------------------------------------------------------------


@router.post("", status_code=201, response_model=IncidentOut)
def report(body: IncidentIn, request: Request, db: DB, principal: Reporter) -> IncidentOut:
    incident = service.report_incident(db, actor=principal, **body.model_dump())
    return incident_out(db, incident, principal, _language(request))


@router.get("", response_model=Page[IncidentSummaryOut])
def list_incidents(
    request: Request,
    db: DB,
    principal: Reporter,
    paging: Paging,
    state: Annotated[str | None, Query(max_length=16)] = None,
    severity: Annotated[str | None, Query(max_length=12)] = None,
) -> Page[IncidentSummaryOut]:
    found = service.incidents_page(
        db, actor=principal, paging=paging, state=state, severity=severity
    )
    running = service.running_clocks(db, incident_ids=[i.id for i in found.rows])
    language = _language(request)
    return found.page(
        lambda i: summary_out(i, ClockOut.of(running[i.id], language) if i.id in running else None)
    )


@router.get("/{incident_id}", response_model=IncidentOut)
def get_incident(incident_id: int, request: Request, db: DB, principal: Reporter) -> IncidentOut:
    incident = service.get_incident(db, actor=principal, incident_id=incident_id)
    return incident_out(db, incident, principal, _language(request))


@router.post("/{incident_id}/containment-actions", status_code=201, response_model=ContainmentOut)
def add_containment(
    incident_id: int, body: ContainmentIn, db: DB, principal: Manager
) -> ContainmentOut:
    action = service.add_containment_action(
        db, actor=principal, incident_id=incident_id, **body.model_dump()
    )
    return ContainmentOut.model_validate(action)


@router.post("/{incident_id}/contain", response_model=IncidentOut)
def contain(
    incident_id: int, body: NoteIn, request: Request, db: DB, principal: Manager
) -> IncidentOut:
    incident = service.confirm_containment(
        db, actor=principal, incident_id=incident_id, note=body.note
    )
    return incident_out(db, incident, principal, _language(request))


@router.post("/{incident_id}/root-cause", response_model=IncidentOut)
def root_cause(
    incident_id: int, body: RootCauseIn, request: Request, db: DB, principal: Manager
) -> IncidentOut:
    incident = service.record_root_cause(
        db, actor=principal, incident_id=incident_id, **body.model_dump()
    )
    return incident_out(db, incident, principal, _language(request))


@router.post("/{incident_id}/corrective-actions", status_code=201, response_model=CorrectiveOut)
def add_corrective(
    incident_id: int, body: CorrectiveIn, db: DB, principal: Manager
) -> CorrectiveOut:
    action = service.add_corrective_action(
        db, actor=principal, incident_id=incident_id, **body.model_dump()
    )
    return CorrectiveOut.model_validate(action)


@router.post("/{incident_id}/corrective-actions/{action_id}/done", response_model=CorrectiveOut)
def complete_corrective(
    incident_id: int, action_id: int, body: NoteIn, db: DB, principal: Manager
) -> CorrectiveOut:
    action = service.complete_corrective_action(
        db, actor=principal, incident_id=incident_id, action_id=action_id, note=body.note
    )
    return CorrectiveOut.model_validate(action)


@router.post("/{incident_id}/correct", response_model=IncidentOut)
def correct(
    incident_id: int, body: NoteIn, request: Request, db: DB, principal: Manager
) -> IncidentOut:
    incident = service.confirm_corrections(
        db, actor=principal, incident_id=incident_id, note=body.note
    )
    return incident_out(db, incident, principal, _language(request))


@router.post("/{incident_id}/review", response_model=IncidentOut)
def review(
    incident_id: int, body: ReviewIn, request: Request, db: DB, principal: Manager
) -> IncidentOut:
    incident = service.review_incident(
        db, actor=principal, incident_id=incident_id, outcome=body.outcome, notes=body.notes
    )
    return incident_out(db, incident, principal, _language(request))
