"""Journey 1: a customer reports a medical claim and uploads its materials on a phone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from claimdesk.models.claim import Claim, MaterialFile
from tests.browser.conftest import LiveServer, customer_login, follow, png, server_today, shot


def report_medical_claim(page: Any, server: LiveServer) -> str:
    """Through the portal; returns the new claim's page URL."""
    page.click("#report-link")
    page.select_option("#policy_number", server.customer_policy)
    page.select_option("#coverage_code", "medical")
    page.fill("#loss_date", (server_today() - dt.timedelta(days=3)).isoformat())
    page.select_option("#loss_cause", "illness")
    page.fill("#loss_place", "北京协和医院")
    page.fill("#loss_overview", "急性肠胃炎住院治疗三天")
    page.fill("#estimated_amount", "6800")
    page.fill("#contact_phone", "13812345678")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#reported-msg")
    return str(page.url)


def upload_all_materials(page: Any) -> int:
    uploaded = 0
    while page.locator("#checklist li.missing").count():
        code = page.locator("#checklist li.missing").first.get_attribute("data-code")
        page.select_option("#material_code", code)
        page.set_input_files(
            "#file", {"name": f"{code}.png", "mimeType": "image/png", "buffer": png(code)}
        )
        follow(page, "#upload-form button[type=submit]")
        assert page.locator(f'#checklist li[data-code="{code}"].ok').count() == 1, page.content()
        uploaded += 1
    return uploaded


def test_customer_reports_medical_claim_and_uploads_on_375px(
    mobile_page: Any, live_server: LiveServer
) -> None:
    # SPEC CLM-R1 (app channel), CLM-R3 (report number, told at once), CLM-A1 (checklist),
    # CLM-A2 (upload tied to the SMS-verified identity), CLM-Q1 (paperless, on a phone)
    page = mobile_page
    customer_login(page, live_server, "customer1")
    shot(page, "portal-home-375")
    report_medical_claim(page, live_server)
    number = page.locator("h1").inner_text().split()[-1]
    assert number.startswith("BA")
    assert "报案已受理" in page.inner_text("#reported-msg")
    shot(page, "portal-report-done-375")
    assert upload_all_materials(page) >= 3
    # Nothing on the page is wider than the phone (no sideways scrolling).
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px phone"
    shot(page, "portal-claim-375")
    with live_server.session() as session:
        claim = session.scalars(select(Claim).where(Claim.number == number)).one()
        assert claim.channel == "app"
        files = session.scalars(select(MaterialFile).where(MaterialFile.claim_id == claim.id)).all()
        assert files and {f.auth_method for f in files} == {"password+sms"}
