"""Journeys of straight-through claims and the administrator's settings (issue 13 item 6,
issue 12 "thresholds an administrator can change"):

* at 375 px a customer sends the e-receipt and the settlement statement of a small
  medical claim as files, the worker's jobs run (in-process, as the worker would) and the
  portal says the claim was paid automatically, with the settlement notice; the staff
  claim page shows the rule set that decided;
* an administrator raises the tier-1 review limit on /admin/thresholds and the next claim
  in review is approved by one tier where it needed two.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from claimdesk.models.claim import Claim
from tests.bills.helpers import credit_code
from tests.browser.conftest import LiveServer, act, customer_login, login, logout, shot
from tests.browser.test_journey_staff_process import (
    open_claim,
    process_to_review,
    report_by_hotline,
    state,
)
from tests.claims.automatic.helpers import drain
from tests.claims.helpers import PDF

BEIJING = dt.timezone(dt.timedelta(hours=8))


def _small_policy(server: LiveServer, username: str) -> tuple[str, str]:
    """A small medical policy (MED-CLINIC) of the demo customer, in force for 200 days
    (past the waiting period), and one bank account in their name: what the automatic
    path pays to. Returns the policy number and the insured's name."""
    from claimdesk.auth import repository as auth_repository
    from claimdesk.models.org import OrgUnit
    from claimdesk.models.person import BankAccount, Person
    from tests.builders import add_bank_account, issue_policy, small_medical_version

    today = dt.datetime.now(BEIJING).date()
    with server.session() as session:
        user = auth_repository.get_user_by_username(session, username=username)
        assert user is not None and user.person_id is not None
        person = session.get(Person, user.person_id)
        assert person is not None
        version = small_medical_version(session)
        policy = issue_policy(
            session,
            version_id=version.id,
            policyholder_id=person.id,
            period_start=(today - dt.timedelta(days=200)).isoformat(),
            issued_at=(dt.datetime.now(BEIJING) - dt.timedelta(days=201)).isoformat(),
        )
        policy.org_unit_id = session.scalars(select(OrgUnit.id).where(OrgUnit.code == "BJ")).one()
        accounts = session.scalars(
            select(BankAccount).where(BankAccount.person_id == person.id)
        ).all()
        if not accounts:
            add_bank_account(session, person_id=person.id, holder_name=person.name)
        return policy.number, person.name


def _report_small_claim(server: LiveServer, policy_number: str, name: str) -> tuple[int, str]:
    """The service desk takes the report; the handler files the scanned claim form, ID
    and medical record (set-up through the API). Only the expense invoices are missing."""
    loss = dt.datetime.now(BEIJING).date() - dt.timedelta(days=3)
    with server.api("service") as api:
        response = api.post(
            "/claims",
            json={
                "channel": "hotline",
                "policy_number": policy_number,
                "claimant_name": name,
                "contact_phone": "13987654321",
                "loss_date": loss.isoformat(),
                "loss_place": "北京协和医院",
                "loss_cause": "illness",
                "loss_overview": "急性咽炎门诊",
                "estimated_amount": "800",
                "coverage_codes": ["medical"],
            },
        )
    assert response.status_code == 201, response.text
    claim_id, number = int(response.json()["id"]), str(response.json()["number"])
    with server.api("handler") as api:
        for code in ("claim_form", "identity_proof", "medical_record"):
            uploaded = api.post(
                f"/claims/{claim_id}/files",
                data={"material_code": code},
                files={"file": (f"{code}.pdf", PDF, "application/pdf")},
            )
            assert uploaded.status_code == 201, uploaded.text
    return claim_id, number


def _bill_files(claim_id: int, payer: str) -> tuple[bytes, bytes]:
    """The hospital's e-receipt (500.00 甲 + 300.00 乙) and its settlement statement
    (fund 300.00 + account 100.00 + cash 400.00 = 800.00), as in docs/bills.md."""
    issued = dt.datetime.now(BEIJING).date() - dt.timedelta(days=2)
    receipt = {
        "receipt_code": "11060126",
        "receipt_number": f"9{claim_id:09d}",
        "check_code": "x9Y8z7",
        "issuer": {"name": "北京协和医院", "credit_code": credit_code()},
        "payer": {"name": payer},
        "issue_date": issued.isoformat(),
        "total": "800.00",
        "items": [
            {
                "code": "003311000010000-331100001",
                "name": "门诊诊查",
                "quantity": "1",
                "unit_price": "500.00",
                "amount": "500.00",
                "chrgitm_lv": "1",
            },
            {
                "code": "XA01ABD075A002010100483",
                "name": "头孢呋辛酯片",
                "quantity": "10",
                "unit_price": "30.00",
                "amount": "300.00",
                "chrgitm_lv": "2",
                "self_pay_ratio": "0.10",
            },
        ],
    }
    settlement = {
        "setl_id": f"1100{claim_id:012d}",
        "setl_time": f"{issued.isoformat()}T16:20:00",
        "medfee_sumamt": "800.00",
        "fund_pay_sumamt": "300.00",
        "acct_pay": "100.00",
        "psn_cash_pay": "400.00",
        "fulamt_ownpay_amt": "0.00",
        "overlmt_selfpay": "0.00",
        "preselfpay_amt": "30.00",
        "inscp_scp_amt": "770.00",
    }
    return (
        json.dumps(receipt, ensure_ascii=False, indent=2).encode(),
        json.dumps(settlement, indent=2).encode(),
    )


def test_customer_sends_e_bill_at_375_and_is_paid_automatically(
    page: Any, mobile_page: Any, live_server: LiveServer
) -> None:
    # SPEC CLM-T1 (bills as data from the customer), CLM-T2 (paid without a person),
    # CLM-P2 (told the amount), issue 13 item 6 (paid automatically, rule set to staff)
    from claimdesk.claims.automatic.service import decision_of

    policy_number, name = _small_policy(live_server, "customer2")
    claim_id, number = _report_small_claim(live_server, policy_number, name)
    receipt, settlement = _bill_files(claim_id, name)
    phone = mobile_page
    customer_login(phone, live_server, "customer2")
    phone.goto(f"{live_server.url}/portal/claims/{claim_id}")
    phone.click("#ebill-link")
    phone.wait_for_selector("#bill-form")
    # A photo chosen by mistake is refused beside the file, in words
    phone.set_input_files(
        "#receipt_file",
        files=[{"name": "receipt.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff"}],
    )
    phone.click("#bill-submit")
    error = phone.inner_text("#receipt_file-error")
    assert "JSON" in error and "receipt_file" not in error
    phone.set_input_files(
        "#receipt_file",
        files=[{"name": "receipt.json", "mimeType": "application/json", "buffer": receipt}],
    )
    phone.set_input_files(
        "#settlement_file",
        files=[{"name": "settlement.json", "mimeType": "application/json", "buffer": settlement}],
    )
    shot(phone, "portal-ebill-upload-375")
    phone.click("#bill-submit")
    phone.wait_for_selector("#ebill-received")
    # The worker's jobs (the checks, then the automatic path), run here as it would.
    drain(live_server.factory)
    with live_server.session() as session:
        decision = decision_of(session, claim_id=claim_id)
        assert decision is not None, "the automatic path did not look at the claim"
        assert decision.outcome == "paid", [r.text_en for r in decision.reasons]
        amount = decision.amount
        assert amount is not None and amount > Decimal("0")
        claim = session.get(Claim, claim_id)
        assert claim is not None and claim.state in ("approved", "paid")
    phone.goto(f"{live_server.url}/portal/claims/{claim_id}")
    paid = phone.inner_text("#auto-paid")
    assert "已自动赔付" in paid and f"¥{amount:,.2f}" in paid
    assert phone.get_attribute("#auto-notice-link", "href") == f"/portal/claims/{claim_id}/notice"
    # Nothing wider than the phone (375 px)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width}px wide at 375px"
    shot(phone, "portal-claim-paid-automatically-375")
    # Staff see which rule set decided
    login(page, live_server, "reviewer1")
    open_claim(page, live_server, number)
    section = page.inner_text("#stp")
    assert decision.rule_set_version in section and "¥5,000.00" in section
    assert page.get_attribute("#auto-outcome", "data-outcome") == "paid"
    page.locator("#stp").scroll_into_view_if_needed()
    shot(page, "staff-claim-automatic-1280", full_page=False)


def _set_tier1(page: Any, server: LiveServer, amount: str, reason: str) -> None:
    page.goto(f"{server.url}/admin/thresholds")
    page.fill("#f-review_tier1_max", amount)
    page.fill("#f-reason", reason)
    page.click("#thresholds-form button[type=submit]")
    page.wait_for_selector("#thresholds-saved")


def test_administrator_raises_tier1_limit_and_the_next_claim_needs_one_tier(
    page: Any, live_server: LiveServer
) -> None:
    # SPEC CLM-V1 (configurable tiers), GEN-5 (versioned, audited), issue 12 journey
    from claimdesk.models.review import ReviewRound

    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/admin/thresholds")
    before = page.input_value("#f-review_tier1_max")
    # A refusal first: tier 1 above tier 2, said beside the field in words
    page.fill("#f-review_tier1_max", "200000")
    page.fill("#f-reason", "试算")
    page.click("#thresholds-form button[type=submit]")
    refused = page.inner_text("#review_tier2_max-error")
    assert "review_tier" not in refused and "CLM-" not in refused
    _set_tier1(page, live_server, "50000", "一级核赔权限上调至五万元（2026 年授权书）")
    history = page.inner_text("#thresholds-history")
    assert "一级核赔权限上调至五万元" in history
    assert page.locator("#thresholds-history tr[data-state=in_force]").count() == 1
    shot(page, "admin-thresholds-1280")
    page.goto(f"{live_server.url}/admin/checks")
    page.wait_for_selector("#check-duplicate_receipt")
    shot(page, "admin-checks-1280")
    logout(page)
    try:
        # The next claim (payable above the old 10,000 limit) reaches review...
        claim_id, number = report_by_hotline(live_server)
        process_to_review(page, live_server, number, screenshots=False)
        with live_server.session() as session:
            claim = session.get(Claim, claim_id)
            assert claim is not None and claim.payable_total is not None
            assert Decimal("10000") < claim.payable_total <= Decimal("50000")
            rounds = session.scalars(
                select(ReviewRound).where(ReviewRound.claim_id == claim_id)
            ).all()
            assert [r.tiers_required for r in rounds] == [1]
        # ...and one tier-1 approval decides it (two tiers under the old limit).
        login(page, live_server, "reviewer1")
        open_claim(page, live_server, number)
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
        act(page, "decide", {"decision": "approve", **checks, "reason": "一级权限内审核无误"})
        assert state(page) == "approved"
        logout(page)
    finally:
        # The journeys after this one in the same server expect the SPEC default.
        login(page, live_server, "admin")
        _set_tier1(page, live_server, before.replace(",", ""), "恢复默认一级核赔权限")
        logout(page)
