"""The claim page's review decision refuses to approve a covered decision on a loss the
policy, as it stands now, did not cover (SPEC CLM-V2, CLM-C1, POL-3): the refusal sits
beside the decision, names both days and says to return it to adjustment, which the
same form then does."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.claims.settlement.review import CHECKLIST
from claimdesk.models.policy import Policy
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
from tests.web.claims.claim_pages import ClaimPages, state_of
from tests.web.claims.test_claim_forms_pages import error_beside

ALL_TICKED = {f"check__{code}": True for code in CHECKLIST}
# The tiers a round needs (CLM-V1), by the claim walked: ¥4,000 one tier, ¥14,000 two,
# a major (group incident) claim three.
ROUNDS: dict[int, dict[str, Any]] = {
    1: {"assessment": MEDICAL_4K},
    2: {"assessment": MEDICAL_25K_SI},
    3: {"assessment": MEDICAL_25K_SI, "report": {"group_incident": True}},
}


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


def _in_review_at(s: Settlement, clock: FrozenClock, tiers: int, tier: int) -> int:
    """A claim adjusted covered, submitted, approved by the tiers before ``tier``."""
    cid = walk_to_adjusted(s.w, clock, policy="MED-MILLION", **ROUNDS[tiers])
    ok(s.w.client.post(f"{API}/{cid}/review/submit", json={}, headers=s.w.h["adjuster"]))
    for before in range(1, tier):
        assert approve(s.w, cid, f"reviewer{before}")["state"] == "in_review"
    return cid


def _policy_changed(s: Settlement, db: Session, **values: Any) -> None:
    policy = db.get_one(Policy, s.w.policies["MED-MILLION"].id)  # type: ignore[attr-defined]
    for name, value in values.items():
        setattr(policy, name, value)
    db.commit()


def _warning(html: str) -> str:
    """The decision form's cover warning as read: badge and sentence, tags removed."""
    start = html.index('id="decide-cover_warning"')
    paragraph = html[start : html.index("</p>", start)]
    return " ".join(re.sub(r"<[^>]+>", " ", paragraph.split(">", 1)[1]).split())


@pytest.mark.parametrize(
    ("tiers", "tier"),
    [(1, 1), (2, 2), (3, 3), (3, 1)],
    ids=["tier1-of-1", "tier2-of-2", "tier3-of-3", "tier1-of-3"],
)
def test_the_decision_form_warns_before_approving_after_a_later_termination(
    s: Settlement, client: TestClient, db: Session, clock: FrozenClock, tiers: int, tier: int
) -> None:
    # SPEC CLM-V2, CLM-V1, CLM-C1, POL-3, GEN-6: at whichever tier decides, the form
    # says before the button — above the decision — that the loss (2026-09-28) is on the
    # day the termination took effect, that an approval will be refused and to return it
    cid = _in_review_at(s, clock, tiers, tier)
    _policy_changed(s, db, status="terminated", terminated_on=dt.date(2026, 9, 28))
    web = ClaimPages(client, db)
    web.login(f"reviewer{tier}")
    form = web.open(cid, "decide")
    said = _warning(form.html)
    assert said.startswith("保单已于 2026年9月28日 解除 ")
    assert "出险日期 2026年9月28日 在保单解除生效日（2026年9月28日）当日或之后" in said
    assert "核赔通过将被拒绝：请选择“退回理算”" in form.html
    assert form.html.index('id="decide-cover_warning"') < form.html.index('id="decide-decision"')
    english = client.get(f"/claims/{cid}/actions/decide?lang=en").text
    assert _warning(english).startswith("Policy terminated from 28 Sep 2026 ")
    assert "The date of loss, 28 Sep 2026, is on or after" in _warning(english)
    assert "an approval will be refused: choose 'Return to adjustment'" in english.replace(
        "&#39;", "'"
    )


def test_the_decision_form_warns_only_once_the_loss_is_outside_the_period(
    s: Settlement, client: TestClient, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-V2, CLM-C1, POL-3, GEN-6: covered (terminated with effect the day after the
    # loss), the form opens without a warning; the period then corrected to start after
    # the loss, it names the period
    cid = _in_review_at(s, clock, 1, 1)
    _policy_changed(s, db, status="terminated", terminated_on=dt.date(2026, 9, 29))
    web = ClaimPages(client, db)
    web.login("reviewer1")
    assert "cover_warning" not in web.open(cid, "decide").html
    _policy_changed(s, db, period_start=dt.date(2026, 9, 29))
    said = _warning(web.open(cid, "decide").html)
    assert said.startswith("保险期间外出险 ")
    assert "出险日期 2026年9月28日 不在保险期间（2026年9月29日 至 2026年12月31日）内" in said
