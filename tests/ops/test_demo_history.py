"""The demo's year of history: enough claims, breaches, rejections, complaints and ratings
that every dashboard says something (issue 12; SPEC CLM-Q2, GEN-7)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import func, select

from claimdesk.auth.principal import Principal
from claimdesk.dashboards import queries
from claimdesk.models.claim import Claim, ClaimSequence, ClaimTransition
from claimdesk.models.clock import Clock
from claimdesk.ops.demo import load_demo
from claimdesk.ops.demo_history import load_history

NOW = dt.datetime(2026, 7, 15, 4, 0, tzinfo=dt.UTC)


def _history(db, claims: int = 400):
    result = load_demo(db, history_claims=claims, now=NOW)
    assert result.history is not None
    return result.history


def test_history_spans_the_year_states_and_branches(db):  # SPEC CLM-Q2
    history = _history(db)
    rows = db.execute(select(Claim.state, Claim.line, Claim.org_unit_id, Claim.received_at)).all()
    assert len(rows) == history.claims == 400
    states = Counter(r.state for r in rows)
    # Mostly closed (a year of work), but open claims in several states as well.
    assert states["closed"] > 300 and len(states) >= 6
    assert {r.line for r in rows} == {
        "health",
        "accident",
        "critical_illness",
        "property",
        "liability",
    }
    assert len({r.org_unit_id for r in rows}) == 3
    months = {r.received_at.astimezone(dt.UTC).strftime("%Y-%m") for r in rows}
    assert len(months) >= 12 and max(r.received_at for r in rows) < NOW


def test_history_feeds_every_claims_and_service_dataset(db):  # SPEC CLM-Q2, GEN-7
    history = _history(db)
    filters = queries.Filters(dt.date(2025, 7, 1), dt.date(2026, 7, 14), now=NOW)
    for name, query in {**queries.CLAIMS_DATASETS, **queries.SERVICE_DATASETS}.items():
        assert query(db, filters).rows, name
    deadlines = queries.claims_deadlines(db, filters)
    missed = sum(int(row[3] or 0) for row in deadlines.rows)
    met = sum(int(row[2] or 0) for row in deadlines.rows)
    # Breaches exist but are the exception.
    assert 0 < missed < met
    assert queries.claims_rejections(db, filters).rows
    assert history.complaints > 0 and history.surveys > 50


def test_history_numbers_continue_the_days_sequence(db):  # SPEC CLM-R3
    _history(db, claims=200)
    numbers = db.scalars(select(Claim.number)).all()
    assert len(set(numbers)) == len(numbers)
    per_day = Counter(n[:10] for n in numbers)
    sequences = {f"BA{row.day:%Y%m%d}": row.last_value for row in db.scalars(select(ClaimSequence))}
    assert all(sequences[day] == count for day, count in per_day.items())


def test_history_clocks_carry_deadlines_and_breaches(db):  # SPEC GEN-7
    _history(db, claims=200)
    clocks = db.scalars(select(Clock).where(Clock.subject_type == "claim")).all()
    assert clocks and all(c.due_at > c.started_at for c in clocks)
    breached = [c for c in clocks if c.breached_at is not None]
    assert breached and all((c.stopped_at or NOW) > c.due_at for c in breached)
    open_claims = db.scalars(select(Claim).where(Claim.state.not_in(["closed", "withdrawn"]))).all()
    assert any(c.next_due_at is not None for c in open_claims)


def test_history_loads_once(db):  # SPEC section 7 (idempotent demo)
    _history(db, claims=100)
    count = db.scalar(select(func.count()).select_from(Claim))
    assert load_history(db, actor=Principal.system("demo"), now=NOW, claims=100) is None
    assert db.scalar(select(func.count()).select_from(Claim)) == count


def test_demo_without_history_writes_no_claims(db):  # SPEC section 7
    result = load_demo(db)
    assert result.history is None
    assert db.scalar(select(func.count()).select_from(Claim)) == 0


def test_history_uses_the_codes_the_pages_word(db):  # SPEC GEN-6, CLM-R1, POL-1
    # The history's claims and policies take their channel from the lists the report and
    # the policy take (and the pages say in words): 'web', 'counter' and 'online' showed
    # raw on the claim page.
    from claimdesk.claims.intake.report import CHANNELS
    from claimdesk.code_labels import POLICY_CHANNELS, code_label
    from claimdesk.models.policy import Policy

    _history(db, claims=200)
    claim_channels = set(db.scalars(select(Claim.channel).distinct()))
    policy_channels = set(db.scalars(select(Policy.channel).distinct()))
    assert claim_channels <= set(CHANNELS) and len(claim_channels) > 1
    assert policy_channels <= set(POLICY_CHANNELS)
    assert all(code_label(c, "zh-CN") != c for c in claim_channels | policy_channels)


def test_history_pays_its_paid_claims(db):  # SPEC CLM-P3 CLM-P5
    # A claim the history paid shows what it paid: its payment to the insured, answered
    # paid with a voucher, for the amount decided; an unpaid claim has none.
    from claimdesk.models.payment import Payment
    from claimdesk.payments.service import unvouchered

    _history(db)
    payments = {p.claim_id: p for p in db.scalars(select(Payment))}
    paid = db.execute(
        select(Claim.id, Claim.payable_total, Claim.insured_person_id).where(
            Claim.id.in_(select(ClaimTransition.claim_id).where(ClaimTransition.action == "pay"))
        )
    ).all()
    assert len(paid) > 200 and len(payments) == len(paid)
    for claim_id, payable, person_id in paid:
        payment = payments[claim_id]
        assert payment.status == "paid" and payment.amount == payable > 0
        assert payment.payee_person_id == person_id and payment.paid_at is not None
    assert unvouchered(db, after=0, limit=10000)[0] == []  # every one has its voucher
