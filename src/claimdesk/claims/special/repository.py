"""Queries of the special cases (CLM-Z1..Z3): mass events, their team and claims, remote
claims and posted materials, disputes and their steps. Claims are row-filtered here as
everywhere (``claims.repository.scoped``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims.repository import scoped
from claimdesk.errors import NotFound
from claimdesk.models.claim import Claim
from claimdesk.models.event import (
    ClaimDispute,
    ClaimDisputeStep,
    MassEvent,
    MassEventClaim,
    MassEventMember,
    MaterialDeferral,
    MaterialMailing,
    RemoteClaim,
)
from claimdesk.paging import PageRequest, Slice, fetch

# -- mass events (CLM-Z2) ---------------------------------------------------------------


def get_event(session: Session, *, event_id: int, for_update: bool = False) -> MassEvent:
    """A mass event by id. No row filter: an event is the department's record (no
    personal data, CLM-Z2); its claims are listed through ``scoped`` (event_claims)."""
    query = select(MassEvent).where(MassEvent.id == event_id)
    if for_update:
        query = query.with_for_update()
    event = session.scalars(query).one_or_none()
    if event is None:
        raise NotFound(what="mass event", field="event_id")
    return event


def events_page(session: Session, *, request: PageRequest) -> Slice[MassEvent]:
    """Every mass event, the latest first (a page of them, with the total)."""
    query = select(MassEvent).order_by(MassEvent.starts_on.desc(), MassEvent.id.desc())
    return fetch(session, query, request)


def active_events(session: Session) -> list[MassEvent]:
    query = select(MassEvent).where(MassEvent.status == "active").order_by(MassEvent.id)
    return list(session.scalars(query))


def member(session: Session, *, event_id: int, user_id: int) -> MassEventMember | None:
    query = select(MassEventMember).where(
        MassEventMember.event_id == event_id, MassEventMember.user_id == user_id
    )
    return session.scalars(query).one_or_none()


def members_of(session: Session, *, event_id: int) -> list[MassEventMember]:
    query = (
        select(MassEventMember)
        .where(MassEventMember.event_id == event_id)
        .order_by(MassEventMember.id)
    )
    return list(session.scalars(query))


def link_of(session: Session, *, claim_id: int) -> MassEventClaim | None:
    query = select(MassEventClaim).where(MassEventClaim.claim_id == claim_id)
    return session.scalars(query).one_or_none()


def deferred_codes(session: Session, *, claim: Claim) -> set[str]:
    """Checklist items the green channel lets come later (not counted as missing)."""
    query = select(MaterialDeferral.code).where(MaterialDeferral.claim_id == claim.id)
    return set(session.scalars(query))


def event_claims(
    session: Session, *, event_id: int, actor: Principal
) -> list[tuple[MassEventClaim, Claim]]:
    """The event's claims that ``actor`` may see (CLM-F2: the same row filter as every
    other claim query — a customer sees only their own, a surveyor only theirs)."""
    visible = scoped(query=select(Claim), actor=actor).with_only_columns(Claim.id).scalar_subquery()
    rows = session.execute(
        select(MassEventClaim, Claim)
        .join(Claim, Claim.id == MassEventClaim.claim_id)
        .where(MassEventClaim.event_id == event_id, Claim.id.in_(visible))
        .order_by(MassEventClaim.small_loss.desc(), Claim.id)
    ).all()
    return [(link, claim) for link, claim in rows]


# -- remote claims (CLM-Z1) -------------------------------------------------------------


def remote_of(session: Session, *, claim_id: int) -> RemoteClaim | None:
    query = select(RemoteClaim).where(RemoteClaim.claim_id == claim_id)
    return session.scalars(query).one_or_none()


def mailings_of(session: Session, *, claim_id: int) -> list[MaterialMailing]:
    query = (
        select(MaterialMailing)
        .where(MaterialMailing.claim_id == claim_id)
        .order_by(MaterialMailing.id)
    )
    return list(session.scalars(query))


def mailing_recorded(session: Session, *, carrier: str, tracking_number: str) -> bool:
    query = select(MaterialMailing.id).where(
        MaterialMailing.carrier == carrier, MaterialMailing.tracking_number == tracking_number
    )
    return session.scalar(query) is not None


# -- disputes (CLM-Z3) ------------------------------------------------------------------


def get_dispute(
    session: Session, *, actor: Principal, dispute_id: int, for_update: bool = False
) -> ClaimDispute:
    """The dispute, if ``actor`` may see its claim (``scoped``, CLM-F2, SEC-4); otherwise
    "not found" naming dispute_id, as for one that does not exist."""
    visible = scoped(query=select(Claim), actor=actor).with_only_columns(Claim.id)
    query = select(ClaimDispute).where(
        ClaimDispute.id == dispute_id, ClaimDispute.claim_id.in_(visible)
    )
    if for_update:
        query = query.with_for_update(of=ClaimDispute)
    dispute = session.scalars(query).one_or_none()
    if dispute is None:
        raise NotFound(what="claim dispute", field="dispute_id")
    return dispute


def disputes_of(session: Session, *, claim_id: int) -> list[ClaimDispute]:
    """The disputes of a claim the caller loaded row-filtered (get_claim)."""
    query = select(ClaimDispute).where(ClaimDispute.claim_id == claim_id).order_by(ClaimDispute.id)
    return list(session.scalars(query))


def steps_of(session: Session, *, dispute_id: int) -> list[ClaimDisputeStep]:
    query = (
        select(ClaimDisputeStep)
        .where(ClaimDisputeStep.dispute_id == dispute_id)
        .order_by(ClaimDisputeStep.id)
    )
    return list(session.scalars(query))
