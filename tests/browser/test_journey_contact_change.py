"""Journey: a customer asks on their phone (375 px) to change their contact details
(变更联系方式) — a policy change that staff complete within 2 working days (POL-2).

Only asked here, never completed: the live server is shared by the journeys, and
customer1's mobile is where every portal login's SMS code goes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from claimdesk.models.policy import PolicyChange
from claimdesk.models.service import ServiceRecord
from tests.browser.conftest import LiveServer, customer_login, follow, shot


def test_customer_asks_for_new_contact_details_on_375px(
    mobile_page: Any, live_server: LiveServer
) -> None:
    # SPEC POL-2 (the policyholder's consent, the change process), SVC-2 (web/app
    # channel), GEN-6 (a refusal in place keeps what was typed)
    page = mobile_page
    customer_login(page, live_server, "customer1")
    page.goto(f"{live_server.url}/portal/service")
    page.wait_for_selector("#contact-form")
    page.fill("#contact-email", "customer1@example.com")
    page.fill("#contact-address", "北京市东城区东长安街 1 号")
    # Without the consent ticked: refused beside the form, nothing lost.
    follow(page, "#contact-form button[type=submit]")
    assert "客户同意" in page.inner_text("#contact-error")
    assert page.input_value("#contact-address") == "北京市东城区东长安街 1 号"
    page.check("#contact-consent")
    follow(page, "#contact-form button[type=submit]")
    assert "2 个工作日内办结" in page.inner_text("#service-done")
    assert "已申请" in page.inner_text("#my-complaints")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px phone"
    shot(page, "portal-contact-change-375")
    with live_server.session() as session:
        record = session.scalars(
            select(ServiceRecord).where(ServiceRecord.policy_change_id.is_not(None))
        ).all()[-1]
        change = session.get(PolicyChange, record.policy_change_id)
        assert change is not None and change.status == "requested"
        assert change.payload == {"contact": ["address", "email"]}
        assert record.channel == "web_app"
