"""The claim page's review decision refuses to approve a covered decision on a loss the
policy, as it stands now, did not cover (SPEC CLM-V2, CLM-C1, POL-3): the refusal sits
beside the decision, names both days and says to return it to adjustment, which the
same form then does."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.claims.settlement.review import CHECKLIST
from claimdesk.models.policy import Policy
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import (
    API,
    MEDICAL_4K,
    Settlement,
    build_settlement,
    ok,
    walk_to_adjusted,
)
from tests.web.claims.claim_pages import ClaimPages, state_of
from tests.web.claims.test_claim_forms_pages import error_beside

ALL_TICKED = {f"check__{code}": True for code in CHECKLIST}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient, clock: FrozenClock) -> Settlement:
    return build_settlement(db, client)


def test_approval_after_a_later_termination_is_refused_beside_the_decision(
    s: Settlement, client: TestClient, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-V2, CLM-C1, POL-3, GEN-6: adjusted covered (¥4,000, one tier), then the
    # policy terminated with effect on the date of loss (2026-09-28)
    cid = walk_to_adjusted(s.w, clock, policy="MED-MILLION", assessment=MEDICAL_4K)
    ok(s.w.client.post(f"{API}/{cid}/review/submit", json={}, headers=s.w.h["adjuster"]))
    policy = db.get_one(Policy, s.w.policies["MED-MILLION"].id)  # type: ignore[attr-defined]
    policy.status, policy.terminated_on = "terminated", dt.date(2026, 9, 28)
    db.commit()
    web = ClaimPages(client, db)
    web.login("reviewer1")
    refused = web.refused(cid, "decide", {"decision": "approve", **ALL_TICKED})
    message = error_beside(refused, "decide", "decision")
    assert "出险日期 2026年9月28日 在保单解除生效日 2026年9月28日 当日或之后" in message
    assert "请选择“退回理算”" in message
    assert state_of(web.page(cid)) == "in_review"
    web.do(cid, "decide", {"decision": "return", "requirements": "出险日保单已解除，请书面拒赔"})
    assert state_of(web.page(cid)) == "assessed"
