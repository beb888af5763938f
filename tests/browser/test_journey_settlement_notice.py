"""Journeys of the decision notice (理赔决定通知书), pages only: a claim under the
deductible carried to closed with its written decision notice (CLM-V3), and the customer
reading the settlement notice of a paid claim on a 375 px phone (CLM-C3, CLM-P2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from claimdesk.models.claim import Claim
from claimdesk.models.org import OrgUnit
from tests.browser.conftest import (
    LiveServer,
    act,
    customer_login,
    issue_medical_policy,
    login,
    logout,
    shot,
)
from tests.browser.test_journey_staff_process import (
    open_claim,
    process_to_paid,
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


def _own_policy(server: LiveServer) -> str:
    """A new medical policy for customer1: the deductible counts per policy year, and other
    journeys' claims on the shared demo policy would have used it up (order-dependent)."""
    from claimdesk.auth import repository as auth_repository

    with server.session() as session:
        customer = auth_repository.get_user_by_username(session, username="customer1")
        assert customer is not None and customer.person_id
        policy = issue_medical_policy(session, person_id=customer.person_id)
        beijing = session.scalars(select(OrgUnit).where(OrgUnit.code == "BJ")).one()
        policy.org_unit_id = beijing.id  # as the demo policy: a Beijing claim
        return policy.number


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width}px wide on a 375px phone"


def _to_surveyed(page: Any, server: LiveServer, number: str) -> None:
    login(page, server, "handler")
    open_claim(page, server, number)
    while page.locator("#checklist li.missing").count():
        code = page.locator("#checklist li.missing").first.get_attribute("data-code")
        act(page, "receive_material", {"code": str(code), "count": "1", "original_checked": True})
    act(page, "accept", {"reserve__medical": "6000"})
    page.click("#open-assign_surveyor")
    option = page.locator("#assign_surveyor-surveyor_id option", has_text="北京").first
    value = option.get_attribute("value")
    page.click("#open-assign_surveyor")
    act(page, "assign_surveyor", {"surveyor_id": str(value)})
    logout(page)
    login(page, server, "surveyor.bj")
    open_claim(page, server, number)
    act(page, "record_contact", {"note": "电话联系客户"})
    now = dt.datetime.now() + dt.timedelta(hours=8)  # the form takes Beijing time
    act(
        page,
        "submit_survey",
        {
            "surveyed_at": (now - dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
            "place": "北京协和医院",
            "people": "客户本人",
            "actions": "调阅病历、核对发票",
            "cause": "急性肠胃炎",
            "extent": "门诊治疗",
            "conclusion": "事故属实，属于保险责任",
            "covered": True,
            "plan__account_consistency": "consistent",
            "plan__treatment_timeline": "consistent",
            "plan__patient_identity": "consistent",
            "plan__hospital_records": "done",
        },
    )
    assert state(page) == "surveyed"
    logout(page)


def test_claim_under_the_deductible_is_closed_with_its_decision_notice(
    page: Any, mobile_page: Any, live_server: LiveServer
) -> None:
    # SPEC CLM-V3 (nothing payable: a written decision notice with the calculation, a
    # callback and closing — never stuck between approval and payment), CLM-L3, CLM-X2
    # A browser that has just started can take long to load its first page on a busy
    # machine: the first navigation gets more time than the rest.
    page.set_default_navigation_timeout(60_000)
    claim_id, number = report_by_hotline(
        live_server, estimate="6000", policy=_own_policy(live_server)
    )
    _to_surveyed(page, live_server, number)
    login(page, live_server, "assessor.bj")
    open_claim(page, live_server, number)
    # Three lines through the rows form: two kept, one removed with its reason.
    act(
        page,
        "assess",
        {
            "coverage_code": "medical",
            "line1_description": "门诊费",
            "line1_amount": "3500",
            "line1_catalog": "A",
            "line2_description": "药品",
            "line2_amount": "1800",
            "line2_catalog": "A",
            "line3_description": "营养品",
            "line3_amount": "700",
            "line3_removed": True,
            "line3_removal_reason": "非治疗必需",
        },
    )
    act(page, "complete_assessment")
    logout(page)
    login(page, live_server, "adjuster")
    open_claim(page, live_server, number)
    act(
        page,
        "adjust",
        {"coverage_code": "medical", "liability": "covered"},
    )
    act(page, "complete_adjustment")
    act(page, "submit_review")
    logout(page)
    login(page, live_server, "reviewer1")
    open_claim(page, live_server, number)
    act(page, "decide", {"decision": "approve", **CHECKS, "reason": "低于免赔额，无需赔付"})
    assert state(page) == "decided"  # not waiting for a payment that can never be made
    logout(page)
    login(page, live_server, "handler")
    open_claim(page, live_server, number)
    act(
        page,
        "complete_callback",
        {
            "outcome": "reached",
            "suggestions": "已解释免赔额",
            "option__mediation": True,
            "option__arbitration": True,
        },
    )
    logout(page)
    login(page, live_server, "reviewer1")
    open_claim(page, live_server, number)
    act(page, "close", {"reason": "核定无需赔付，已回访"})
    assert state(page) == "closed"
    with live_server.session() as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None and claim.state == "closed"
    # The customer reads the written decision notice on the phone.
    phone = mobile_page
    customer_login(phone, live_server, "customer1")
    phone.goto(f"{live_server.url}/portal/claims/{claim_id}")
    phone.click("#notice-link")
    phone.wait_for_selector("#settlement-notice")
    summary = phone.inner_text("#notice-summary")
    assert "¥6,000.00" in summary and "本次无需支付" in summary
    calculation = phone.inner_text("#notice-calculation")
    assert "营养品" in calculation and "非治疗必需" in calculation
    assert "免赔额" in calculation
    assert "仲裁" in phone.inner_text("#notice-object")
    _no_sideways_scroll(phone)


def test_customer_reads_the_settlement_notice_on_a_phone(
    page: Any, mobile_page: Any, live_server: LiveServer
) -> None:
    # SPEC CLM-C3 (how the amount was worked out), CLM-P2 (amount, expected arrival,
    # masked account), CLM-V3 (how to object), issue 12 (plain words at 375 px)
    claim_id, number = report_by_hotline(live_server)
    process_to_paid(page, live_server, number, screenshots=False)
    phone = mobile_page
    customer_login(phone, live_server, "customer1")
    phone.click(f"text={number}")
    phone.click("#notice-link")
    phone.wait_for_selector("#settlement-notice")
    assert "理赔决定通知书" in phone.inner_text("h1")
    summary = phone.inner_text("#notice-summary")
    assert "¥40,000.00" in summary and "预计" in summary and "****" in summary
    payment = phone.inner_text("#notice-payment")
    assert "**** **** ****" in payment and "预计到账日期" in payment
    assert "免赔额" in phone.inner_text("#notice-calculation")
    assert "仲裁" in phone.inner_text("#notice-object")
    _no_sideways_scroll(phone)
    shot(phone, "portal-settlement-notice-375")
    # The same notice as a PDF, the customer's own claim only.
    pdf = phone.request.get(f"{live_server.url}/portal/claims/{claim_id}/notice.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
