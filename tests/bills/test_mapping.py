"""Bills → the medical engine's inputs under a social_insurance_only product (SPEC
ADJ-MED, CLM-T1): catalogue class and self-pay ratio come from the receipt's lines, the
social-insurance reimbursement from the statement's fund payment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.bills.service import _removals, expense_lines_for
from claimdesk.models.claim import Claim
from claimdesk.rules.adjudication.medical import adjudicate_medical
from claimdesk.rules.adjudication.types import (
    NO_HISTORY,
    ExpenseLine,
    MedicalClaim,
    MedicalCoverage,
    Policy,
)
from tests.bills.helpers import API, DAY, bill, ok, report
from tests.claims.helpers import FrozenClock, World, build_world, local


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    return build_world(db, client)


def test_bill_lines_feed_the_engine_under_social_insurance_only(world, db, monkeypatch):
    # SPEC ADJ-MED step 1–4, CLM-T1, CLM-L3. Coverage: social_insurance_only, no
    # deductible, ratio 0.8, cosmetic excluded. By hand:
    #   甲 18,000.00 in full; 乙 4,567.89 × (1 − 0.10) = 4,111.101; 丙 lines 0 (the
    #   cosmetic one removed as excluded, the other removed as outside the scope);
    #   eligible 22,111.101 (≈ the statement's in-scope 22,111.10);
    #   net = 22,111.101 − 8,000.00 fund = 14,111.101 (the 1,200.00 personal account is
    #   not deducted); × 0.8 = 11,288.8808 → 11,288.88.
    clock = FrozenClock(monkeypatch, local(f"{DAY}T10:00:00"))
    cid = report(world, clock)
    ok(world.client.post(f"{API}/{cid}/bills", json=bill(), headers=world.h["customer"]), 201)
    claim = db.get(Claim, cid)
    assert claim is not None
    expenses = expense_lines_for(db, claim=claim)
    assert expenses.social_insurance_paid == Decimal("8000.00")
    assert expenses.settled_with_social_insurance is True
    parameters: dict[str, object] = {
        "scope": "social_insurance_only",
        "excluded_kinds": ["cosmetic"],
    }
    lines = _removals(expenses.lines, parameters)
    assert [line.removed for line in lines] == [False, False, True, True]
    assert "cosmetic" in (lines[2].removal_reason or "")
    assert "丙" in (lines[3].removal_reason or "")
    coverage = MedicalCoverage(
        sum_insured=Decimal("1000000.00"),
        payout_ratio=Decimal("0.8"),
        scope="social_insurance_only",
        excluded_kinds=frozenset({"cosmetic"}),
    )
    facts = MedicalClaim(
        date_of_loss=dt.date(2026, 9, 28),
        lines=tuple(
            ExpenseLine(
                amount=line.amount,
                catalog=line.catalog,
                kind=line.kind,
                self_pay_ratio=line.self_pay_ratio,
            )
            for line in lines
            if not line.removed
        ),
        settled_with_social_insurance=expenses.settled_with_social_insurance,
        social_insurance_paid=expenses.social_insurance_paid,
    )
    result = adjudicate_medical(
        coverage, Policy(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), NO_HISTORY, facts
    )
    assert result.eligible == Decimal("22111.10")
    assert result.payable == Decimal("11288.88")
