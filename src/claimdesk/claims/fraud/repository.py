"""Queries of the fraud holds (CLM-F1): a claim's flags and the claims on hold, the
longest-held first. Claims are row-filtered (``claims.repository.scoped``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims.repository import investigators_work, scoped
from claimdesk.models.claim import Claim, FraudFlag
from claimdesk.models.states import ClaimState
from claimdesk.paging import PageRequest, Slice, fetch


def flags_of(session: Session, *, claim_id: int) -> list[FraudFlag]:
    query = select(FraudFlag).where(FraudFlag.claim_id == claim_id).order_by(FraudFlag.id)
    return list(session.scalars(query))


def flags_of_claims(session: Session, *, claim_ids: Sequence[int]) -> list[FraudFlag]:
    query = (
        select(FraudFlag)
        .where(FraudFlag.claim_id.in_(list(claim_ids)))
        .order_by(FraudFlag.flagged_at, FraudFlag.id)
    )
    return list(session.scalars(query))


def take_unassigned(session: Session, *, claim_id: int, investigator_id: int | None) -> bool:
    """Give the claim to the investigator if nobody has it yet, in one conditional UPDATE
    (a colleague's take that committed first wins): whether this one took it. The loaded
    claim is not synchronised; the caller sets its committed value."""
    taken = session.execute(
        update(Claim)
        .where(Claim.id == claim_id, Claim.investigator_id.is_(None))
        .values(investigator_id=investigator_id)
        .execution_options(synchronize_session=False)
    )
    return bool(taken.rowcount == 1)  # type: ignore[attr-defined]


def _held_since(*, open_only: bool) -> object:
    query = select(func.min(FraudFlag.flagged_at)).where(FraudFlag.claim_id == Claim.id)
    if open_only:
        query = query.where(FraudFlag.status == "open")
    return query.correlate(Claim).scalar_subquery()


# Who a held claim is given to, as the holds page filters it (None: every claim).
ASSIGNED_FILTERS = ("unassigned", "mine")


def held_claims(
    session: Session, *, actor: Principal, request: PageRequest, assigned: str | None = None
) -> Slice[Claim]:
    """A page of the suspended claims the actor may work, held longest first: since the
    earliest open flag (or the earliest flag when none is open any more), then by id.
    An investigator's are their own and the unassigned (``investigators_work``);
    ``assigned`` narrows to the unassigned or the actor's own."""
    since = func.coalesce(_held_since(open_only=True), _held_since(open_only=False))
    query = investigators_work(
        query=scoped(query=select(Claim).where(Claim.state == ClaimState.SUSPENDED), actor=actor),
        actor=actor,
    )
    if assigned == "unassigned":
        query = query.where(Claim.investigator_id.is_(None))
    elif assigned == "mine":
        query = query.where(Claim.investigator_id == actor.user_id)
    return fetch(session, query.order_by(since.asc().nulls_last(), Claim.id), request)
