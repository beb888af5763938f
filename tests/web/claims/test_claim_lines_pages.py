"""Issue 6 acceptance: a claim of each line — medical, critical illness, accident
disability, accident death, property, liability — carried from report to close through
the PAGES only (the customer portal's report form, then the claim page's action forms,
each person logged in with their own session cookie and CSRF token; no /api/v1 call
after the set-up). Each walk checks the payable amount the page shows against SPEC's
formula worked by hand for the facts typed in, the final state, and the timeline."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.builders import demo_version, issue_policy
from tests.claims.helpers import PNG, FrozenClock, local
from tests.claims.steps import Settlement, build_settlement
from tests.web.claims.claim_pages import (
    ClaimPages,
    missing_materials,
    shown,
    state_of,
    timeline_actions,
)
from tests.web.helpers import form_token

CUSTOMER_PHONE = "13812345678"  # 李四, the insured of every policy here (builders default)
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
REVIEWERS = ("reviewer1", "reviewer2", "reviewer3")


@dataclass(frozen=True)
class Line:
    name: str
    policy: str
    coverage: str
    cause: str
    estimate: str
    assessment: dict[str, Any]  # what the assessor types into the line's fieldset
    payable: str  # worked by hand from SPEC section 5, shown as on the page
    tiers: int  # CLM-V1 defaults: ≤ 10,000 one tier; ≤ 100,000 two; above three
    survey: bool = True  # False: the configured skip of a small health claim
    payee: str = "insured"
    files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)


MEDICAL = Line(
    "medical",
    "MED-MILLION",
    "medical",
    "illness",
    "4000.00",
    {
        # ADJ-MED under 'all_necessary' (MED-MILLION: deductible 10,000, ratio 100%
        # when settled through social insurance; cosmetic items excluded):
        #   eligible = 12,000 (A) + 3,000 (B counts in full under all_necessary)
        #              + 0 (cosmetic, excluded) + 0 (removed by the assessor, CLM-L3)
        #            = 15,000
        #   net = 15,000 − social insurance 1,000 − other 0 = 14,000
        #   deductible applied = min(14,000, 10,000) = 10,000 → base 4,000
        #   payable = 4,000 × 100% = 4,000.00 (≤ remaining 3,000,000)
        "line1_description": "住院费",
        "line1_amount": "12000",
        "line1_catalog": "A",
        "line2_description": "药品",
        "line2_amount": "3000",
        "line2_catalog": "B",
        "line2_self_pay": "20",
        "line3_description": "祛疤美容",
        "line3_amount": "2000",
        "line3_kind": "cosmetic",
        "line4_description": "陪护费",
        "line4_amount": "500",
        "line4_removed": True,
        "line4_removal_reason": "非必要费用",
        "settled_with_social_insurance": True,
        "social_insurance_paid": "1000",
    },
    "¥4,000.00",
    tiers=1,
    survey=False,
)
CRITICAL_ILLNESS = Line(
    # ADJ-CI: CI-01 is a covered severe disease, diagnosed after the 90-day waiting
    # period (policy from 1 Jan, loss 8 Sep) → the sum insured, 500,000.00.
    "critical_illness",
    "CI-28",
    "ci",
    "illness",
    "300000.00",
    {"disease": "CI-01"},
    "¥500,000.00",
    tiers=3,
)
DISABILITY = Line(
    # ADJ-DIS / PER-3: grades 6, 6 and 9 — the most severe is 6, two injuries share it,
    # so it is raised to 5 = 60% × 500,000 = 300,000.00.
    "disability",
    "ACC-PLUS",
    "disability",
    "accident",
    "300000.00",
    {
        "injury1_description": "左臂",
        "injury1_grade": "6",
        "injury2_description": "右臂",
        "injury2_grade": "6",
        "injury3_description": "手指",
        "injury3_grade": "9",
    },
    "¥300,000.00",
    tiers=3,
)
DEATH = Line(
    # ADJ-DTH: 500,000 − disability already paid under the policy (none) = 500,000.00,
    # paid to the beneficiary named on the policy (CLM-P1).
    "death",
    "ACC-PLUS",
    "death",
    "accident",
    "400000.00",
    {},
    "¥500,000.00",
    tiers=3,
    payee="beneficiary",
)
PROPERTY = Line(
    # ADJ-PRP (HOME-PROP: sum insured 800,000, absolute deductible 500, rate 0,
    # proportional): repair = 30,000 + 8,000 − 2,000 = 36,000 (≤ actual value 50,000);
    # under-insured: 36,000 × 800,000 ÷ 1,000,000 = 28,800; × 100% × (1 − 0) − 500
    # = 28,300.00.
    "property",
    "HOME-PROP",
    "property",
    "water",
    "30000.00",
    {
        "property_mode": "repair",
        "repair_materials": "30000",
        "repair_labour": "8000",
        "repair_salvage": "2000",
        "actual_value": "50000",
        "insured_value": "1000000",
        "property_ratio": "100",
    },
    "¥28,300.00",
    tiers=2,
)
LIABILITY = Line(
    # ADJ-LIA (PUB-LIAB: limit 1,000,000, absolute deductible 1,000, rate 10%):
    # 80,000 × 75% × (1 − 0.10) − 1,000 = 53,000.00.
    "liability",
    "PUB-LIAB",
    "liability",
    "liability",
    "60000.00",
    {"damages": "80000", "liability_share": "75"},
    "¥53,000.00",
    tiers=2,
)
LINES = (MEDICAL, CRITICAL_ILLNESS, DISABILITY, DEATH, PROPERTY, LIABILITY)


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    """Staff of every role, the customer 李四 with a policy of each line (the accident
    policy names 赵六 as beneficiary), bank accounts for both."""
    s = build_settlement(db, client)
    holder = s.w.policies["MED-MILLION"].policyholder_id  # type: ignore[attr-defined]
    hq = s.w.policies["MED-MILLION"].org_unit_id  # type: ignore[attr-defined]
    for code in ("CI-28", "ACC-PLUS", "PUB-LIAB"):
        beneficiaries = (
            [{"person_id": s.stranger_id, "relationship": "配偶", "share": "100"}]
            if code == "ACC-PLUS"
            else None
        )
        policy = issue_policy(
            db,
            version_id=demo_version(db, code).id,
            policyholder_id=holder,
            beneficiaries=beneficiaries,
        )
        policy.org_unit_id = hq
        s.w.policies[code] = policy
    db.commit()
    return s


def report_in_portal(web: ClaimPages, s: Settlement, line: Line) -> int:
    """The customer reports on the portal (CLM-R1 app channel)."""
    web.login_customer("customer", CUSTOMER_PHONE)
    token = form_token(web.client, "/portal/report")
    response = web.client.post(
        "/portal/report",
        data={
            "csrf_token": token,
            "policy_number": s.w.policies[line.policy].number,  # type: ignore[attr-defined]
            "coverage_code": line.coverage,
            "loss_date": "2026-09-08",
            "loss_place": "北京市朝阳区",
            "loss_cause": line.cause,
            "loss_overview": "出险经过",
            "estimated_amount": line.estimate,
            "contact_phone": "13912345678",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    found = re.search(r"/portal/claims/(\d+)", response.headers["location"])
    assert found
    return int(found.group(1))


def accept(web: ClaimPages, cid: int, line: Line, reserve: str) -> None:
    web.login("handler")
    for code in missing_materials(web.page(cid)):
        web.do(cid, "receive_material", {"code": code, "count": "1", "original_checked": True})
    assert missing_materials(web.page(cid)) == []
    web.do(cid, "accept", {f"reserve__{line.coverage}": reserve, "reason": "材料齐全"})
    assert state_of(web.page(cid)) == "accepted"


def survey(web: ClaimPages, s: Settlement, cid: int, line: Line) -> None:
    if not line.survey:
        web.do(cid, "skip_survey")  # the configured rule, recorded (SPEC section 3)
        return
    form = web.open(cid, "assign_surveyor")
    labels = form.fields["surveyor_id"].labels
    # Each surveyor is offered with the unit they work in, to choose by region (CLM-S1).
    assert any("（" in label and label.endswith("）") for label in labels), labels
    surveyor = next(
        v
        for v, label in zip(form.fields["surveyor_id"].options, labels, strict=True)
        if label.split("（")[0] == "surveyor"
    )
    web.do(cid, "assign_surveyor", {"surveyor_id": surveyor}, form=form)
    web.login("surveyor")
    web.do(cid, "record_contact", {"note": "电话联系客户"})
    values: dict[str, Any] = {
        "surveyed_at": "2026-09-14T09:00",
        "place": "现场",
        "people": "李四",
        "actions": "询问经过、核对材料",
        "cause": "出险原因属实",
        "extent": "见定损",
        "conclusion": "属保险责任",
        "covered": True,
    }
    form = web.open(cid, "submit_survey")
    uploads = [f.name for f in form.fields.values() if f.kind == "file"]
    files = {uploads[0]: ("site.png", PNG, "image/png")} if uploads else None
    if "plan__site_photos" in form.fields and not files:
        # No evidence upload on this form: the photos go with the paper file.
        values |= {
            "plan__site_photos": "not_applicable",
            "plan_note__site_photos": "照片随纸质材料提交",
        }
    # Whatever else the line's survey plan asks (CLM-S2) is answered as a person would.
    web.do(cid, "submit_survey", values, form=form, files=files, fill=True)


def assess_and_adjust(web: ClaimPages, cid: int, line: Line) -> None:
    web.login("assessor")
    web.do(cid, "assess", {"coverage_code": line.coverage, **line.assessment})
    web.do(cid, "complete_assessment")
    assert state_of(web.page(cid)) == "assessed"
    web.login("adjuster")
    web.do(
        cid,
        "adjust",
        {"coverage_code": line.coverage, "liability": "covered"},
    )
    web.do(cid, "complete_adjustment")
    web.do(cid, "submit_review", {"reason": "理算完成"})
    assert state_of(web.page(cid)) == "in_review"


def review(web: ClaimPages, cid: int, line: Line) -> None:
    for tier, who in enumerate(REVIEWERS[: line.tiers], start=1):
        web.login(who)
        web.do(cid, "decide", {"decision": "approve", **CHECKS, "reason": "审核无误"})
        page = web.page(cid)
        assert f'data-tier="{tier}"' in page
        assert state_of(page) == ("approved" if tier == line.tiers else "in_review")


def pay(web: ClaimPages, s: Settlement, cid: int, line: Line) -> None:
    web.login("cashier")
    payee, account = (
        (s.insured_id, s.account_id)
        if line.payee == "insured"
        else (s.stranger_id, s.stranger_account_id)
    )
    # Choosing the payee re-renders the form with that person's accounts (CLM-P1).
    form = web.refresh(cid, "request_payment", {"payee": str(payee)})
    assert form.fields["bank_account_id"].options == [str(account)]
    web.do(
        cid, "request_payment", {"payee": str(payee), "bank_account_id": str(account)}, form=form
    )
    web.do(cid, "export_batch")
    web.do(cid, "confirm_payment", {"result": "paid", "reference": f"BK-{cid}"})
    page = web.page(cid)
    assert state_of(page) == "paid"
    paid = re.search(r'<li data-status="paid">([^<]*)</li>', page)
    assert paid, "no paid payment on the page"
    # CLM-P1: paid to whom, on which basis (the insured, or the named beneficiary).
    name, basis = ("李四", "被保险人") if line.payee == "insured" else ("赵六", "受益人")
    assert f"{name}（{basis}）" in paid.group(1) and line.payable in paid.group(1)  # GEN-6


def callback_and_close(web: ClaimPages, cid: int) -> None:
    web.login("agent")
    web.do(cid, "complete_callback", {"outcome": "reached", "satisfaction": "5"})
    web.login("reviewer1b")
    web.do(cid, "close", {"reason": "已赔付，回访完毕"})


@pytest.mark.parametrize("line", LINES, ids=lambda line: line.name)
def test_claim_of_each_line_from_report_to_close_through_the_pages(
    s: Settlement,
    client: TestClient,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
    line: Line,
) -> None:
    # SPEC CLM-R1 CLM-R3 CLM-A1 CLM-A2 CLM-S1 CLM-S3 CLM-L1 CLM-L3 CLM-L4 CLM-C1 CLM-C3
    # SPEC CLM-V1 CLM-V2 CLM-P1 CLM-P3 CLM-P5 CLM-X1 CLM-X2 FIN-1 GEN-5
    # SPEC ADJ-MED ADJ-CI ADJ-DIS ADJ-DTH ADJ-PRP ADJ-LIA PER-3
    FrozenClock(monkeypatch, local("2026-09-14T10:00:00"))  # a Monday; no holiday that week
    web = ClaimPages(client, db)
    cid = report_in_portal(web, s, line)
    reserve = line.payable.strip("¥").replace(",", "")
    accept(web, cid, line, reserve)
    survey(web, s, cid, line)
    assess_and_adjust(web, cid, line)
    page = web.page(cid)
    # The adjustment report's calculation as a table, amounts as CNY (CLM-C3).
    assert f'id="trace-{line.coverage}"' in page
    assert line.payable in page
    review(web, cid, line)
    pay(web, s, cid, line)
    callback_and_close(web, cid)

    page = web.page(cid)
    assert state_of(page) == "closed"
    assert shown(page, "payable") == line.payable
    assert shown(page, "paid") == line.payable
    surveying = (
        ["claim.assign_surveyor", "claim.record_contact", "claim.submit_survey"]
        if line.survey
        else ["claim.skip_survey"]
    )
    assert timeline_actions(page, moves_only=True) == [
        "claim.report",
        "claim.accept",
        *surveying,
        "claim.complete_assessment",
        "claim.complete_adjustment",
        "claim.submit_review",
        "claim.approve",
        "claim.pay",
        "claim.close",
    ]
    trail = timeline_actions(page)
    for step in ("claim.assessed", "claim.adjusted", "claim.payment_paid", "claim.callback_done"):
        assert step in trail, step
    assert trail.count("claim.review_approve") == line.tiers  # one decision per tier


def test_a_repair_assessment_and_its_calculation_read_in_words_for_the_reviewer(
    s: Settlement, client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-L3, CLM-C3, GEN-6: the reviewer reads the repair's parts as costs — 材料费,
    # 工时费, 残值 — in the assessment and in the calculation; "Materials" there read
    # 理赔材料, the claim's documents, a word of the checklist; and no medical fact
    FrozenClock(monkeypatch, local("2026-09-14T10:00:00"))
    web = ClaimPages(client, db)
    cid = report_in_portal(web, s, PROPERTY)
    accept(web, cid, PROPERTY, "28300.00")
    survey(web, s, cid, PROPERTY)
    assess_and_adjust(web, cid, PROPERTY)
    page = client.get(f"/claims/{cid}?lang=zh-CN").text
    assessment = page.split('id="assessment-title"', 1)[1].split("</section>", 1)[0]
    calculation = page.split('id="trace-property"', 1)[1].split("</table>", 1)[0]
    for part in (assessment, calculation):
        assert "材料费" in part and "工时费" in part, part
        assert "理赔材料" not in part, part
    # GEN-2: the days the calculation checks (date of loss, the policy's period) as dates.
    assert "2026年9月" in calculation and not re.search(r"\d{4}-\d{2}-\d{2}", calculation)
    # Nor is a house's damage "settled through social insurance" (经社保结算 否).
    assert "经社保结算" not in assessment
    english = client.get(f"/claims/{cid}?lang=en").text
    assert "Repair materials" in english.split('id="assessment-title"', 1)[1]
