"""A review's return goes back to adjustment (SPEC CLM-V3 "Return → back to adjustment
with what must be added", CLM-V1, CLM-C1): the claim moves, through the transition table
and audited like every move, to the state the adjuster signs in, so the adjuster
re-signs at once — no detour through the assessor's "reassess" — whichever tier
returned it; the re-signed adjustment is resubmitted and approved as before."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import ClaimTransition
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import (
    API,
    MEDICAL_4K,
    MEDICAL_25K_SI,
    Settlement,
    approve,
    build_settlement,
    ok,
    walk_to_adjusted,
)

# The tiers a round needs (CLM-V1), by the claim walked: ¥4,000 one tier, ¥14,000 two,
# a major (group incident) claim three.
ROUNDS: dict[int, dict[str, Any]] = {
    1: {"assessment": MEDICAL_4K},
    2: {"assessment": MEDICAL_25K_SI},
    3: {"assessment": MEDICAL_25K_SI, "report": {"group_incident": True}},
}
ADJUST_AGAIN = {"coverage_code": "medical", "liability": "covered", "covered_items": ["medical"]}
RETURN = {"decision": "return", "requirements": "请补充免赔额的计算依据"}


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))


def _returned_at(s: Settlement, clock: FrozenClock, tiers: int, tier: int) -> int:
    """A claim of ``tiers`` tiers, approved by the tiers before ``tier``, which returns it."""
    w = s.w
    cid = walk_to_adjusted(w, clock, policy="MED-MILLION", **ROUNDS[tiers])
    review = ok(w.client.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    assert review["rounds"][0]["tiers_required"] == tiers
    for before in range(1, tier):
        assert approve(w, cid, f"reviewer{before}")["state"] == "in_review"
    returned = w.client.post(
        f"{API}/{cid}/review/decisions", json=RETURN, headers=w.h[f"reviewer{tier}"]
    )
    assert ok(returned)["state"] == "assessed"
    clock.set("2026-09-30T18:00:00")  # the adjuster takes it up later that day
    return cid


@pytest.mark.parametrize(
    ("tiers", "tier"),
    [(1, 1), (2, 2), (3, 3), (3, 1)],
    ids=["tier1-of-1", "tier2-of-2", "tier3-of-3", "tier1-of-3"],
)
def test_a_return_lets_the_adjuster_re_sign_at_once(
    s: Settlement, db: Session, clock: FrozenClock, tiers: int, tier: int
) -> None:
    # SPEC CLM-V3, CLM-V1, CLM-C1: returned at any tier, the claim is where the adjuster
    # signs; the adjuster re-signs, completes and resubmits without the assessor
    w, c = s.w, s.w.client
    cid = _returned_at(s, clock, tiers, tier)
    ok(c.post(f"{API}/{cid}/adjustments", json=ADJUST_AGAIN, headers=w.h["adjuster"]))
    done = ok(c.post(f"{API}/{cid}/adjustment/complete", json={}, headers=w.h["adjuster"]))
    assert done["state"] == "adjusted"
    again = ok(c.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    assert [r["round"] for r in again["rounds"]] == [1, 2]
    moves = db.scalars(
        select(ClaimTransition.action)
        .where(ClaimTransition.claim_id == cid)
        .order_by(ClaimTransition.id)
    ).all()
    assert "reassess" not in moves
    assert moves[-3:] == ["return_to_adjustment", "complete_adjustment", "submit_review"]


@pytest.mark.parametrize("tier", [1, 2, 3])
def test_the_return_is_a_move_of_the_table_audited_with_its_requirements(
    s: Settlement, db: Session, clock: FrozenClock, tier: int
) -> None:
    # SPEC CLM-V3, GEN-5: the return is the table's move in_review → assessed, recorded
    # as a transition and in the audit trail with what must be added
    cid = _returned_at(s, clock, tier, tier)
    move = db.scalars(
        select(ClaimTransition)
        .where(ClaimTransition.claim_id == cid)
        .order_by(ClaimTransition.id.desc())
        .limit(1)
    ).one()
    assert (move.action, move.from_state, move.to_state) == (
        "return_to_adjustment",
        "in_review",
        "assessed",
    )
    assert move.reason == RETURN["requirements"]
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "claim.return_to_adjustment", AuditEntry.entity_id == str(cid)
        )
    ).one()
    details = json.loads(entry.details)
    assert (details["from"], details["to"]) == ("in_review", "assessed")
    assert entry.reason == RETURN["requirements"]


def test_a_returned_claim_is_not_resubmitted_unsigned_nor_reassessed(
    s: Settlement, clock: FrozenClock
) -> None:
    # SPEC CLM-V3, CLM-C3: back at adjustment, the claim goes to review only through the
    # adjuster's completion; the generic move endpoint does not re-assess (only the
    # assessment service re-opens the assessment, voiding the adjustment: test_reassess)
    w, c = s.w, s.w.client
    cid = _returned_at(s, clock, 1, 1)
    resubmit = c.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"])
    assert resubmit.status_code == 409, resubmit.text
    reassess = c.post(f"{API}/{cid}/transitions/reassess", json={}, headers=w.h["assessor"])
    assert reassess.status_code == 409, reassess.text
    assert reassess.json()["error"]["code"] == "use_dedicated_endpoint"


@pytest.mark.parametrize("tier", [1, 2, 3])
def test_the_returned_adjustment_is_not_completed_again_unsigned(
    s: Settlement, clock: FrozenClock, tier: int
) -> None:
    # SPEC CLM-V3 ("back to adjustment with what must be added"), CLM-C3: the adjustment
    # the reviewer sent back is not completed and resubmitted as it was — refused (409)
    # until the adjuster signs again; then it completes
    w, c = s.w, s.w.client
    cid = _returned_at(s, clock, tier, tier)
    unsigned = c.post(f"{API}/{cid}/adjustment/complete", json={}, headers=w.h["adjuster"])
    assert unsigned.status_code == 409, unsigned.text
    error = unsigned.json()["error"]
    assert error["code"] == "adjustment_not_resigned" and "medical" in error["message"]
    ok(c.post(f"{API}/{cid}/adjustments", json=ADJUST_AGAIN, headers=w.h["adjuster"]))
    done = ok(c.post(f"{API}/{cid}/adjustment/complete", json={}, headers=w.h["adjuster"]))
    assert done["state"] == "adjusted"


def test_the_customer_reads_a_returned_claim_as_being_calculated_again(
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-V3, CLM-F2, GEN-6: before the return the portal said the amount is being
    # approved; returned (back to ``assessed``) it says the amount is being calculated —
    # in both languages, the return on the progress list, the reviewer's requirements
    # not (they are internal) — and never the internal state.
    from tests.web.helpers import customer_login

    w = s.w
    cid = walk_to_adjusted(w, clock, policy="MED-MILLION", **ROUNDS[1])
    ok(w.client.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    customer_login(w.client, db, "customer", "13812345678")
    before = w.client.get(f"/portal/claims/{cid}?lang=zh-CN").text
    assert "赔付金额已核算，正在审批。" in before
    returned = w.client.post(f"{API}/{cid}/review/decisions", json=RETURN, headers=w.h["reviewer1"])
    assert ok(returned)["state"] == "assessed"
    zh = w.client.get(f"/portal/claims/{cid}?lang=zh-CN").text
    status = zh.split('id="plain-status">', 1)[1].split("</p>", 1)[0]
    assert status == "正在理算您的赔付金额。"
    assert "正在重新理算赔付金额。" in zh and RETURN["requirements"] not in zh
    en = w.client.get(f"/portal/claims/{cid}?lang=en").text
    status = en.split('id="plain-status">', 1)[1].split("</p>", 1)[0]
    assert status == "The amount payable on your claim is being calculated."
    assert "The amount payable is being calculated again." in en
    assert "assessed" not in status.lower() and "approved" not in status.lower()
