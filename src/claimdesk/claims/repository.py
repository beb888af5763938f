"""Claim queries with the row-level rules (CLM-F2, SEC-4).

A customer sees the claims where they are the insured or the policyholder; a surveyor
sees only the claims assigned to them; a sales agent only claims on policies they sold;
other claims staff see the claims of their work. A claim outside the caller's rows is
"not found" (404), never "forbidden": its existence is not disclosed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, String, cast, func, or_, select
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import STAFF_ROLES, Role
from claimdesk.auth.principal import Principal
from claimdesk.errors import NotFound
from claimdesk.models.claim import Claim, Material
from claimdesk.models.clock import Clock
from claimdesk.models.policy import Policy

_STAFF = {r.value for r in STAFF_ROLES}
# Roles whose work spans every claim of the department.
_BROAD = _STAFF - {Role.SURVEYOR.value, Role.SALES_AGENT.value}


def scoped(query: Select[Claim], actor: Principal) -> Select[Claim]:
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
    if not conditions:
        return query.where(Claim.id.is_(None))
    return query.where(or_(*conditions))


def get_claim(
    session: Session, actor: Principal, claim_id: int, *, for_update: bool = False
) -> Claim:
    query = scoped(select(Claim).where(Claim.id == claim_id), actor)
    if for_update:
        # Two requests moving the same claim serialise here (state checks stay true).
        query = query.with_for_update(of=Claim)
    claim = session.scalars(query.execution_options(populate_existing=True)).one_or_none()
    if claim is None:
        raise NotFound(what="claim", field="claim_id")
    return claim


def materials_of(session: Session, claim_id: int) -> list[Material]:
    return list(
        session.scalars(select(Material).where(Material.claim_id == claim_id).order_by(Material.id))
    )


def queue(
    session: Session, actor: Principal, *, limit: int = 100
) -> list[tuple[Claim, dt.datetime | None]]:
    """The caller's open claims, the most urgent running deadline first."""
    from claimdesk.claims.workflow import OPEN_STATES, SUSPENDED

    earliest = (
        select(func.min(Clock.due_at))
        .where(
            Clock.subject_type == "claim",
            Clock.subject_id == cast(Claim.id, String),
            Clock.stopped_at.is_(None),
            Clock.paused_at.is_(None),
        )
        .correlate(Claim)
        .scalar_subquery()
    )
    query = scoped(
        select(Claim).where(Claim.state.in_((*OPEN_STATES, SUSPENDED, "awaiting_materials"))), actor
    )
    # CLM-Z2: mass-event claims first (small losses before the rest), then by deadline.
    from claimdesk.claims.events import queue_priority

    claims = list(
        session.scalars(
            query.order_by(queue_priority(), earliest.is_(None), earliest, Claim.id).limit(limit)
        )
    )
    due: dict[str, dt.datetime] = {}
    if claims:
        for clock in session.scalars(
            select(Clock).where(
                Clock.subject_type == "claim",
                Clock.subject_id.in_([str(c.id) for c in claims]),
                Clock.stopped_at.is_(None),
                Clock.paused_at.is_(None),
            )
        ):
            if clock.subject_id not in due or clock.due_at < due[clock.subject_id]:
                due[clock.subject_id] = clock.due_at
    return [(claim, due.get(str(claim.id))) for claim in claims]
