"""Reads behind the straight-through measures (CLM-T4): every query of the dashboards'
STP section, narrow columns only, row-filtered like the claims themselves.

The population is the claims received in the period (and of the branch) that the
reader may see (``claims.repository.scoped``); each query keeps that condition in SQL
(never a Python list of ids: see queries._in_period).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims.repository import scoped
from claimdesk.dashboards.queries import Filters, _count_where
from claimdesk.models.automatic import AutomaticDecision, SampleVerdict
from claimdesk.models.bill import Bill
from claimdesk.models.check import CheckHit
from claimdesk.models.claim import Claim, FraudFlag, Material
from claimdesk.models.payment import Payment
from claimdesk.service import reports


def population(actor: Principal, f: Filters) -> Select[Any]:
    """Ids of the claims of the period the actor may see (a subquery for ``in_``)."""
    start, end = reports.period_bounds(f.date_from, f.date_to)
    query = select(Claim.id).where(Claim.received_at >= start, Claim.received_at < end)
    if f.org_unit_id is not None:
        query = query.where(Claim.org_unit_id == f.org_unit_id)
    return scoped(cast("Select[Any]", query), actor)


def claims_with_bills(
    session: Session, actor: Principal, f: Filters
) -> list[tuple[int, str, dt.datetime, Decimal]]:
    """(claim id, line, received at, Σ bill totals) of the claims that carry e-bills."""
    query = (
        select(Claim.id, Claim.line, Claim.received_at, func.sum(Bill.total))
        .join(Bill, Bill.claim_id == Claim.id)
        .where(Claim.id.in_(population(actor, f)))
        .group_by(Claim.id, Claim.line, Claim.received_at)
    )
    return [(cid, line, at, Decimal(total)) for cid, line, at, total in session.execute(query)]


def materials_complete(
    session: Session, actor: Principal, f: Filters
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
        .where(Material.claim_id.in_(population(actor, f)))
        .group_by(Material.claim_id)
        .subquery()
    )
    query = (
        select(
            Claim.id, Claim.materials_complete_at, counts.c.total, counts.c.received, counts.c.last
        )
        .outerjoin(counts, counts.c.claim_id == Claim.id)
        .where(Claim.id.in_(population(actor, f)))
    )
    found: dict[int, dt.datetime | None] = {}
    for cid, recorded, items, received, last in session.execute(query):
        if items and int(items) == int(received) and last is not None:
            found[cid] = last
        else:
            found[cid] = recorded
    return found


def confirmed_fraud(session: Session, actor: Principal, f: Filters) -> set[int]:
    """Claims of the period with a fraud flag an investigator confirmed (CLM-F1)."""
    query = select(FraudFlag.claim_id).where(
        FraudFlag.claim_id.in_(population(actor, f)), FraudFlag.status == "confirmed"
    )
    return set(session.scalars(query))


def first_payments(
    session: Session, actor: Principal, f: Filters
) -> list[tuple[int, str, dt.datetime, dt.datetime, int | None]]:
    """(claim id, line, received at, first payment instruction, its maker's user id —
    None for the automatic path's system actor) of the claims of the period that were
    sent to payment."""
    query = (
        select(Claim.id, Claim.line, Claim.received_at, Payment.created_at, Payment.created_by_id)
        .join(Payment, Payment.claim_id == Claim.id)
        .where(Claim.id.in_(population(actor, f)))
        .order_by(Claim.id, Payment.created_at, Payment.id)
    )
    first: dict[int, tuple[int, str, dt.datetime, dt.datetime, int | None]] = {}
    for cid, line, received, at, by in session.execute(query):
        first.setdefault(cid, (cid, line, received, at, by))
    return list(first.values())


def check_hits(
    session: Session, actor: Principal, f: Filters
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
        .where(Claim.id.in_(population(actor, f)))
    )
    return [
        (code, line, at, action, outcome, bool(was_paid))
        for code, line, at, action, outcome, was_paid in session.execute(query)
    ]


def sample_verdicts(
    session: Session, actor: Principal, f: Filters
) -> list[tuple[str, dt.datetime, bool | None]]:
    """(line, received at, the reviewer's verdict — None while not reviewed) of every
    automatically paid claim of the period chosen for the quality sample (CLM-T3)."""
    query = (
        select(Claim.line, Claim.received_at, SampleVerdict.agrees)
        .join(AutomaticDecision, AutomaticDecision.claim_id == Claim.id)
        .outerjoin(SampleVerdict, SampleVerdict.claim_id == Claim.id)
        .where(
            Claim.id.in_(population(actor, f)),
            AutomaticDecision.outcome == "paid",
            AutomaticDecision.sampled.is_(True),
        )
    )
    return [(line, at, agrees) for line, at, agrees in session.execute(query)]
