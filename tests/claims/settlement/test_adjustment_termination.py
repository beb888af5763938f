"""A manual adjustment reads the policy's cover, not only its period (SPEC CLM-C1,
ADJ-MED step 5, CLM-V2, POL-3; rules.cover): a policy surrendered inside its period
covers no loss on or after the day the termination took effect — the calculation says
not in force and names the day — while a loss before it is paid as before."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.models.policy import Policy
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import (
    API,
    MEDICAL_25K_SI,
    Settlement,
    build_settlement,
    ok,
    walk_to_assessed,
)

LOSS = dt.date(2026, 9, 28)  # walk_to_assessed's date of loss


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))


def _surrender(s: Settlement, db: Session, effective: dt.date) -> None:
    """The policy surrendered (POL-3) with the termination taking effect on ``effective``,
    inside its period."""
    policy = db.get(Policy, s.w.policies["MED-MILLION"].id)  # type: ignore[attr-defined]
    assert policy is not None and policy.period_start < effective < policy.period_end
    policy.status, policy.terminated_on = "terminated", effective
    db.commit()


def _adjust(s: Settlement, cid: int) -> dict[str, Any]:
    body = {"coverage_code": "medical", "liability": "covered", "covered_items": ["medical"]}
    claim = ok(s.w.client.post(f"{API}/{cid}/adjustments", json=body, headers=s.w.h["adjuster"]))
    (decision,) = claim["adjustments"]
    return decision  # type: ignore[no-any-return]


def test_a_loss_before_the_surrender_took_effect_is_paid_as_before(
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-C1, ADJ-MED, POL-3: the day before the termination's effective date is
    # covered — the same 14,000 as test_liability_decision's unterminated policy
    cid = walk_to_assessed(s.w, clock, policy="MED-MILLION", assessment=MEDICAL_25K_SI)
    _surrender(s, db, LOSS + dt.timedelta(days=1))
    decision = _adjust(s, cid)
    assert (decision["payable"], decision["reason"]) == ("14000.00", None)
    period = decision["trace"][0]
    assert (period["code"], period["figure"]) == ("MED.PERIOD", "in_force")
    assert period["inputs"]["terminated_on"] == "2026-09-29"


@pytest.mark.parametrize("effective", [LOSS, LOSS - dt.timedelta(days=30)])
def test_a_loss_on_or_after_the_surrender_took_effect_is_not_in_force(
    s: Settlement, db: Session, clock: FrozenClock, effective: dt.date
) -> None:
    # SPEC CLM-C1, ADJ-MED step 5, CLM-V2, POL-3 (rules.cover): inside the period but on
    # or after the termination's effective date — not in force, nothing payable, and the
    # step names the day; the period alone used to pay 14,000
    cid = walk_to_assessed(s.w, clock, policy="MED-MILLION", assessment=MEDICAL_25K_SI)
    _surrender(s, db, effective)
    decision = _adjust(s, cid)
    assert (decision["payable"], decision["reason"]) == ("0.00", "not_in_force")
    period = decision["trace"][0]
    assert (period["code"], period["figure"]) == ("MED.PERIOD", "not_in_force")
    assert period["inputs"]["terminated_on"] == effective.isoformat()
    assert f"本保单已于 {effective.isoformat()} 解除" in period["zh"]
    assert f"terminated on {effective.isoformat()}" in period["en"]
