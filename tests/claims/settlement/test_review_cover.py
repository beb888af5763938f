"""A review's approval judges cover again, against the policy as it stands now (SPEC
CLM-V2 "policy in force on the date of loss", CLM-C1, CLM-V1, POL-3; rules.cover): an
adjustment signed covered before the policy was terminated with effect on or before the
date of loss — the termination recorded after the adjustment — is refused approval at
whichever tier decides, naming the loss date and the termination day (or the period),
nothing written; the reviewer returns it to adjustment, and the written decline the
adjuster then signs is approved as before."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.models.policy import Policy
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import (
    ALL_CHECKS,
    API,
    MEDICAL_4K,
    MEDICAL_25K_SI,
    Settlement,
    approve,
    build_settlement,
    ok,
    walk_to_adjusted,
)

LOSS = dt.date(2026, 9, 28)  # walk_to_adjusted's date of loss
# The tiers a round needs (CLM-V1), by the claim walked: ¥4,000 one tier, ¥14,000 two,
# a major (group incident) claim three.
ROUNDS: dict[int, dict[str, Any]] = {
    1: {"assessment": MEDICAL_4K},
    2: {"assessment": MEDICAL_25K_SI},
    3: {"assessment": MEDICAL_25K_SI, "report": {"group_incident": True}},
}
DECLINE = {
    "coverage_code": "medical",
    "liability": "not_covered",
    "rejection_reason": "出险时保单已解除",
    "rejection_clause": "第二十条 合同解除：自解除生效之日起本公司不再承担保险责任",
    "rejection_evidence": "保单解除批单",
}


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))


def _submitted(s: Settlement, clock: FrozenClock, tiers: int) -> int:
    """A claim adjusted covered on the unterminated policy and submitted for review."""
    cid = walk_to_adjusted(s.w, clock, policy="MED-MILLION", **ROUNDS[tiers])
    review = ok(s.w.client.post(f"{API}/{cid}/review/submit", json={}, headers=s.w.h["adjuster"]))
    assert review["rounds"][0]["tiers_required"] == tiers
    return cid


def _terminate(s: Settlement, db: Session, effective: dt.date) -> None:
    """The policy terminated (POL-3) with effect on ``effective``, recorded now: after the
    adjustment was signed."""
    policy = db.get_one(Policy, s.w.policies["MED-MILLION"].id)  # type: ignore[attr-defined]
    policy.status, policy.terminated_on = "terminated", effective
    db.commit()


def _approval(s: Settlement, cid: int, who: str, language: str = "zh-CN") -> Any:
    return s.w.client.post(
        f"{API}/{cid}/review/decisions?lang={language}",
        json={"decision": "approve", "checklist": ALL_CHECKS},
        headers=s.w.h[who],
    )


def _review(s: Settlement, cid: int) -> dict[str, Any]:
    return ok(s.w.client.get(f"{API}/{cid}/review", headers=s.w.h["reviewer3"]))


@pytest.mark.parametrize(
    ("tiers", "refused_at"),
    [(1, 1), (2, 2), (3, 3), (3, 1)],
    ids=["tier1-of-1", "tier2-of-2", "tier3-of-3", "tier1-of-3"],
)
def test_a_covered_adjustment_on_a_loss_after_a_later_termination_is_not_approved(
    s: Settlement, db: Session, clock: FrozenClock, tiers: int, refused_at: int
) -> None:
    # SPEC CLM-V2, CLM-V1, CLM-C1, POL-3: the tiers before approve while the policy
    # covers; the termination, recorded after the adjustment, takes effect on the date of
    # loss; the next tier's approval is refused 409 naming both days, nothing written
    cid = _submitted(s, clock, tiers)
    for tier in range(1, refused_at):
        assert approve(s.w, cid, f"reviewer{tier}")["state"] == "in_review"
    _terminate(s, db, LOSS)
    refused = _approval(s, cid, f"reviewer{refused_at}")
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["field"]) == ("approval_after_termination", "decision")
    assert "出险日期 2026年9月28日 在保单解除生效日 2026年9月28日 当日或之后" in error["message"]
    assert "退回理算" in error["message"]
    english = _approval(s, cid, f"reviewer{refused_at}", "en").json()["error"]["message"]
    assert "28 Sep 2026" in english and "took effect (28 Sep 2026)" in english
    assert "'Return to adjustment'" in english
    review = _review(s, cid)
    assert review["state"] == "in_review" and review["next_tier"] == refused_at
    assert len(review["decisions"]) == refused_at - 1


def test_a_loss_outside_the_period_as_it_stands_now_is_not_approved(
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-V2, CLM-C1: the period itself corrected to start after the loss — the
    # refusal names the period, not a termination
    cid = _submitted(s, clock, 1)
    policy = db.get_one(Policy, s.w.policies["MED-MILLION"].id)  # type: ignore[attr-defined]
    policy.period_start = LOSS + dt.timedelta(days=1)
    db.commit()
    refused = _approval(s, cid, "reviewer1")
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["field"]) == ("approval_outside_period", "decision")
    assert "不在保险期间（2026年9月29日 至 2026年12月31日）内" in error["message"]


def test_a_loss_before_the_termination_took_effect_is_approved_as_before(
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-V2, POL-3: terminated with effect the day after the loss — still covered
    cid = _submitted(s, clock, 1)
    _terminate(s, db, LOSS + dt.timedelta(days=1))
    assert approve(s.w, cid, "reviewer1")["state"] == "approved"


def test_the_reviewer_returns_it_and_the_written_decline_is_approved(
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-V2, CLM-V3, CLM-C1, POL-3: the return path — returned to adjustment, where
    # the adjuster declines in writing at once (no reassess), resubmitted; a decline on
    # the terminated policy is approved (it pays nothing)
    w, c = s.w, s.w.client
    cid = _submitted(s, clock, 1)
    _terminate(s, db, LOSS)
    assert _approval(s, cid, "reviewer1").status_code == 409
    body = {"decision": "return", "requirements": "保单已于出险日解除，请认定不属保险责任"}
    returned = ok(c.post(f"{API}/{cid}/review/decisions", json=body, headers=w.h["reviewer1"]))
    assert returned["state"] == "assessed"
    clock.now += dt.timedelta(minutes=30)  # the adjuster takes the return up later
    ok(c.post(f"{API}/{cid}/adjustments", json=DECLINE, headers=w.h["adjuster"]))
    ok(c.post(f"{API}/{cid}/adjustment/complete", json={}, headers=w.h["adjuster"]))
    ok(c.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    assert approve(w, cid, "reviewer1b")["state"] == "decided"  # nothing to pay
    decisions = _review(s, cid)["decisions"]
    assert [d["decision"] for d in decisions][-1] == "approve"
