"""Claim queries with the row-level rules (CLM-F2, SEC-4).

A customer sees the claims where they are the insured or the policyholder, and those
they reported themselves (a former policyholder follows them to the end); a surveyor
sees only the claims assigned to them; a sales agent only claims on policies they sold;
other claims staff see the claims of their work. A claim outside the caller's rows is
"not found" (404), never "forbidden": its existence is not disclosed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, func, or_, select
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import STAFF_ROLES, Permission, Role
from claimdesk.auth.principal import Principal
from claimdesk.errors import NotFound
from claimdesk.models.claim import (
    QUEUE_STATES,
    AdjustmentResult,
    Claim,
    ClaimTransition,
    Material,
    MaterialFile,
)
from claimdesk.models.clock import Clock
from claimdesk.models.event import ClaimDispute, MassEventClaim
from claimdesk.models.org import OrgUnit
from claimdesk.models.payment import Callback
from claimdesk.models.policy import Policy
from claimdesk.models.user import User, UserRole
from claimdesk.paging import PageRequest, Slice, fetch

_STAFF = {r.value for r in STAFF_ROLES}
# Roles whose work spans every claim of the department.
_BROAD = _STAFF - {Role.SURVEYOR.value, Role.SALES_AGENT.value}


def scoped(*, query: Select[Claim], actor: Principal) -> Select[Claim]:
    if actor.session_kind == "system" or actor.roles & _BROAD:
        return query
    conditions = []
    if Role.SURVEYOR.value in actor.roles:
        conditions.append(Claim.surveyor_id == actor.user_id)
    if Role.SALES_AGENT.value in actor.roles:
        conditions.append(
            Claim.policy_id.in_(select(Policy.id).where(Policy.agent_user_id == actor.user_id))
        )
    if Role.CUSTOMER.value in actor.roles and actor.person_id is not None:
        conditions.append(Claim.insured_person_id == actor.person_id)
        conditions.append(
            Claim.policy_id.in_(select(Policy.id).where(Policy.policyholder_id == actor.person_id))
        )
        if actor.user_id is not None:
            # What they reported themselves (the portal, the app): a policyholder who
            # hands the policy over (变更投保人, POL-2) still follows those claims to the
            # decision and payment, but not the new holder's claims (SEC-4).
            conditions.append(Claim.entered_by_id == actor.user_id)
    if not conditions:
        return query.where(Claim.id.is_(None))
    return query.where(or_(*conditions))


def investigators_work(*, query: Select[Any], actor: Principal) -> Select[Any]:
    """An investigator's queues (CLM-F1, CLM-F2): the held claims a supervisor gave them
    and those given to nobody yet (which any investigator may take up), never a
    colleague's. Only for a user whose one claim-wide role is the investigator's and who
    does not hand the work out (a supervisor sees every assignee's, as do other roles);
    reading a colleague's claim by id stays open (the network around a claim spans them)."""
    if actor.session_kind == "system" or actor.roles & _BROAD != {Role.FRAUD_INVESTIGATOR.value}:
        return query
    if actor.has(Permission.CLAIMS_ASSIGN):
        return query
    return query.where(or_(Claim.investigator_id.is_(None), Claim.investigator_id == actor.user_id))


def policy_of(session: Session, *, claim: Claim) -> Policy | None:
    """The claim's policy (its number and period are not personal data: whoever may read
    the claim may read which policy it is made under and its period). From the session's
    identity map when the policy is loaded already, so no query there."""
    return session.get(Policy, claim.policy_id)


def get_claim(
    session: Session, *, actor: Principal, claim_id: int, for_update: bool = False
) -> Claim:
    query = scoped(query=select(Claim).where(Claim.id == claim_id), actor=actor)
    if for_update:
        # Two requests moving the same claim serialise here (state checks stay true).
        query = query.with_for_update(of=Claim)
    claim = session.scalars(query.execution_options(populate_existing=True)).one_or_none()
    if claim is None:
        raise NotFound(what="claim", field="claim_id")
    return claim


def materials_of(session: Session, *, claim_id: int) -> list[Material]:
    return list(
        session.scalars(select(Material).where(Material.claim_id == claim_id).order_by(Material.id))
    )


def files_of(session: Session, *, claim_id: int) -> list[MaterialFile]:
    return list(
        session.scalars(
            select(MaterialFile).where(MaterialFile.claim_id == claim_id).order_by(MaterialFile.id)
        )
    )


def visible_claims(*, actor: Principal) -> Select[Claim]:
    """The caller's claims, newest first (a customer's own: few by nature); paged by
    claimdesk.paging where they are listed."""
    return scoped(query=select(Claim), actor=actor).order_by(Claim.id.desc())


def claims_page(session: Session, *, actor: Principal, request: PageRequest) -> Slice[Claim]:
    return fetch(session, visible_claims(actor=actor), request)


def queue_priority() -> ColumnElement[int]:
    """Sort key for claim queues (CLM-Z2): small event losses 0, other event claims 1,
    others 2."""
    rank = (
        select(case((MassEventClaim.small_loss.is_(True), 0), else_=1))
        .where(MassEventClaim.claim_id == Claim.id)
        .correlate(Claim)
        .scalar_subquery()
    )
    return func.coalesce(rank, 2)


def queue(
    session: Session, *, actor: Principal, limit: int = 100
) -> list[tuple[Claim, dt.datetime | None]]:
    """The caller's open claims, the most urgent running deadline first.

    CLM-Z2: mass-event claims come first (small losses before the rest, see
    ``queue_priority``), then every other open claim; within each, by
    ``Claim.next_due_at`` (the earliest running clock, kept by clocks.service; NULL, no
    running clock, last), then id. Two queries, so that the second one, over up to
    millions of claims, walks ix_claims_queue in order and stops after ``limit`` rows
    instead of sorting every open claim; event claims are few."""
    in_event = exists().where(MassEventClaim.claim_id == Claim.id)
    # Matches ix_claims_queue (btree ASC puts NULLs last) so PostgreSQL reads it in order.
    by_due = (Claim.next_due_at.asc().nulls_last(), Claim.id)
    waiting = Claim.state.in_(QUEUE_STATES)
    claims = list(
        session.scalars(
            scoped(query=select(Claim).where(waiting, in_event), actor=actor)
            .order_by(queue_priority(), *by_due)
            .limit(limit)
        )
    )
    if len(claims) < limit:
        claims += session.scalars(
            scoped(query=select(Claim).where(waiting, ~in_event), actor=actor)
            .order_by(*by_due)
            .limit(limit - len(claims))
        )
    return [(claim, claim.next_due_at) for claim in claims]


def supervisors_of(session: Session, *, org_unit_id: int | None) -> list[User]:
    """Active claims supervisors (review tier 1) of the unit; all of them when the
    claim has no unit on record."""
    query = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "reviewer_1", User.is_active.is_(True))
        .order_by(User.id)
    )
    if org_unit_id is not None:
        query = query.where(User.org_unit_id == org_unit_id)
    return list(session.scalars(query))


def stored_keys_in_use(session: Session, *, keys: list[str]) -> set[str]:
    """Of ``keys`` (file-store keys), those a material file row names."""
    if not keys:
        return set()
    query = select(MaterialFile.storage_path).where(MaterialFile.storage_path.in_(keys))
    return set(session.scalars(query))


# --- the deadlines listed beside a claim (GEN-4) ---------------------------------------


def disputes_of_claim(session: Session, *, claim_id: int) -> list[ClaimDispute]:
    """The claim's disputes in the order they were filed."""
    query = select(ClaimDispute).where(ClaimDispute.claim_id == claim_id)
    return list(session.scalars(query.order_by(ClaimDispute.id)))


def callback_clock_ids(session: Session, *, claim_id: int) -> list[int]:
    """The clocks of the claim's callbacks (CLM-X2), those that have one."""
    query = select(Callback.clock_id).where(
        Callback.claim_id == claim_id, Callback.clock_id.is_not(None)
    )
    return [i for i in session.scalars(query) if i is not None]


# --- claims analysis (CLM-Q2): narrow row selections, figured in Python ----------------
# Local months cannot be grouped portably in SQL, so these read rows, not aggregates.


def branch_codes(session: Session) -> dict[int, str]:
    """Every org unit's code by its id (a claim's or clock's branch)."""
    return {unit_id: code for unit_id, code in session.execute(select(OrgUnit.id, OrgUnit.code))}


def claim_volume_rows(session: Session) -> list[tuple[str, str, int | None, dt.datetime]]:
    """(line, state, org unit, received at) of every claim."""
    query = select(Claim.line, Claim.state, Claim.org_unit_id, Claim.received_at)
    return [(line, state, unit, received) for line, state, unit, received in session.execute(query)]


def transitions_by_claim(session: Session) -> list[ClaimTransition]:
    """Every claim transition, grouped by claim and in the order they happened."""
    query = select(ClaimTransition).order_by(
        ClaimTransition.claim_id, ClaimTransition.at, ClaimTransition.id
    )
    return list(session.scalars(query))


def claim_side_clocks(session: Session) -> list[Clock]:
    """The clocks of claims, claim disputes and claim callbacks, by id."""
    query = select(Clock).where(
        Clock.subject_type.in_(("claim", "claim_dispute", "claim_callback"))
    )
    return list(session.scalars(query.order_by(Clock.id)))


def moves_into(session: Session, *, state: str) -> list[ClaimTransition]:
    """The transitions into ``state``, by id."""
    query = select(ClaimTransition).where(ClaimTransition.to_state == state)
    return list(session.scalars(query.order_by(ClaimTransition.id)))


def lines_of_claims(session: Session, *, claim_ids: set[int]) -> dict[int, str]:
    """The line of each claim in ``claim_ids``."""
    query = select(Claim.id, Claim.line).where(Claim.id.in_(claim_ids))
    return {claim_id: line for claim_id, line in session.execute(query)}


def current_adjustments_of(session: Session, *, claim_ids: set[int]) -> list[AdjustmentResult]:
    """The current adjustment results of the claims in ``claim_ids``, by id."""
    query = select(AdjustmentResult).where(
        AdjustmentResult.claim_id.in_(claim_ids), AdjustmentResult.current.is_(True)
    )
    return list(session.scalars(query.order_by(AdjustmentResult.id)))


def all_disputes(session: Session) -> list[ClaimDispute]:
    """Every claim dispute in the order they were filed."""
    return list(session.scalars(select(ClaimDispute).order_by(ClaimDispute.id)))


def visible_claim(session: Session, *, actor: Principal, claim_id: int) -> Claim | None:
    """The claim if ``actor`` may see it (row filter, CLM-F2, SEC-4), else None: the
    caller names its own refusal (a contact's or rating's reference)."""
    return session.scalars(
        scoped(query=select(Claim).where(Claim.id == claim_id), actor=actor)
    ).one_or_none()
