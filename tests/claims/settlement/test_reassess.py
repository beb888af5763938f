"""The assessor's "reassess" re-opens the assessment (SPEC CLM-V3, CLM-V2, CLM-L3,
CLM-C3, GEN-5): CLM-V3's return goes back to adjustment, where the adjuster re-signs; a
return about the assessed facts — a line the assessment should have removed — is the
assessor's, who re-opens the assessment: the claim moves to the state the assessment is
recorded in (audited, with the required reason), the current adjustment is voided, the
lines and amounts are recorded again, and the claim goes forward by the normal path.
The action used to move the claim to ``assessed``, where no assessment can be recorded:
its name promised what it could not do."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import AdjustmentResult, ClaimTransition
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import (
    API,
    MEDICAL_4K,
    Settlement,
    approve,
    build_settlement,
    ok,
    walk_to_adjusted,
)

RETURN = {"decision": "return", "requirements": "住院费中含美容项目，请定损剔除"}
WHY = "核赔退回：住院费中 3000 元为美容项目，按条款剔除"
# The same claim, the cosmetic part removed with its reason (CLM-L3).
REASSESSED = {
    **MEDICAL_4K,
    "lines": [
        {"description": "住院费", "amount": "12000.00"},
        {
            "description": "美容项目",
            "amount": "3000.00",
            "removed": True,
            "removal_reason": "美容项目，条款除外",
        },
    ],
}
ADJUST = {"coverage_code": "medical", "liability": "covered", "covered_items": ["medical"]}


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))


def _returned(s: Settlement, clock: FrozenClock) -> tuple[int, dict[str, object]]:
    w = s.w
    cid = walk_to_adjusted(w, clock, policy="MED-MILLION", assessment=MEDICAL_4K)
    first = ok(w.client.get(f"{API}/{cid}", headers=w.h["adjuster"]))["adjustments"][0]
    ok(w.client.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    returned = w.client.post(f"{API}/{cid}/review/decisions", json=RETURN, headers=w.h["reviewer1"])
    assert ok(returned)["state"] == "assessed"
    clock.set("2026-09-30T18:00:00")
    return cid, first


def _reopen(s: Settlement, cid: int, reason: str | None = WHY) -> object:
    body = {} if reason is None else {"reason": reason}
    return s.w.client.post(f"{API}/{cid}/assessment/reopen", json=body, headers=s.w.h["assessor"])


def test_after_a_return_the_assessor_changes_the_assessment_and_it_goes_forward_again(
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-V3, CLM-L3, CLM-C3, CLM-V1: returned, re-opened by the assessor, the lines
    # change (a cosmetic item removed with its reason), the adjuster signs a new
    # adjustment of a lower amount, the claim is reviewed again and approved
    w, c = s.w, s.w.client
    cid, first = _returned(s, clock)
    reopened = ok(_reopen(s, cid))
    assert reopened["state"] == "surveyed"
    assert reopened["adjustments"] == []  # the returned adjustment is voided
    ok(c.post(f"{API}/{cid}/assessments", json=REASSESSED, headers=w.h["assessor"]))
    assert ok(c.post(f"{API}/{cid}/assessment/complete", json={}, headers=w.h["assessor"]))[
        "state"
    ] == ("assessed")
    ok(c.post(f"{API}/{cid}/adjustments", json=ADJUST, headers=w.h["adjuster"]))
    done = ok(c.post(f"{API}/{cid}/adjustment/complete", json={}, headers=w.h["adjuster"]))
    assert done["state"] == "adjusted"
    (again,) = done["adjustments"]
    assert again["id"] != first["id"]
    assert float(again["payable"]) < float(str(first["payable"]))
    review = ok(c.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    assert [r["round"] for r in review["rounds"]] == [1, 2]
    assert approve(w, cid, "reviewer1")["state"] == "approved"
    moves = db.scalars(
        select(ClaimTransition.action)
        .where(ClaimTransition.claim_id == cid)
        .order_by(ClaimTransition.id)
    ).all()
    assert moves[-6:] == [
        "return_to_adjustment",
        "reassess",
        "complete_assessment",
        "complete_adjustment",
        "submit_review",
        "approve",
    ]


def test_the_re_opening_is_audited_with_its_reason_and_the_voided_adjustment(
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    # SPEC GEN-5, CLM-C3: a transition assessed → surveyed with the reason; the voided
    # adjustment stays on record, no longer current, named in the audit entry
    cid, first = _returned(s, clock)
    ok(_reopen(s, cid))
    move = db.scalars(
        select(ClaimTransition)
        .where(ClaimTransition.claim_id == cid)
        .order_by(ClaimTransition.id.desc())
        .limit(1)
    ).one()
    assert (move.action, move.from_state, move.to_state, move.reason) == (
        "reassess",
        "assessed",
        "surveyed",
        WHY,
    )
    voided = db.get_one(AdjustmentResult, first["id"])
    db.refresh(voided)
    assert voided.current is False
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "claim.adjustment_voided", AuditEntry.entity_id == str(cid)
        )
    ).one()
    assert entry.reason == WHY
    assert json.loads(entry.details)["adjustment_ids"] == [first["id"]]


@pytest.mark.parametrize("reason", [None, "   "], ids=["missing", "blank"])
def test_a_re_opening_without_a_reason_is_refused_and_changes_nothing(
    s: Settlement, db: Session, clock: FrozenClock, reason: str | None
) -> None:
    # SPEC GEN-6, GEN-5: 422 naming the field, in both languages; the claim stays
    # where it was and its adjustment current
    cid, first = _returned(s, clock)
    refused = _reopen(s, cid, reason)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    error = refused.json()["error"]  # type: ignore[attr-defined]
    assert (error["code"], error["field"]) == ("reassess_reason_required", "reason")
    claim = ok(s.w.client.get(f"{API}/{cid}", headers=s.w.h["assessor"]))
    assert claim["state"] == "assessed"
    assert [a["id"] for a in claim["adjustments"]] == [first["id"]]


def test_only_the_assessment_service_re_opens_and_only_before_review(
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-V3, GEN-5: the generic move endpoint cannot re-open without voiding the
    # adjustment (409 use_dedicated_endpoint); a claim in review is returned by the
    # reviewer first (409); an adjuster may not re-open (403)
    w, c = s.w, s.w.client
    cid = walk_to_adjusted(w, clock, policy="MED-MILLION", assessment=MEDICAL_4K)
    generic = c.post(
        f"{API}/{cid}/transitions/reassess", json={"reason": WHY}, headers=w.h["assessor"]
    )
    assert generic.status_code == 409
    assert generic.json()["error"]["code"] == "use_dedicated_endpoint"
    by_adjuster = c.post(
        f"{API}/{cid}/assessment/reopen", json={"reason": WHY}, headers=w.h["adjuster"]
    )
    assert by_adjuster.status_code == 403
    ok(c.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    in_review = _reopen(s, cid)
    assert in_review.status_code == 409  # type: ignore[attr-defined]
    assert in_review.json()["error"]["code"] == "illegal_transition"  # type: ignore[attr-defined]


def test_an_adjusted_claim_is_re_opened_before_review_too(
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-L3, CLM-C3: the adjuster's signed adjustment, not yet submitted, is voided
    w, c = s.w, s.w.client
    cid = walk_to_adjusted(w, clock, policy="MED-MILLION", assessment=MEDICAL_4K)
    reopened = ok(_reopen(s, cid))
    assert (reopened["state"], reopened["adjustments"]) == ("surveyed", [])
    completed = c.post(f"{API}/{cid}/assessment/complete", json={}, headers=w.h["assessor"])
    assert ok(completed)["state"] == "assessed"
    not_signed = c.post(f"{API}/{cid}/adjustment/complete", json={}, headers=w.h["adjuster"])
    assert not_signed.status_code == 409
    assert not_signed.json()["error"]["code"] == "adjustment_missing"


def test_the_claim_page_offers_the_re_opening_after_a_return_and_needs_the_reason(
    s: Settlement, client: TestClient, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-V3, GEN-6: returned (assessed), the assessor's page offers "重新定损"; sent
    # without a reason it is refused beside the field and nothing moves; with one, the
    # claim is back where the assessment is recorded
    from tests.web.claims.claim_pages import ClaimPages, state_of
    from tests.web.claims.test_claim_forms_pages import error_beside

    cid, _first = _returned(s, clock)
    db.commit()
    web = ClaimPages(client, db)
    web.login("assessor")
    assert "reassess" in web.offered(cid)
    form = web.open(cid, "reassess")
    assert "重新定损" in form.html and form.fields["reason"].required
    refused = web.refused(cid, "reassess", {"reason": " "})
    assert "重新定损须写明原因" in error_beside(refused, "reassess", "reason")
    assert state_of(web.page(cid)) == "assessed"
    web.do(cid, "reassess", {"reason": WHY})
    assert state_of(web.page(cid)) == "surveyed"
    assert "assess" in web.offered(cid)
