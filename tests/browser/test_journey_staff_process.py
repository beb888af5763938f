"""Journey 2: staff accept a medical claim, survey, assess, adjust, review it in two tiers
and pay it — every step through the claim page in a real browser."""

from __future__ import annotations

import datetime as dt
from typing import Any

from claimdesk.models.claim import Claim
from tests.browser.conftest import LiveServer, act, login, logout, server_today, shot


def report_by_hotline(
    server: LiveServer, *, estimate: str = "40000", policy: str | None = None
) -> tuple[int, str]:
    """The service desk enters a phoned-in report (set-up through the API), on customer1's
    medical policy unless another is given."""
    with server.api("service") as api:
        response = api.post(
            "/claims",
            json={
                "channel": "hotline",
                "policy_number": policy or server.customer_policy,
                "claimant_name": "王建国",
                "contact_phone": "13812345678",
                "loss_date": (server_today() - dt.timedelta(days=5)).isoformat(),
                "loss_place": "北京协和医院",
                "loss_cause": "illness",
                "loss_overview": "急性阑尾炎手术住院七天",
                "estimated_amount": estimate,
                "coverage_codes": ["medical"],
            },
        )
    assert response.status_code == 201, response.text
    body = response.json()
    return body["id"], body["number"]


def open_claim(page: Any, server: LiveServer, number: str) -> None:
    """From the user's queue (search by report number) to the claim page."""
    page.goto(f"{server.url}/workbench?q={number}")
    # The claim's link (a supervisor's queue also has a hidden "pick" label per row).
    page.click(f"a:has-text('{number}')")
    page.wait_for_selector("#claim-state")


def state(page: Any) -> str:
    return str(page.get_attribute("#claim-state", "data-state"))


def process_to_paid(page: Any, server: LiveServer, number: str, *, screenshots: bool) -> None:
    process_to_review(page, server, number, screenshots=screenshots)
    approve_and_pay(page, server, number, screenshots=screenshots)


def process_to_review(
    page: Any,
    server: LiveServer,
    number: str,
    *,
    screenshots: bool,
    expenses: tuple[str, str] = ("28000", "12000"),
) -> None:
    """From reported to in review through the pages (handler, surveyor, assessor,
    adjuster); the adjuster is logged out at the end. ``expenses``: the amounts of the
    surgery and the ward lines the assessor enters."""
    # Claims handler: receive the paper materials, accept with a reserve, assign a surveyor.
    login(page, server, "handler")
    if screenshots:
        shot(page, "staff-workbench-1280")
    open_claim(page, server, number)
    while page.locator("#checklist li.missing").count():
        code = page.locator("#checklist li.missing").first.get_attribute("data-code")
        act(page, "receive_material", {"code": str(code), "count": "1", "original_checked": True})
    act(page, "accept", {"reserve__medical": "30000"})
    assert state(page) == "accepted"
    surveyor = page.locator("#open-assign_surveyor")
    surveyor.click()
    option = page.locator("#assign_surveyor-surveyor_id option", has_text="北京").first
    value = option.get_attribute("value")
    page.click("#open-assign_surveyor")  # close and reopen through act()
    act(page, "assign_surveyor", {"surveyor_id": str(value)})
    logout(page)
    # Surveyor: contact within the hour, then the report.
    login(page, server, "surveyor.bj")
    open_claim(page, server, number)
    act(page, "record_contact", {"note": "电话联系客户，约定医院核实"})
    now = dt.datetime.now() + dt.timedelta(hours=8)  # the form takes Beijing time
    act(
        page,
        "submit_survey",
        {
            "surveyed_at": (now - dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
            "place": "北京协和医院",
            "people": "客户本人、主治医生",
            "actions": "调阅病历、核对发票",
            "cause": "急性阑尾炎发作，急诊入院",
            "extent": "阑尾切除手术，住院七天",
            "conclusion": "事故属实，属于保险责任",
            "covered": True,
            # CLM-S2: the personal-line survey plan, one result per item.
            "plan__account_consistency": "consistent",
            "plan__treatment_timeline": "consistent",
            "plan__patient_identity": "consistent",
            "plan__hospital_records": "done",
            "plan_note__hospital_records": "入院记录、手术记录、出院小结已核",
        },
    )
    assert state(page) == "surveyed"
    logout(page)
    # Assessor: the expense lines.
    login(page, server, "assessor.bj")
    open_claim(page, server, number)
    act(
        page,
        "assess",
        {
            "coverage_code": "medical",
            "line1_description": "手术费",
            "line1_amount": expenses[0],
            "line1_catalog": "A",
            "line2_description": "住院床位费",
            "line2_amount": expenses[1],
            "line2_catalog": "A",
        },
    )
    act(page, "complete_assessment")
    assert state(page) == "assessed"
    logout(page)
    # Adjuster: run the calculation, sign, submit to review.
    login(page, server, "adjuster")
    open_claim(page, server, number)
    act(
        page,
        "adjust",
        {
            "coverage_code": "medical",
            "liability": "covered",
        },
    )
    act(page, "complete_adjustment")
    act(page, "submit_review")
    assert state(page) == "in_review"
    if screenshots:
        shot(page, "staff-claim-in-review-1280")
    logout(page)


def approve_and_pay(page: Any, server: LiveServer, number: str, *, screenshots: bool) -> None:
    # Two review tiers, two different people.
    checks = {
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
    for reviewer in ("reviewer1", "reviewer2"):
        login(page, server, reviewer)
        open_claim(page, server, number)
        act(page, "decide", {"decision": "approve", **checks, "reason": "审核无误"})
        logout(page)
    # Payment officer: request, send to the bank, record the bank's confirmation.
    login(page, server, "payment")
    open_claim(page, server, number)
    assert state(page) == "approved"
    act(page, "request_payment", {})
    act(page, "export_batch")
    act(page, "confirm_payment", {"result": "paid", "reference": "ICBC-20260001"})
    assert state(page) == "paid"
    if screenshots:
        shot(page, "staff-claim-paid-1280")
    logout(page)


def test_staff_accept_adjust_review_two_tiers_and_pay(page: Any, live_server: LiveServer) -> None:
    # SPEC CLM-A1, CLM-A2 (original checked), FIN-1 (reserve), CLM-S1, CLM-S3, CLM-L3,
    # CLM-C1..C3, CLM-V1 (two tiers, two people), CLM-P1..P5, CLM-X1, CLM-X2, issue 6
    claim_id, number = report_by_hotline(live_server)
    process_to_paid(page, live_server, number, screenshots=True)
    # CLM-X2 callback within 3 working days of payment, then closing (CLM-X1).
    login(page, live_server, "handler")
    open_claim(page, live_server, number)
    act(
        page,
        "complete_callback",
        {"outcome": "reached", "satisfaction": "5", "suggestions": "满意"},
    )
    logout(page)
    login(page, live_server, "reviewer1")
    open_claim(page, live_server, number)
    act(page, "close", {"reason": "赔付完毕，回访满意"})
    assert state(page) == "closed"
    with live_server.session() as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None and claim.state == "closed"
        assert claim.payable_total is not None and claim.payable_total > 10000
