"""A manual adjustment reads the policy's cover, not only its period (SPEC CLM-C1,
ADJ-MED step 5, CLM-V2, POL-3; rules.cover): a policy surrendered inside its period
covers no loss on or after the day the termination took effect — the calculation says
not in force and names the day, a covered decision is refused naming the loss date and
the termination day, the written decline stays open — while a loss before it is paid as
before."""

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
    walk_to_adjusted,
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


def _refused(s: Settlement, cid: int, language: str) -> dict[str, Any]:
    body = {"coverage_code": "medical", "liability": "covered", "covered_items": ["medical"]}
    answer = s.w.client.post(
        f"{API}/{cid}/adjustments?lang={language}", json=body, headers=s.w.h["adjuster"]
    )
    assert answer.status_code == 422, answer.text
    return answer.json()["error"]  # type: ignore[no-any-return]


def _declined(s: Settlement, cid: int) -> dict[str, Any]:
    body = {
        "coverage_code": "medical",
        "liability": "not_covered",
        "rejection_reason": "出险时保单已解除",
        "rejection_clause": "第二十条 合同解除：自解除生效之日起本公司不再承担保险责任",
        "rejection_evidence": "保单解除批单",
    }
    claim = ok(s.w.client.post(f"{API}/{cid}/adjustments", json=body, headers=s.w.h["adjuster"]))
    (decision,) = claim["adjustments"]
    return decision  # type: ignore[no-any-return]


@pytest.mark.parametrize("effective", [LOSS, LOSS - dt.timedelta(days=30)])
def test_a_loss_on_or_after_the_surrender_cannot_be_decided_covered(
    s: Settlement, db: Session, clock: FrozenClock, effective: dt.date
) -> None:
    # SPEC CLM-C1, CLM-V2, POL-3 (rules.cover): inside the period but on or after the
    # termination's effective date, the engine says not in force; a covered decision
    # (which paid 0 with no reason the customer could appeal) is refused, naming the
    # loss date and the termination day in the reader's language, nothing written
    cid = walk_to_assessed(s.w, clock, policy="MED-MILLION", assessment=MEDICAL_25K_SI)
    _surrender(s, db, effective)
    error = _refused(s, cid, "zh-CN")
    assert (error["code"], error["field"]) == ("covered_after_termination", "liability")
    day = f"{effective.year}年{effective.month}月{effective.day}日"
    assert f"出险日期 2026年9月28日 在保单解除生效日 {day} 当日或之后" in error["message"]
    english = _refused(s, cid, "en")["message"]
    assert "28 Sep 2026" in english and f"took effect ({effective.day} " in english
    claim = ok(s.w.client.get(f"{API}/{cid}", headers=s.w.h["adjuster"]))
    assert claim["state"] == "assessed" and claim["adjustments"] == []


def test_the_written_decline_stays_open_and_keeps_the_calculation(
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-C1, ADJ-MED step 5, POL-3: not covered, with its reason, clause and
    # evidence, is signed; the stored calculation says not in force and names the day
    cid = walk_to_assessed(s.w, clock, policy="MED-MILLION", assessment=MEDICAL_25K_SI)
    _surrender(s, db, LOSS)
    decision = _declined(s, cid)
    assert (decision["payable"], decision["reason"]) == ("0.00", "not_covered")
    period = decision["trace"][0]
    assert (period["code"], period["figure"]) == ("MED.PERIOD", "not_in_force")
    assert period["inputs"]["terminated_on"] == LOSS.isoformat()
    assert f"本保单已于 {LOSS.isoformat()} 解除" in period["zh"]
    assert f"terminated on {LOSS.isoformat()}" in period["en"]


def test_a_loss_outside_the_period_cannot_be_decided_covered(
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-C1, CLM-V2: the same refusal for a loss before the period began, naming
    # the period (no termination to name)
    cid = walk_to_assessed(s.w, clock, policy="MED-MILLION", assessment=MEDICAL_25K_SI)
    policy = db.get_one(Policy, s.w.policies["MED-MILLION"].id)  # type: ignore[attr-defined]
    policy.period_start = LOSS + dt.timedelta(days=1)
    db.commit()
    error = _refused(s, cid, "zh-CN")
    assert (error["code"], error["field"]) == ("covered_outside_period", "liability")
    assert "不在保险期间（2026年9月29日 至 2026年12月31日）内" in error["message"]


def test_a_correction_paying_on_a_loss_outside_the_period_is_refused(
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-T3, CLM-C1: record_correction judges the policy as it stands now — the
    # period corrected to start after the loss: a paying correction is refused naming
    # the period, nothing written; a correction to 0.00 is signed
    from decimal import Decimal

    from claimdesk.auth.principal import Principal
    from claimdesk.claims.errors import CorrectionPaysOutsidePeriod
    from claimdesk.claims.settlement import adjustment
    from claimdesk.models.claim import Claim

    cid = walk_to_adjusted(s.w, clock, policy="MED-MILLION", assessment=MEDICAL_25K_SI)
    policy = db.get_one(Policy, s.w.policies["MED-MILLION"].id)  # type: ignore[attr-defined]
    policy.period_start = LOSS + dt.timedelta(days=1)
    db.commit()
    claim = db.get_one(Claim, cid)
    reviewer = Principal.system("quality sample")
    with pytest.raises(CorrectionPaysOutsidePeriod) as refused:
        adjustment.record_correction(
            db,
            actor=reviewer,
            claim=claim,
            coverage_code="medical",
            payable=Decimal("1.00"),
            reason="复核",
        )
    assert (refused.value.field, refused.value.params) == (
        "amount",
        {"loss_date": "2026-09-28", "start": "2026-09-29", "end": "2026-12-31"},
    )
    (before,) = adjustment.current_adjustments(db, cid).values()
    assert before.payable == Decimal("14000.00")
    nothing = adjustment.record_correction(
        db,
        actor=reviewer,
        claim=claim,
        coverage_code="medical",
        payable=Decimal("0.00"),
        reason="出险日不在保险期间",
    )
    assert nothing.payable == Decimal("0.00") and claim.payable_total == Decimal("0.00")
    assert nothing.trace[-1]["code"] == "CLM-T3.CORRECTION"
