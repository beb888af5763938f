"""Journey (issue 12): the assigned surveyor, who must call within 1 hour (CLM-S1), sees
the masked number, reveals it with "show number / call" and gets a tel: link; the
reveal is on the claim's audit trail (SEC-5). Another user sees no such button."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer, login, logout
from tests.browser.test_journey_surveyor_isolation import assigned_to_beijing_surveyor


def test_assigned_surveyor_reveals_the_phone_and_the_reveal_is_audited(
    page: Any, live_server: LiveServer
) -> None:
    # SPEC CLM-S1, SEC-5 (reads of personal data traced), GEN-5, CLM-F2
    claim_id, _number = assigned_to_beijing_surveyor(live_server)
    login(page, live_server, "handler")
    page.goto(f"{live_server.url}/claims/{claim_id}")
    assert "138****5678" in page.inner_text("#claimant-contact")
    assert page.locator("#reveal-phone").count() == 0
    logout(page)

    login(page, live_server, "surveyor.bj")
    page.goto(f"{live_server.url}/claims/{claim_id}")
    assert page.inner_text("#claimant-phone") == "138****5678"
    page.click("#reveal-phone button")
    call = page.locator("#call-phone")
    call.wait_for()
    assert call.inner_text() == "13812345678"
    assert call.get_attribute("href") == "tel:+8613812345678"

    page.reload()
    entry = page.locator("#timeline li[data-action='claim.contact_phone_revealed']")
    assert entry.count() == 1
    assert "为联系客户显示电话号码" in entry.inner_text()
    # The number is shown again masked: the reveal lasts for that one call.
    assert page.inner_text("#claimant-phone") == "138****5678"
