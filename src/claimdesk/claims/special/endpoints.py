"""Claims special cases API (CLM-Z1..Z3) and the claims analysis queries (CLM-Q2).

* /claim-events …              mass events, their team, claims and green channel
* /public/events/{id}/guide     the event's public guide — deliberately PUBLIC (no login):
                                it carries no claim, person or staff data
* /claims/{id}/event|remote|mailings|disputes|green-channel   per claim (row-filtered)
* /claim-disputes/{id}/…        answer, escalate, resolve
* /reports/claims/…             volumes, step times, SLA, rejections, disputes
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims import analytics
from claimdesk.claims.read import claim_for
from claimdesk.claims.special import disputes, events, remote
from claimdesk.claims.special.schemas import (
    AnswerIn,
    CloseIn,
    DisputeIn,
    DisputeOut,
    EscalateIn,
    EventIn,
    EventOut,
    LinkIn,
    MailingIn,
    MemberIn,
    RemoteIn,
    RemoteOut,
    ResolveIn,
)
from claimdesk.clocks.schemas import ClockOut
from claimdesk.clocks.service import clock_met
from claimdesk.deps import DB, require
from claimdesk.errors import NotFound
from claimdesk.models.event import ClaimDispute, MassEvent, MaterialMailing

router = APIRouter(tags=["claims special cases"])
public_router = APIRouter(prefix="/public", tags=["public"])
reports_router = APIRouter(prefix="/reports/claims", tags=["claims analysis"])

Reader = Annotated[Principal, Depends(require(Permission.CLAIMS_READ))]
Handler = Annotated[Principal, Depends(require(Permission.CLAIMS_ACCEPT))]
Uploader = Annotated[Principal, Depends(require(Permission.CLAIMS_UPLOAD))]
EventManager = Annotated[Principal, Depends(require(Permission.CLAIM_EVENTS_MANAGE))]
DisputeWorker = Annotated[Principal, Depends(require(Permission.CLAIM_DISPUTES))]
Analyst = Annotated[Principal, Depends(require(Permission.CLAIMS_REPORTS))]

# -- mass events (CLM-Z2) ----------------------------------------------------------------


def _event_out(
    db: Session, event: MassEvent, *, actor: Principal, detail: bool = False
) -> EventOut:
    out = EventOut.model_validate(event, from_attributes=True)
    if detail:
        out.team = [{"user_id": m.user_id, "duty": m.duty} for m in events.members_of(db, event.id)]
        out.claims = [
            {"claim_id": c.id, "number": c.number, "state": c.state, "small_loss": link.small_loss}
            for link, c in events.event_claims(db, event.id, actor=actor)
        ]
    return out


@router.post("/claim-events", status_code=201, response_model=EventOut)
def create_event(body: EventIn, db: DB, principal: EventManager) -> EventOut:
    event = events.create_event(db, actor=principal, **body.model_dump())
    return _event_out(db, event, actor=principal)


@router.get("/claim-events/{event_id}", response_model=EventOut)
def read_event(event_id: int, db: DB, principal: Reader) -> EventOut:
    return _event_out(db, events.get_event(db, event_id), actor=principal, detail=True)


@router.post("/claim-events/{event_id}/team", response_model=EventOut)
def add_member(event_id: int, body: MemberIn, db: DB, principal: EventManager) -> EventOut:
    event = events.get_event(db, event_id, for_update=True)
    events.add_member(db, actor=principal, event=event, user_id=body.user_id, duty=body.duty)
    return _event_out(db, event, actor=principal, detail=True)


@router.post("/claim-events/{event_id}/close", response_model=EventOut)
def close_event(event_id: int, body: CloseIn, db: DB, principal: EventManager) -> EventOut:
    event = events.get_event(db, event_id, for_update=True)
    events.close_event(db, actor=principal, event=event, reason=body.reason)
    return _event_out(db, event, actor=principal, detail=True)


@router.post("/claims/{claim_id}/event", response_model=list[dict[str, Any]])
def link_claim(claim_id: int, body: LinkIn, db: DB, principal: Handler) -> list[dict[str, Any]]:
    """Group the claim under an event; answers with its green-channel checklist."""
    claim = claim_for(db, principal, claim_id, for_update=True)
    event = events.get_event(db, body.event_id)
    events.link_claim(db, actor=principal, event=event, claim=claim)
    return events.checklist(db, claim)


@router.get("/claims/{claim_id}/green-channel", response_model=list[dict[str, Any]])
def green_channel(claim_id: int, db: DB, principal: Reader) -> list[dict[str, Any]]:
    return events.checklist(db, claim_for(db, principal, claim_id))


@public_router.get("/events/{event_id}/guide")
def event_guide(event_id: int, db: DB) -> dict[str, Any]:
    """PUBLIC by design (CLM-Z2): the guide of a mass event for anyone affected."""
    return events.public_guide(db, event_id)


# -- remote claims (CLM-Z1) --------------------------------------------------------------


def _mailing(m: MaterialMailing) -> dict[str, Any]:
    return {
        "id": m.id,
        "carrier": m.carrier,
        "tracking_number": m.tracking_number,
        "items": m.items,
        "sent_on": m.sent_on.isoformat(),
        "received_at": None if m.received_at is None else m.received_at.isoformat(),
    }


def _remote_out(db: Session, claim_id: int) -> RemoteOut:
    found = remote.remote_of(db, claim_id)
    if found is None:
        raise NotFound(what="remote claim designation", field="claim_id")
    out = RemoteOut.model_validate(found, from_attributes=True)
    out.mailings = [_mailing(m) for m in remote.mailings_of(db, claim_id)]
    return out


@router.post("/claims/{claim_id}/remote", response_model=RemoteOut)
def designate_remote(claim_id: int, body: RemoteIn, db: DB, principal: Handler) -> RemoteOut:
    claim = claim_for(db, principal, claim_id, for_update=True)
    remote.designate(db, actor=principal, claim=claim, local_org_unit_id=body.local_org_unit_id)
    return _remote_out(db, claim.id)


@router.get("/claims/{claim_id}/remote", response_model=RemoteOut)
def read_remote(claim_id: int, db: DB, principal: Reader) -> RemoteOut:
    return _remote_out(db, claim_for(db, principal, claim_id).id)


@router.post("/claims/{claim_id}/mailings", status_code=201, response_model=dict[str, Any])
def record_mailing(claim_id: int, body: MailingIn, db: DB, principal: Uploader) -> dict[str, Any]:
    """Materials posted with the case number: the customer or staff record the waybill."""
    claim = claim_for(db, principal, claim_id, for_update=True)
    return _mailing(remote.record_mailing(db, actor=principal, claim=claim, **body.model_dump()))


@router.post("/claims/{claim_id}/mailings/{mailing_id}/receive", response_model=dict[str, Any])
def receive_mailing(claim_id: int, mailing_id: int, db: DB, principal: Handler) -> dict[str, Any]:
    claim = claim_for(db, principal, claim_id, for_update=True)
    return _mailing(remote.receive_mailing(db, actor=principal, claim=claim, mailing_id=mailing_id))


# -- disputes (CLM-Z3) -------------------------------------------------------------------


def _dispute_out(db: Session, dispute: ClaimDispute, language: str = "zh-CN") -> DisputeOut:
    out = DisputeOut.model_validate(dispute, from_attributes=True)
    clock = disputes.response_clock(db, dispute)
    if clock is not None:
        out.response_due_at = clock.due_at
        out.response_met = clock_met(clock=clock)
        out.response_clock = ClockOut.of(clock, language).model_dump(mode="json")
    out.steps = [
        {"path": s.path, "note": s.note, "at": s.at.isoformat(), "by_id": s.by_id}
        for s in disputes.steps_of(db, dispute.id)
    ]
    return out


@router.post("/claims/{claim_id}/disputes", status_code=201, response_model=DisputeOut)
def file_dispute(claim_id: int, body: DisputeIn, db: DB, principal: DisputeWorker) -> DisputeOut:
    claim = claim_for(db, principal, claim_id, for_update=True)
    dispute = disputes.file_dispute(db, actor=principal, claim=claim, **body.model_dump())
    return _dispute_out(db, dispute, principal.language)


@router.get("/claims/{claim_id}/disputes", response_model=list[DisputeOut])
def list_disputes(claim_id: int, db: DB, principal: Reader) -> list[DisputeOut]:
    claim = claim_for(db, principal, claim_id)
    return [_dispute_out(db, d, principal.language) for d in disputes.disputes_of(db, claim.id)]


@router.post("/claim-disputes/{dispute_id}/answer", response_model=DisputeOut)
def answer_dispute(dispute_id: int, body: AnswerIn, db: DB, principal: DisputeWorker) -> DisputeOut:
    dispute, claim = disputes.with_claim(db, actor=principal, dispute_id=dispute_id)
    disputes.answer(db, actor=principal, dispute=dispute, claim=claim, text=body.answer)
    return _dispute_out(db, dispute, principal.language)


@router.post("/claim-disputes/{dispute_id}/escalate", response_model=DisputeOut)
def escalate_dispute(
    dispute_id: int, body: EscalateIn, db: DB, principal: DisputeWorker
) -> DisputeOut:
    dispute, _claim = disputes.with_claim(db, actor=principal, dispute_id=dispute_id)
    disputes.escalate(db, actor=principal, dispute=dispute, path=body.path, note=body.note)
    return _dispute_out(db, dispute, principal.language)


@router.post("/claim-disputes/{dispute_id}/resolve", response_model=DisputeOut)
def resolve_dispute(
    dispute_id: int, body: ResolveIn, db: DB, principal: DisputeWorker
) -> DisputeOut:
    dispute, claim = disputes.with_claim(db, actor=principal, dispute_id=dispute_id)
    disputes.resolve(
        db,
        actor=principal,
        dispute=dispute,
        claim=claim,
        outcome=body.outcome,
        note=body.note,
        amount=body.amount,
    )
    return _dispute_out(db, dispute, principal.language)


# -- claims analysis (CLM-Q2, GEN-7) -----------------------------------------------------


Since = Annotated[dt.date | None, Query(alias="from")]
Until = Annotated[dt.date | None, Query(alias="to")]


@reports_router.get("/volumes")
def volumes(db: DB, principal: Analyst, since: Since = None, until: Until = None) -> dict[str, Any]:
    return analytics.volumes(db, since=since, until=until)


@reports_router.get("/step-times")
def step_times(
    db: DB, principal: Analyst, since: Since = None, until: Until = None
) -> list[dict[str, Any]]:
    return analytics.step_times(db, since=since, until=until)


@reports_router.get("/sla")
def sla(
    db: DB, principal: Analyst, since: Since = None, until: Until = None
) -> list[dict[str, Any]]:
    return analytics.sla(db, since=since, until=until)


@reports_router.get("/rejections")
def rejections(
    db: DB, principal: Analyst, since: Since = None, until: Until = None
) -> list[dict[str, Any]]:
    return analytics.rejections(db, since=since, until=until)


@reports_router.get("/disputes")
def dispute_report(
    db: DB, principal: Analyst, since: Since = None, until: Until = None
) -> dict[str, Any]:
    return analytics.disputes(db, since=since, until=until)
