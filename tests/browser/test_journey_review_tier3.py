"""Journey: a medical claim above the tier-2 limit (¥100,000 by default) is reviewed by all
three tiers — claims supervisor, review specialist, department manager, three different
people, each through the claim page — then paid through a payment batch whose page a
payment officer can read on a phone."""

from __future__ import annotations

from typing import Any

from claimdesk.models.claim import Claim
from tests.browser.conftest import LiveServer, act, login, logout, settled, shot
from tests.browser.test_journey_staff_process import (
    open_claim,
    process_to_review,
    report_by_hotline,
    state,
)

CHECKS = {
    f"check__{c}": True
    for c in (
        "policy_in_force",
        "adequately_insured",
        "disclosure_and_exclusions",
        "materials_complete",
        "process_compliant",
        "amount_correct",
    )
}


def _approve(page: Any, server: LiveServer, number: str, reviewer: str) -> None:
    login(page, server, reviewer)
    open_claim(page, server, number)
    act(page, "decide", {"decision": "approve", **CHECKS, "reason": "审核无误"})
    # Nobody approves two tiers of the same claim: the decision is no longer offered.
    assert page.locator("#open-decide").count() == 0
    logout(page)


def test_a_claim_above_the_tier_2_limit_needs_three_reviewers_then_is_paid_by_batch(
    page: Any, mobile_page: Any, live_server: LiveServer
) -> None:
    # SPEC CLM-V1 (above ¥100,000: tiers 1-3, three people, nobody two tiers), CLM-V3
    # (approve -> payment), CLM-P3/CLM-P5 (a bank batch, the bank's answer recorded once),
    # GEN-6 (the batch page fits a 375 px phone)
    claim_id, number = report_by_hotline(live_server, estimate="250000")
    # Expenses of ¥232,000: 60 % of them less the deductible is over ¥100,000 whatever
    # deductible the session's other journeys used.
    process_to_review(page, live_server, number, screenshots=False, expenses=("220000", "12000"))
    with live_server.session() as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None and claim.payable_total is not None
        assert claim.payable_total > 100000, claim.payable_total
    _approve(page, live_server, number, "reviewer1")
    _approve(page, live_server, number, "reviewer2")
    login(page, live_server, "reviewer3")
    open_claim(page, live_server, number)
    assert state(page) == "in_review"  # two tiers were not enough
    review = page.inner_text("section[aria-labelledby=review-title]")
    assert "3" in review and review.count("通过") == 2, review
    act(page, "decide", {"decision": "approve", **CHECKS, "reason": "金额较大，同意赔付"})
    assert state(page) == "approved"
    assert page.locator("#decisions li[data-tier]").count() == 3
    logout(page)
    # Payment officer: request, a bank batch, the bank's answer.
    login(page, live_server, "payment")
    open_claim(page, live_server, number)
    act(page, "request_payment", {})
    act(page, "export_batch")
    # The batch on a phone: every line and the file's SHA-256 within the screen.
    login(mobile_page, live_server, "payment")
    mobile_page.goto(f"{live_server.url}/payments/batches")
    settled(mobile_page)
    mobile_page.click(f"main tr:has-text('{number}') a, main a[href^='/payments/batches/']")
    mobile_page.wait_for_selector(f"text={number}")
    settled(mobile_page)
    shot(mobile_page, "payment-batch-375")
    widths = mobile_page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the batch page scrolls sideways at 375 px: {widths}"
    act(page, "confirm_payment", {"result": "paid", "reference": "ICBC-TIER3-0001"})
    assert state(page) == "paid"
    with live_server.session() as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None and claim.state == "paid"
