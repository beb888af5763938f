"""Policy queries with the row-level rules (SEC-4, CLM-F2): a customer sees the policies
where they are policyholder or insured; a sales agent alone sees the policies they sold;
a surveyor only the policies of the claims assigned to them. A change (批改, POL-2/3) or
a dispute (POL-5) is seen by whoever sees its policy, and by nobody else: one outside the
caller's rows is "not found" (404, naming its id), never "forbidden"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, or_, select
from sqlalchemy.orm import Session, selectinload

from claimdesk.auth.permissions import STAFF_ROLES, Role
from claimdesk.auth.principal import Principal
from claimdesk.errors import NotFound
from claimdesk.models.claim import Claim
from claimdesk.models.person import Person
from claimdesk.models.policy import Policy, PolicyChange, PolicyDispute

_STAFF = {r.value for r in STAFF_ROLES}
# Roles whose work spans every policy (underwriting service, claims desk, audit).
_ALL_POLICIES = _STAFF - {Role.SURVEYOR.value, Role.SALES_AGENT.value}


def _sees_all(actor: Principal) -> bool:
    return actor.session_kind == "system" or bool(actor.roles & _ALL_POLICIES)


def scoped(*, query: Select[Any], actor: Principal) -> Select[Any]:
    """Only the policies the actor's work needs (SEC-4, CLM-F2): a surveyor those of the
    claims assigned to them, a sales agent those they sold, a customer their own."""
    if _sees_all(actor):
        return query
    conditions: list[ColumnElement[bool]] = []
    if Role.SURVEYOR.value in actor.roles:
        assigned = select(Claim.policy_id).where(Claim.surveyor_id == actor.user_id)
        conditions.append(Policy.id.in_(assigned))
    if Role.SALES_AGENT.value in actor.roles:
        conditions.append(Policy.agent_user_id == actor.user_id)
    if Role.CUSTOMER.value in actor.roles and actor.person_id is not None:
        conditions.append(Policy.policyholder_id == actor.person_id)
        conditions.append(Policy.insured_id == actor.person_id)
    if not conditions:
        return query.where(Policy.id.is_(None))
    return query.where(or_(*conditions))


def get_policy(
    session: Session, *, actor: Principal, policy_id: int, for_update: bool = False
) -> Policy:
    query = scoped(query=select(Policy).where(Policy.id == policy_id), actor=actor).options(
        selectinload(Policy.beneficiaries)
    )
    if for_update:
        query = query.with_for_update(of=Policy)
    query = query.execution_options(populate_existing=True)
    policy: Policy | None = session.scalars(query).one_or_none()
    if policy is None:
        raise NotFound(what="policy", field="policy_id")
    return policy


def lock(session: Session, *, policy_id: int) -> Policy:
    """The policy row, locked: two claims on one policy settle one after the other.
    No row filter: settlement locks the policy of a claim already row-filtered."""
    # FOR NO KEY UPDATE (key_share): it still serialises two settlements of one policy,
    # but a new claim on the policy (whose foreign key takes KEY SHARE) need not wait
    # for a settlement to commit. Nothing the lock guards is a key.
    query = select(Policy).where(Policy.id == policy_id).with_for_update(key_share=True)
    return session.scalars(query).one()


# Built once: for an actor who sees every policy (the report looks up as the system) the
# same statement object runs each time, so its cache key is computed once.
_BY_NUMBER = select(Policy).where(Policy.number == bindparam("policy_number"))


def find_by_number(
    session: Session, *, actor: Principal, number: str, beneficiaries: bool = True
) -> Policy | None:
    query = scoped(query=_BY_NUMBER, actor=actor)
    if beneficiaries:
        query = query.options(selectinload(Policy.beneficiaries))
    return session.scalars(query, {"policy_number": number}).one_or_none()


def policies_query(*, actor: Principal) -> Select[Any]:
    """The caller's policies, newest first: paged by claimdesk.paging."""
    return scoped(query=select(Policy).order_by(Policy.id.desc()), actor=actor)


def list_policies(session: Session, *, actor: Principal, limit: int = 200) -> list[Policy]:
    return list(session.scalars(policies_query(actor=actor).limit(limit)))


def in_force_on(
    session: Session, *, actor: Principal, insured_ids: list[int], day: dt.date
) -> list[Policy]:
    """Policies covering the insured on that local date (terminations end cover the
    day they take effect)."""
    query = scoped(
        query=select(Policy).where(
            Policy.insured_id.in_(insured_ids),
            Policy.period_start <= day,
            Policy.period_end >= day,
            or_(Policy.terminated_on.is_(None), Policy.terminated_on > day),
        ),
        actor=actor,
    ).order_by(Policy.id)
    return list(session.scalars(query.options(selectinload(Policy.beneficiaries))))


def renewal_of(session: Session, *, policy_id: int) -> Policy | None:
    """The renewal of a policy. No row filter: called with a policy already row-filtered
    (its read model names the renewal's id) and by the renewal job (system)."""
    return session.scalars(select(Policy).where(Policy.previous_policy_id == policy_id)).first()


def _visible_policy_ids(actor: Principal) -> Select[Any]:
    """The ids of the policies ``actor`` may see, as a subquery (the rule of ``scoped``)."""
    return scoped(query=select(Policy.id), actor=actor)


def get_change(
    session: Session, *, actor: Principal, change_id: int, for_update: bool = False
) -> PolicyChange:
    """The change, if ``actor`` may see its policy (SEC-4); ``NotFound`` naming change_id
    for one that does not exist or is not theirs to see."""
    query = select(PolicyChange).where(PolicyChange.id == change_id)
    if not _sees_all(actor):
        query = query.where(PolicyChange.policy_id.in_(_visible_policy_ids(actor)))
    if for_update:
        query = query.with_for_update(of=PolicyChange)
    change = session.scalars(query).one_or_none()
    if change is None:
        raise NotFound(what="policy change", field="change_id")
    return change


def changes_of(session: Session, *, policy_id: int) -> list[PolicyChange]:
    """The changes of a policy the caller has loaded through ``get_policy`` (row-filtered
    there): no filter of its own."""
    return list(
        session.scalars(
            select(PolicyChange)
            .where(PolicyChange.policy_id == policy_id)
            .order_by(PolicyChange.id)
        )
    )


def changes_by_id(session: Session, *, change_ids: set[int]) -> dict[int, PolicyChange]:
    """Many changes in one query, by id (the desk's list of service requests). No row
    filter: the ids come from service records the caller's row filter let through (the
    desk's, a customer's own), each record naming the change it started."""
    if not change_ids:
        return {}
    rows = session.scalars(select(PolicyChange).where(PolicyChange.id.in_(sorted(change_ids))))
    return {change.id: change for change in rows}


def names_of(session: Session, *, person_ids: set[int]) -> dict[int, str]:
    """People's names only (loading whole people would decrypt every personal field).
    No row filter: the ids are the parties of a policy or change already row-filtered."""
    rows = session.execute(select(Person.id, Person.name).where(Person.id.in_(person_ids)))
    return {person_id: name for person_id, name in rows}


def get_dispute(
    session: Session, *, actor: Principal, dispute_id: int, for_update: bool = False
) -> PolicyDispute:
    """The dispute, if ``actor`` may see its policy (SEC-4); ``NotFound`` naming
    dispute_id for one that does not exist or is not theirs to see."""
    query = select(PolicyDispute).where(PolicyDispute.id == dispute_id)
    if not _sees_all(actor):
        query = query.where(PolicyDispute.policy_id.in_(_visible_policy_ids(actor)))
    if for_update:
        query = query.with_for_update(of=PolicyDispute)
    dispute = session.scalars(query).one_or_none()
    if dispute is None:
        raise NotFound(what="policy dispute", field="dispute_id")
    return dispute


def disputes_of(session: Session, *, policy_id: int) -> list[PolicyDispute]:
    """The disputes of a policy already loaded through ``get_policy`` (row-filtered)."""
    return list(
        session.scalars(
            select(PolicyDispute)
            .where(PolicyDispute.policy_id == policy_id)
            .order_by(PolicyDispute.id)
        )
    )


def expiring_between(session: Session, *, first: dt.date, last: dt.date) -> list[Policy]:
    """In-force policies whose last day lies in [first, last] (renewal reminders). No
    row filter: the reminder job's (system), never a request's."""
    return list(
        session.scalars(
            select(Policy)
            .where(
                Policy.status == "in_force",
                Policy.terminated_on.is_(None),
                Policy.period_end >= first,
                Policy.period_end <= last,
            )
            .order_by(Policy.id)
        )
    )


def visible_policy(session: Session, *, actor: Principal, policy_id: int) -> Policy | None:
    """The policy if ``actor`` may see it (row filter, SEC-4), else None: the caller
    names its own refusal (a contact's reference, not a look-up by id)."""
    policy: Policy | None = session.scalars(
        scoped(query=select(Policy).where(Policy.id == policy_id), actor=actor)
    ).one_or_none()
    return policy
