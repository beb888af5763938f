"""Reads behind the straight-through measures (CLM-T4): every query of the dashboards'
STP section, narrow columns only, row-filtered like the claims themselves.

The population is the claims received in the period (and of the branch) that the
reader may see (``claims.repository.scoped``); each query keeps that condition in SQL
(never a Python list of ids: see _in_period).

Below them, the reads of the claims and service datasets (``dashboards.queries``, which
shapes them into tables and charts): the claims of the period counted in SQL where a
count is all they need, otherwise narrow columns for Python to figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims.repository import scoped
from claimdesk.dashboards.schemas import Filters
from claimdesk.models.automatic import AutomaticDecision, SampleVerdict
from claimdesk.models.bill import Bill
from claimdesk.models.check import CheckHit
from claimdesk.models.claim import Claim, ClaimTransition, FraudFlag, Material, Reserve
from claimdesk.models.org import OrgUnit
from claimdesk.models.payment import Payment
from claimdesk.models.review import ReviewDecision
from claimdesk.rules.deadlines import day_range
from claimdesk.service import repository as service_desk

# Any select over claims (and what it joins), whatever its columns.
_Query = TypeVar("_Query", bound="Select[*tuple[Any, ...]]")


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def population(*, actor: Principal, f: Filters) -> Select[Any]:
    """Ids of the claims of the period the actor may see (a subquery for ``in_``)."""
    start, end = day_range(f.date_from, f.date_to)
    query = select(Claim.id).where(Claim.received_at >= start, Claim.received_at < end)
    if f.org_unit_id is not None:
        query = query.where(Claim.org_unit_id == f.org_unit_id)
    return scoped(query=cast("Select[Any]", query), actor=actor)


def claims_with_bills(
    session: Session, *, actor: Principal, f: Filters
) -> list[tuple[int, str, dt.datetime, Decimal]]:
    """(claim id, line, received at, Σ bill totals) of the claims that carry e-bills."""
    query = (
        select(Claim.id, Claim.line, Claim.received_at, func.sum(Bill.total))
        .join(Bill, Bill.claim_id == Claim.id)
        .where(Claim.id.in_(population(actor=actor, f=f)))
        .group_by(Claim.id, Claim.line, Claim.received_at)
    )
    return [(cid, line, at, Decimal(total)) for cid, line, at, total in session.execute(query)]


def materials_complete(
    session: Session, *, actor: Principal, f: Filters
) -> dict[int, dt.datetime | None]:
    """When each claim's checklist became complete: the last item's receipt when every
    item is received (CLM-A1), else the recorded materials-complete time (a claim
    accepted without a checklist row), else None (still incomplete)."""
    counts = (
        select(
            Material.claim_id,
            func.count().label("total"),
            _count_where(Material.received.is_(True)).label("received"),
            func.max(Material.received_at).label("last"),
        )
        .where(Material.claim_id.in_(population(actor=actor, f=f)))
        .group_by(Material.claim_id)
        .subquery()
    )
    query = (
        select(
            Claim.id, Claim.materials_complete_at, counts.c.total, counts.c.received, counts.c.last
        )
        .outerjoin(counts, counts.c.claim_id == Claim.id)
        .where(Claim.id.in_(population(actor=actor, f=f)))
    )
    found: dict[int, dt.datetime | None] = {}
    for cid, recorded, items, received, last in session.execute(query):
        if items and int(items) == int(received) and last is not None:
            found[cid] = last
        else:
            found[cid] = recorded
    return found


def confirmed_fraud(session: Session, *, actor: Principal, f: Filters) -> set[int]:
    """Claims of the period with a fraud flag an investigator confirmed (CLM-F1)."""
    query = select(FraudFlag.claim_id).where(
        FraudFlag.claim_id.in_(population(actor=actor, f=f)), FraudFlag.status == "confirmed"
    )
    return set(session.scalars(query))


def first_payments(
    session: Session, *, actor: Principal, f: Filters
) -> list[tuple[int, str, dt.datetime, dt.datetime, int | None]]:
    """(claim id, line, received at, first payment instruction, its maker's user id —
    None for the automatic path's system actor) of the claims of the period that were
    sent to payment."""
    query = (
        select(Claim.id, Claim.line, Claim.received_at, Payment.created_at, Payment.created_by_id)
        .join(Payment, Payment.claim_id == Claim.id)
        .where(Claim.id.in_(population(actor=actor, f=f)))
        .order_by(Claim.id, Payment.created_at, Payment.id)
    )
    first: dict[int, tuple[int, str, dt.datetime, dt.datetime, int | None]] = {}
    for cid, line, received, at, by in session.execute(query):
        first.setdefault(cid, (cid, line, received, at, by))
    return list(first.values())


def check_hits(
    session: Session, *, actor: Principal, f: Filters
) -> list[tuple[str, str, dt.datetime, str, str | None, bool]]:
    """(check, line, found at, action, outcome, claim paid) of every hit on the claims of
    the period (CLM-F3): one per finding (check_hits.finding_key, on every row)."""
    paid = select(Payment.id).where(Payment.claim_id == CheckHit.claim_id).exists()
    query = (
        select(
            CheckHit.check_code,
            Claim.line,
            CheckHit.found_at,
            CheckHit.action,
            CheckHit.outcome,
            case((paid, True), else_=False),
        )
        .join(Claim, Claim.id == CheckHit.claim_id)
        .where(Claim.id.in_(population(actor=actor, f=f)))
    )
    return [
        (code, line, at, action, outcome, bool(was_paid))
        for code, line, at, action, outcome, was_paid in session.execute(query)
    ]


def sample_verdicts(
    session: Session, *, actor: Principal, f: Filters
) -> list[tuple[str, dt.datetime, bool | None]]:
    """(line, received at, the reviewer's verdict — None while not reviewed) of every
    automatically paid claim of the period chosen for the quality sample (CLM-T3)."""
    query = (
        select(Claim.line, Claim.received_at, SampleVerdict.agrees)
        .join(AutomaticDecision, AutomaticDecision.claim_id == Claim.id)
        .outerjoin(SampleVerdict, SampleVerdict.claim_id == Claim.id)
        .where(
            Claim.id.in_(population(actor=actor, f=f)),
            AutomaticDecision.outcome == "paid",
            AutomaticDecision.sampled.is_(True),
        )
    )
    return [(line, at, agrees) for line, at, agrees in session.execute(query)]


# --- the claims and service datasets (dashboards.queries) ----------------------------


def _in_period(query: _Query, f: Filters) -> _Query:
    """Claims received in the period (and of the branch): the dashboards' population,
    as conditions of the query itself. Never a Python list of claim ids: at 100,000
    claims that list became 100,000 bound parameters, beyond PostgreSQL's 65,535."""
    start, end = day_range(f.date_from, f.date_to)
    query = query.where(Claim.received_at >= start, Claim.received_at < end)
    if f.org_unit_id is not None:
        query = query.where(Claim.org_unit_id == f.org_unit_id)
    return query


def volume_by_line_state(session: Session, *, f: Filters) -> list[tuple[str, str, int]]:
    """(line, state, claims) of the claims of the period, counted by the database."""
    query = _in_period(
        select(Claim.line, Claim.state, func.count()).group_by(Claim.line, Claim.state), f
    )
    return [(line, state, n) for line, state, n in session.execute(query)]


def moves_in_period(
    session: Session, *, f: Filters
) -> list[tuple[int, str | None, str, dt.datetime, dt.datetime]]:
    """(claim, from state, to state, at, claim received at) of every transition of the
    claims of the period, by claim and in the order they happened."""
    query = _in_period(
        select(
            ClaimTransition.claim_id,
            ClaimTransition.from_state,
            ClaimTransition.to_state,
            ClaimTransition.at,
            Claim.received_at,
        )
        .join(Claim, Claim.id == ClaimTransition.claim_id)
        .order_by(ClaimTransition.claim_id, ClaimTransition.at, ClaimTransition.id),
        f,
    )
    return [
        (claim_id, from_state, to_state, at, received)
        for claim_id, from_state, to_state, at, received in session.execute(query)
    ]


def deadline_counts(
    session: Session,
    *,
    clocks: ColumnElement[bool],
    f: Filters,
    by_month: bool,
    by_branch: bool,
) -> list[tuple[Any, ...]]:
    """Per clock name (and the clock's start month and/or branch name, English name and
    code, in that order, when asked): how many clocks the limit governed, met and missed, and how many
    ended early (closed in time without their step, not governed) — counted by the
    database in one grouped query over service.repository.each_clock, the rows the
    service scorecard counts too (issue 6: 200,000 clocks took 2 s in Python)."""
    start, end = day_range(f.date_from, f.date_to)
    each = service_desk.each_clock(
        clocks=clocks,
        start=start,
        end=end,
        date_from=f.date_from,
        date_to=f.date_to,
        now=f.now,
        org_unit_id=f.org_unit_id,
    )
    keys: list[Any] = []
    if by_month:
        keys.append(each.c.month)
    if by_branch:
        keys += [OrgUnit.name, OrgUnit.name_en, OrgUnit.code]
    # Governed leaves out the clocks ended early (closed in time without their step).
    query = (
        select(
            *keys,
            each.c.clock,
            func.count() - func.sum(each.c.ended),
            func.sum(each.c.met),
            func.sum(each.c.missed),
            func.sum(each.c.ended),
        )
        .select_from(each)
        .group_by(*keys, each.c.clock)
    )
    if by_branch:
        query = query.outerjoin(OrgUnit, OrgUnit.id == each.c.unit)
    return [tuple(row) for row in session.execute(query)]


def _rejected_in_period(f: Filters) -> Select[Any]:
    return _in_period(
        select(ClaimTransition.claim_id)
        .join(Claim, Claim.id == ClaimTransition.claim_id)
        .where(ClaimTransition.to_state == "rejected"),
        f,
    )


def rejected_in_period(session: Session, *, f: Filters) -> list[int]:
    """Ids of the claims of the period moved to ``rejected`` (once per move)."""
    return list(session.scalars(_rejected_in_period(f)))


def rejection_grounds(session: Session, *, f: Filters) -> list[tuple[int, str | None]]:
    """(claim, ground) of every rejecting review decision on those claims, in the order
    they were decided (a later decision's ground overrides an earlier one's)."""
    query = (
        select(ReviewDecision.claim_id, ReviewDecision.rejection_ground)
        .where(
            ReviewDecision.claim_id.in_(_rejected_in_period(f)),
            ReviewDecision.decision == "reject",
        )
        .order_by(ReviewDecision.decided_at, ReviewDecision.id)
    )
    return [(claim_id, ground) for claim_id, ground in session.execute(query)]


def outstanding_reserves(
    session: Session,
    *,
    received_before: dt.datetime,
    org_unit_id: int | None,
    finished: Sequence[str],
) -> list[tuple[str, dt.datetime, Decimal]]:
    """(line, received at, amount) of each positive case reserve (FIN-1) of the claims
    reported before ``received_before`` that are not in a ``finished`` state."""
    query = (
        select(Claim.line, Claim.received_at, Reserve.amount)
        .join(Reserve, Reserve.claim_id == Claim.id)
        .where(
            Claim.received_at < received_before,
            Claim.state.not_in(finished),
            Reserve.amount > 0,
        )
    )
    if org_unit_id is not None:
        query = query.where(Claim.org_unit_id == org_unit_id)
    return [(line, received, amount) for line, received, amount in session.execute(query)]
