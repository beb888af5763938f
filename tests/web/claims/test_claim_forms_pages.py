"""The claim page's forms beyond the main line, each through the page routes (the claim
is brought to the right state through the API first): the investigator's fraud
decisions (and nobody else's), reopening, who is paid, the delay notice, the case
reserve, the external adjuster's report, uploads, the calculation table, and a bad value
refused next to its field with nothing changed."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.models.claim import Assessment, Claim, FraudFlag, MaterialFile
from claimdesk.models.job import OutboxMessage
from claimdesk.models.payment import PayeeAuthorisation, Payment
from claimdesk.models.policy import Policy
from claimdesk.models.user import User
from claimdesk.people.service import add_bank_account
from tests.builders import demo_version, issue_policy, make_person, resident_id
from tests.claims.helpers import PDF, PNG, FrozenClock, local, plan_answers
from tests.claims.steps import (
    API,
    MEDICAL_4K,
    Settlement,
    approve,
    build_settlement,
    luhn_card,
    ok,
    walk_to_adjusted,
)
from tests.web.claims.claim_pages import ClaimPages, PageForm, shown, state_of, timeline_actions
from tests.web.claims.test_claim_lines_pages import (
    MEDICAL,
    accept,
    assess_and_adjust,
    callback_and_close,
    pay,
    report_in_portal,
    review,
    survey,
)

OTHER_ID_NUMBER = resident_id(birth="19700505", seq="321")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local("2026-09-14T10:00:00"))  # a Monday


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient, clock: FrozenClock) -> Settlement:
    """Staff, the customer 李四 with a policy of each line (赵六 the accident policy's
    beneficiary), and 王五 — on record with a bank account, on no policy."""
    s = build_settlement(db, client)
    s.w.clock = clock  # type: ignore[attr-defined]
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
    other = make_person(db, name="王五", id_number=OTHER_ID_NUMBER, phone="13600000000")
    add_bank_account(
        db,
        actor=Principal.system("test"),
        person_id=other.id,
        holder_name="王五",
        bank_name="中国农业银行",
        account_number=luhn_card("622848000000789"),
    )
    db.commit()
    return s


CAUSES = {"MED-MILLION": "illness", "CI-28": "illness", "ACC-PLUS": "accident"}


def adjusted(s: Settlement, policy: str, coverage: str, facts: dict[str, Any]) -> int:
    """Set-up through the API on 14 Sep: report → accept → survey → assess → adjusted."""
    return walk_to_adjusted(
        s.w,
        s.w.clock,  # type: ignore[attr-defined]
        policy=policy,
        day="2026-09-14",
        report={
            "coverage_codes": [coverage],
            "loss_cause": CAUSES.get(policy, "liability"),
            "loss_date": "2026-09-08",
        },
        assessment={"coverage_code": coverage, **facts},
    )


def surveyed(s: Settlement, policy: str, coverage: str, cause: str) -> int:
    """Set-up through the API: report → accept → survey with evidence → surveyed."""
    w, c = s.w, s.w.client
    claim = ok(
        c.post(
            API,
            json={
                "channel": "hotline",
                "policy_number": w.policies[policy].number,  # type: ignore[attr-defined]
                "claimant_name": "李四",
                "contact_phone": "13912345678",
                "loss_date": "2026-09-08",
                "loss_place": "北京市朝阳区",
                "loss_cause": cause,
                "loss_overview": "出险",
                "estimated_amount": "50000.00",
                "coverage_codes": [coverage],
            },
            headers=w.h["handler"],
        ),
        201,
    )
    cid = int(claim["id"])
    for item in claim["checklist"]:
        ok(
            c.post(
                f"{API}/{cid}/materials/receive",
                json={"code": item["code"]},
                headers=w.h["handler"],
            )
        )
    ok(c.post(f"{API}/{cid}/accept", json={}, headers=w.h["handler"]))
    ok(
        c.post(
            f"{API}/{cid}/survey/assign",
            json={"surveyor_id": w.users["surveyor"]},
            headers=w.h["handler"],
        )
    )
    ok(c.post(f"{API}/{cid}/survey/contact", json={"note": "电话联系"}, headers=w.h["surveyor"]))
    photo = ok(
        c.post(
            f"{API}/{cid}/files",
            data={"purpose": "evidence"},
            files={"file": ("p.png", PNG, "image/png")},
            headers=w.h["surveyor"],
        ),
        201,
    )
    ok(
        c.post(
            f"{API}/{cid}/survey/report",
            json={
                "surveyed_at": "2026-09-14T09:00:00+08:00",
                "place": "现场",
                "people": "李四",
                "actions": "核实",
                "conclusion": "属保险责任",
                "covered": True,
                "cause": "出险",
                "extent": "损失属实",
                "evidence_file_ids": [photo["id"]],
                "plan": plan_answers(c, cid, w.h["surveyor"]),
            },
            headers=w.h["surveyor"],
        )
    )
    return cid


def approved(s: Settlement, cid: int, tiers: int) -> None:
    """Set-up through the API: submitted and approved by each tier."""
    ok(s.w.client.post(f"{API}/{cid}/review/submit", json={}, headers=s.w.h["adjuster"]))
    for who in ("reviewer1", "reviewer2", "reviewer3")[:tiers]:
        approve(s.w, cid, who)


def claim_state(db: Session, cid: int) -> str:
    db.expire_all()
    return db.scalars(select(Claim.state).where(Claim.id == cid)).one()


def error_beside(form: PageForm, action: str, name: str) -> str:
    """The refusal's message, shown right after the field it names (aria-linked)."""
    field = re.search(
        rf'id="{action}-{name}"[^>]*aria-invalid="true" aria-describedby="{action}-error"',
        form.html,
        re.S,
    )
    assert field, f"{name} is not marked invalid: {form.errors}"
    after = form.html[field.end() :]
    message = re.search(
        rf'<p class="error field-error" role="alert" id="{action}-error">([^<]+)</p>', after
    )
    assert message, f"no message after {name}"
    # Nothing but the field's own closing markup between the field and its message.
    assert "<label" not in after[: message.start()], "the message is not next to its field"
    return message.group(1)


# -- fraud hold (CLM-F1) -----------------------------------------------------------------


def test_investigator_confirms_and_clears_fraud_holds_others_cannot(
    s: Settlement, client: TestClient, db: Session
) -> None:
    # SPEC CLM-F1 (only an investigator clears or confirms; art. 27 consequences),
    # SPEC SEC-4 (the action is neither offered nor accepted for another role), GEN-6
    cid = adjusted(s, "PUB-LIAB", "liability", {"damages": "200000.00", "liability_ratio": "0.6"})
    web = ClaimPages(client, db)
    web.login("adjuster")
    web.do(cid, "flag_fraud", {"description": "损失清单虚报"})
    assert claim_state(db, cid) == "suspended"

    web.login("handler")
    offered = web.offered(cid)
    assert "clear_fraud" not in offered and "confirm_fraud" not in offered
    assert client.get(f"/claims/{cid}/actions/clear_fraud").status_code == 403
    token = re.search(r'name="csrf_token" value="([^"]+)"', web.page(cid)).group(1)  # type: ignore[union-attr]
    flag = db.scalars(select(FraudFlag.id).where(FraudFlag.claim_id == cid)).one()
    refused = client.post(
        f"/claims/{cid}/actions/clear_fraud",
        data={"csrf_token": token, "flag_id": str(flag), "note": "无问题"},
    )
    assert refused.status_code == 403
    assert claim_state(db, cid) == "suspended"

    web.login("investigator")
    assert {"clear_fraud", "confirm_fraud"} <= set(web.offered(cid))
    # Forged evidence without the part not to pay: refused beside that field.
    form = web.refused(cid, "confirm_fraud", {"outcome": "forged_evidence", "note": "发票系伪造"})
    assert "“" in error_beside(form, "confirm_fraud", "exaggerated_amount")
    assert claim_state(db, cid) == "suspended"
    # Exaggerated loss: only the exaggerated part is refused (art. 27).
    web.do(
        cid,
        "confirm_fraud",
        {"outcome": "exaggerated_loss", "note": "虚报 7000 元", "exaggerated_amount": "7000.00"},
    )
    page = web.page(cid)
    assert state_of(page) == "adjusted"
    assert shown(page, "payable") == "¥100,000.00"  # 107,000.00 − 7,000.00
    assert 'data-status="confirmed"' in page

    # A second flag, cleared: the claim goes back to where it was.
    web.login("adjuster")
    web.do(cid, "flag_fraud", {"description": "再次核查"})
    web.login("investigator")
    web.do(cid, "clear_fraud", {"note": "经核查无欺诈"})
    page = web.page(cid)
    assert state_of(page) == "adjusted"
    assert "claim.clear_fraud" in timeline_actions(page)


def test_fabricated_event_rescinds_the_policy_and_refuses_the_claim(
    s: Settlement, client: TestClient, db: Session
) -> None:
    # SPEC CLM-F1 (fabricated event: rescission without refund, claim refused, police)
    cid = adjusted(s, "CI-28", "ci", {"disease": "CI-01"})
    web = ClaimPages(client, db)
    web.login("handler")
    web.do(cid, "flag_fraud", {"description": "病历系伪造"})
    web.login("investigator")
    web.do(
        cid,
        "confirm_fraud",
        {
            "outcome": "fabricated_event",
            "note": "编造保险事故",
            "police_referred": True,
            "police_reference": "京公刑 2026-0914",
        },
    )
    assert claim_state(db, cid) == "rejected"
    policy = db.get(Policy, s.w.policies["CI-28"].id)  # type: ignore[attr-defined]
    assert policy is not None and policy.status == "terminated"
    assert policy.refund_amount == Decimal("0.00")
    page = web.page(cid)
    assert "京公刑 2026-0914" in page and "claim.confirm_fraud_reject" in timeline_actions(page)


# -- reopen (CLM-X2) ---------------------------------------------------------------------


def test_reopen_needs_a_reason_and_returns_the_claim_to_adjustment(
    s: Settlement, client: TestClient, db: Session
) -> None:
    # SPEC CLM-X2 (reopened with a reason), CLM-X1, GEN-5 (on the trail), GEN-6
    web = ClaimPages(client, db)
    cid = report_in_portal(web, s, MEDICAL)
    accept(web, cid, MEDICAL, "4000.00")
    survey(web, s, cid, MEDICAL)
    assess_and_adjust(web, cid, MEDICAL)
    review(web, cid, MEDICAL)
    pay(web, s, cid, MEDICAL)
    callback_and_close(web, cid)
    assert claim_state(db, cid) == "closed"

    web.login("handler")
    assert "reopen" not in web.offered(cid)
    web.login("reviewer2")
    form = web.refused(cid, "reopen", {"reason": ""})
    assert "“" in error_beside(form, "reopen", "reason")
    assert claim_state(db, cid) == "closed"
    web.do(cid, "reopen", {"reason": "客户补充了新的发票"})
    page = web.page(cid)
    assert state_of(page) == "assessed"
    moves = timeline_actions(page, moves_only=True)
    assert moves[-3:] == ["claim.close", "claim.reopen", "claim.resume_adjustment"]
    assert "客户补充了新的发票" in page


# -- payee (CLM-P1), advance (CLM-V4), delay notice (CLM-P4) ---------------------------


def test_payee_other_needs_an_authorisation_document_on_file(
    s: Settlement, client: TestClient, db: Session
) -> None:
    # SPEC CLM-P1 (insured, beneficiary, or authorised by a document on file), GEN-6
    cid = adjusted(s, "ACC-PLUS", "death", {})
    approved(s, cid, tiers=3)
    web = ClaimPages(client, db)
    web.login("cashier")
    form = web.open(cid, "request_payment")
    labels = form.fields["payee"].labels
    assert any("被保险人" in label and "李四" in label for label in labels)
    assert any("受益人" in label and "赵六" in label for label in labels)  # named on the policy
    # Someone else, not on record: refused beside the ID number.
    other = web.refresh(
        cid, "request_payment", {"payee": "other", "payee_id_number": resident_id(seq="999")}
    )
    refused = web.refused(cid, "request_payment", {"payee": "other"}, form=other)
    assert "“" in error_beside(refused, "request_payment", "payee_id_number")
    # 王五 is on record, but without a document: refused beside the document field.
    other = web.refresh(
        cid, "request_payment", {"payee": "other", "payee_id_number": OTHER_ID_NUMBER}
    )
    account = other.fields["bank_account_id"].options
    assert len(account) == 1 and "王五" in other.fields["bank_account_id"].labels[0]
    values = {"payee": "other", "payee_id_number": OTHER_ID_NUMBER, "bank_account_id": account[0]}
    refused = web.refused(cid, "request_payment", values, form=other)
    message = error_beside(refused, "request_payment", "authorisation_file")
    assert "授权" in message  # the rule: a power of attorney or notarial certificate
    assert db.scalar(select(func.count()).select_from(Payment)) == 0
    assert db.scalar(select(func.count()).select_from(PayeeAuthorisation)) == 0
    # With the signed power of attorney uploaded: recorded, and the payment is theirs.
    web.do(
        cid,
        "request_payment",
        {**values, "authorisation_kind": "power_of_attorney"},
        form=other,
        files={"authorisation_file": ("poa.pdf", PDF, "application/pdf")},
    )
    db.expire_all()
    payment = db.scalars(select(Payment).where(Payment.claim_id == cid)).one()
    assert (payment.payee_name, payment.payee_basis, payment.amount) == (
        "王五",
        "authorised",
        Decimal("500000.00"),
    )
    authorisation = db.scalars(select(PayeeAuthorisation)).one()
    document = db.get(MaterialFile, authorisation.file_id)
    assert document is not None and document.purpose == "authorisation"
    page = web.page(cid)
    assert "授权领款人" in page and "claim.payee_authorised" in timeline_actions(page)
    # GEN-6: the payee's basis in Chinese brackets — 王五（授权领款人）, not 王五 (授权领款人)
    assert "王五（授权领款人）" in page


def test_advance_and_delay_notice(s: Settlement, client: TestClient, db: Session) -> None:
    # SPEC CLM-V4 (advance of the part that can be fixed, art. 25), CLM-P4 (a
    # foreseeable delay told in advance: one message), FIN-1 (capped by the reserve)
    cid = adjusted(s, "ACC-PLUS", "disability", {"injuries": [{"description": "左腿", "grade": 5}]})
    ok(s.w.client.post(f"{API}/{cid}/review/submit", json={}, headers=s.w.h["adjuster"]))
    web = ClaimPages(client, db)
    web.login("cashier")
    offered = web.offered(cid)
    assert "advance_payment" in offered and "delay_notice" in offered
    reserve = Decimal(shown(web.page(cid), "reserve").strip("¥").replace(",", ""))
    too_much = web.refused(cid, "advance_payment", {"amount": str(reserve + 1)})
    assert "“" in error_beside(too_much, "advance_payment", "amount")
    web.do(cid, "advance_payment", {"amount": "100000.00"})
    db.expire_all()
    advance = db.scalars(select(Payment).where(Payment.claim_id == cid)).one()
    assert (advance.kind, advance.amount, advance.payee_basis) == (
        "advance",
        Decimal("100000.00"),
        "insured",
    )

    delay = {"reason_code": "holidays", "expected_arrival": "2026-10-09"}
    refused = web.refused(cid, "delay_notice", {**delay, "reason": ""})
    assert refused.errors
    for _ in range(2):  # a second click sends nothing more
        web.do(cid, "delay_notice", {**delay, "reason": "国庆节假期银行暂停处理"})
    db.expire_all()
    messages = db.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "claim.payment_delay")
    ).all()
    # The category in words and the date as the customer writes it; the note stays inside.
    assert len(messages) == 1 and "（节假日），预计 2026年10月9日 前到账" in messages[0].body
    assert "国庆节假期银行暂停处理" not in messages[0].body
    assert "claim.payment_delay_notified" in timeline_actions(web.page(cid))


# -- reserve (FIN-1) ---------------------------------------------------------------------


def test_reserve_revision_with_a_reason(s: Settlement, client: TestClient, db: Session) -> None:
    # SPEC FIN-1 (revised with a reason, never above what the coverage can pay), GEN-6
    cid = surveyed(s, "HOME-PROP", "property", "water")
    web = ClaimPages(client, db)
    web.login("handler")
    form = web.refused(cid, "revise_reserve", {"amount": "26000", "reason": ""})
    assert "“" in error_beside(form, "revise_reserve", "reason")
    form = web.refused(cid, "revise_reserve", {"amount": "900000", "reason": "估损上调"})
    assert "800000.00" in error_beside(
        form, "revise_reserve", "amount"
    )  # the remaining sum insured
    assert shown(web.page(cid), "reserve") == "¥50,000.00"  # unchanged
    web.do(cid, "revise_reserve", {"amount": "26000", "reason": "查勘后估损下调"})
    page = web.page(cid)
    assert shown(page, "reserve") == "¥26,000.00"
    assert "查勘后估损下调" in page and "claim.reserve_revised" in timeline_actions(page)


# -- assessment: property total loss, the external adjuster (CLM-L1, CLM-L2) ------------


def test_total_loss_by_the_contracts_valuation_basis(
    s: Settlement, client: TestClient, db: Session
) -> None:
    # SPEC CLM-L1 (total loss by the contract's basis), ADJ-PRP (depreciated value),
    # SPEC GEN-6 (the replacement value is asked for, beside its field)
    cid = surveyed(s, "HOME-PROP", "property", "water")
    web = ClaimPages(client, db)
    web.login("assessor")
    form = web.open(cid, "assess")
    assert "10%" in form.html  # the basis the contract fixes: depreciated, 10% a year
    refused = web.refused(cid, "assess", {"property_mode": "total_loss", "total_years_in_use": "3"})
    assert "“" in error_beside(refused, "assess", "total_replacement_value")
    web.do(
        cid,
        "assess",
        {
            "property_mode": "total_loss",
            "total_replacement_value": "100000",
            "total_years_in_use": "3",
        },
    )
    web.do(cid, "complete_assessment")
    web.login("adjuster")
    web.do(cid, "adjust", {"coverage_code": "property", "liability": "covered"})
    page = web.page(cid)
    # 100,000 × max(0, 1 − 10% × 3) = 70,000; no proportion (no insured value given);
    # × 100% × (1 − 0) − 500 = 69,500.00.
    assert "¥70,000.00" in page and "¥69,500.00" in page


def test_external_adjuster_report_needs_both_sides(
    s: Settlement, client: TestClient, db: Session
) -> None:
    # SPEC CLM-L2 (an external loss adjuster's report, accepted by both sides)
    cid = surveyed(s, "PUB-LIAB", "liability", "liability")
    web = ClaimPages(client, db)
    web.login("assessor")
    web.do(
        cid,
        "assess",
        {"damages": "80000", "liability_share": "75", "external_adjuster": "华信公估"},
        files={"external_report": ("report.pdf", PDF, "application/pdf")},
    )
    db.expire_all()
    assessment = db.scalars(select(Assessment).where(Assessment.claim_id == cid)).one()
    report = db.get(MaterialFile, assessment.external_report_file_id)
    assert report is not None and report.purpose == "adjuster_report"
    # Not offered until both sides accepted the report (the guard the service checks,
    # issue 12: a page offers only what the service then accepts).
    assert "complete_assessment" not in web.offered(cid)
    web.do(cid, "accept_adjuster_report", {"side": "insurer"})
    assert "accept_adjuster_report" in web.offered(cid)  # the customer's side is missing
    web.do(cid, "accept_adjuster_report", {"side": "customer", "accepted_by": "李四"})
    assert "accept_adjuster_report" not in web.offered(cid)
    web.do(cid, "complete_assessment")
    assert claim_state(db, cid) == "assessed"
    page = web.page(cid)
    assert "华信公估" in page and "claim.adjuster_report_accepted" in timeline_actions(page)


def test_staff_upload_marks_the_material_in(s: Settlement, client: TestClient, db: Session) -> None:
    # SPEC CLM-A2 (upload tied to the staff member's verified session), CLM-A1
    claim = ok(
        s.w.client.post(
            API,
            json={
                "channel": "branch_counter",
                "policy_number": s.w.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
                "claimant_name": "李四",
                "loss_date": "2026-09-08",
                "loss_place": "北京",
                "loss_cause": "illness",
                "loss_overview": "住院",
                "coverage_codes": ["medical"],
            },
            headers=s.w.h["handler"],
        ),
        201,
    )
    cid = int(claim["id"])
    web = ClaimPages(client, db)
    web.login("handler")
    refused = web.refused(
        cid, "upload_file", {"purpose": "material", "material_code": "claim_form"}
    )
    assert "“" in error_beside(refused, "upload_file", "file")
    web.do(
        cid,
        "upload_file",
        {"purpose": "material", "material_code": "claim_form"},
        files={"file": ("form.pdf", PDF, "application/pdf")},
    )
    page = web.page(cid)
    assert '<li data-code="claim_form" class="ok"' in page and "form.pdf" in page


# -- what the page shows -------------------------------------------------------------------


def test_calculation_trace_is_a_table_of_steps_with_amounts_in_cny(
    s: Settlement, client: TestClient, db: Session
) -> None:
    # SPEC CLM-C3 (each step of the calculation and the final amount), ADJ-MED, GEN-1
    cid = adjusted(
        s, "MED-MILLION", "medical", {k: v for k, v in MEDICAL_4K.items() if k != "coverage_code"}
    )
    web = ClaimPages(client, db)
    web.login("adjuster")
    page = web.page(cid)
    table = page[
        page.index('id="trace-medical"') : page.index("</table>", page.index('id="trace-medical"'))
    ]
    rows = re.findall(r'<tr data-code="([A-Z.\-a-z0-9]+)">', table)
    assert rows[:2] == ["MED.PERIOD", "MED.WAITING"] and rows[-1] == "ROUND"
    assert "MED.ELIGIBLE" in rows and "MED.DEDUCTIBLE" in rows
    # zh-CN: step names and rules in words, amounts as CNY with two decimals.
    for text in (
        "可赔费用",
        "¥15,000.00",
        "¥14,000.00",
        "¥10,000.00",
        "¥4,000.00",
        "保险条款·免赔额",  # the clause a person cites, not the SPEC ID (issue 12)
    ):
        assert text in table, text
    assert "ADJ-MED" not in table
    assert "15000.00<" not in table  # no raw figures
    english = client.get(f"/claims/{cid}?lang=en").text
    table = english[english.index('id="trace-medical"') :]
    for text in ("Eligible expense", "Deductible applied", "¥15,000.00", "Rounded half-up"):
        assert text in table, text


def test_bad_value_is_refused_beside_its_field_and_changes_nothing(
    s: Settlement, client: TestClient, db: Session
) -> None:
    # SPEC GEN-6 (the field and the rule named, in the user's language; nothing written)
    cid = surveyed(s, "MED-MILLION", "medical", "illness")
    web = ClaimPages(client, db)
    web.login("assessor")
    values = {"line1_description": "住院费", "line1_amount": "-500"}
    trial = web.submit(cid, "assess", values, validate=True)  # while typing
    assert 'role="alert"' in trial.text and "费用明细 1：金额" in trial.text
    form = web.refused(cid, "assess", values)
    message = error_beside(form, "assess", "line1_amount")
    assert "费用明细 1：金额" in message  # the label the assessor sees, not lines.0.amount
    assert form.fields["line1_amount"].value == "-500"  # what was typed is kept
    assert claim_state(db, cid) == "surveyed"
    assert db.scalar(select(func.count()).select_from(Assessment)) == 0
    english = web.client.post(
        f"/claims/{cid}/actions/assess?lang=en",
        data={**web._data(web.open(cid, "assess"), values)},
    )
    # The rule with its limit, in words (GEN-6), not pydantic's "greater than or equal to 0"
    assert "Expense line 1: amount" in english.text
    assert "may not be negative (at least 0)" in english.text
    assert "不能为负数（不得小于 0）" in message


# -- special cases (CLM-Z1..Z3) ---------------------------------------------------------


def _reported(s: Settlement, estimate: str = "3000.00") -> int:
    claim = ok(
        s.w.client.post(
            API,
            json={
                "channel": "hotline",
                "policy_number": s.w.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
                "claimant_name": "李四",
                "contact_phone": "13912345678",
                "loss_date": "2026-09-08",
                "loss_place": "上海市浦东新区",
                "loss_cause": "illness",
                "loss_overview": "住院",
                "estimated_amount": estimate,
                "coverage_codes": ["medical"],
            },
            headers=s.w.h["handler"],
        ),
        201,
    )
    return int(claim["id"])


def test_mass_event_remote_claim_and_posted_materials(
    s: Settlement, client: TestClient, db: Session
) -> None:
    # SPEC CLM-Z2 (grouped under its event: green channel), CLM-Z1 (remote claim, the
    # materials mailed with the case number and received into the checklist)
    from claimdesk.models.org import OrgUnit
    from tests.builders import make_org_unit

    event = ok(
        s.w.client.post(
            "/api/v1/claim-events",
            json={
                "name": "9·10 暴雨",
                "event_type": "flood",
                "region": "上海",
                "starts_on": "2026-09-01",
                "deferrable_materials": ["expense_invoices"],
                "guide_zh": "简化材料",
                "guide_en": "Simplified materials",
            },
            headers=s.w.h["reviewer1"],
        ),
        201,
    )
    hq = db.scalars(select(OrgUnit).where(OrgUnit.code == "HQ")).one()
    make_org_unit(db, code="SH", name="上海分公司", kind="branch", parent=hq, region_code="310000")
    db.commit()
    cid = _reported(s)
    web = ClaimPages(client, db)
    web.login("handler")
    web.do(cid, "link_event", {"event_id": str(event["id"])})
    web.do(
        cid,
        "designate_remote",
        {
            "local_org_unit_id": web.open(cid, "designate_remote").option_value(
                "local_org_unit_id", "上海"
            )
        },
    )
    page = web.page(cid)
    assert "9·10 暴雨" in page and "上海分公司" in page
    offered = web.offered(cid)
    assert "link_event" not in offered and "designate_remote" not in offered
    missing = re.findall(r'<li data-code="([a-z_]+)" class="missing"', page)
    items = {f"item__{code}": True for code in missing}
    web.do(
        cid,
        "record_mailing",
        {"carrier": "顺丰", "tracking_number": "SF1234567890", "sent_on": "2026-09-14", **items},
    )
    web.do(cid, "receive_mailing")  # the one parcel on its way
    page = web.page(cid)
    assert re.findall(r'class="missing"', page) == []
    assert {"claim.event_linked", "claim.remote_designated", "claim.materials_mailed"} <= set(
        timeline_actions(page)
    )


def test_dispute_answered_by_the_named_person_then_taken_along_its_path(
    s: Settlement, client: TestClient, db: Session
) -> None:
    # SPEC CLM-Z3 (answered within 2 hours by a named person; small: re-review or
    # negotiation), GEN-6 (a path for large disputes is refused for a small one)
    cid = _reported(s)
    web = ClaimPages(client, db)
    web.login("handler")
    web.do(cid, "file_dispute", {"description": "认为免赔额计算有误", "disputed_amount": "2000"})
    page = web.page(cid)
    assert 'data-status="open"' in page and "认为免赔额计算有误" in page
    web.login("agent")  # not the named person: only they answer
    form = web.refused(cid, "answer_dispute", {"answer": "我来答复"})
    assert form.errors
    web.login("handler")
    web.do(cid, "answer_dispute", {"answer": "已复核，将在两个工作日内回复详细说明"})
    refused = web.refused(cid, "escalate_dispute", {"path": "arbitration", "note": "客户要求仲裁"})
    assert "“" in error_beside(refused, "escalate_dispute", "path")
    web.do(cid, "escalate_dispute", {"path": "re_review", "note": "申请重新审核"})
    web.do(cid, "resolve_dispute", {"outcome": "settled", "note": "协商一致", "amount": "1000"})
    page = web.page(cid)
    assert 'data-status="resolved"' in page and "协商一致" in page
    trail = timeline_actions(page)
    for step in (
        "claim.dispute_filed",
        "claim.dispute_answered",
        "claim.dispute_escalated",
        "claim.dispute_resolved",
    ):
        assert step in trail, step


# -- a report taken by phone (CLM-R1..R3) --------------------------------------------------


def test_staff_report_by_phone_finds_the_policy_by_id_number(
    s: Settlement, client: TestClient, db: Session
) -> None:
    # SPEC CLM-R1 (hotline channel recorded), CLM-R2 (policy found by the insured's ID
    # number and the date of loss), CLM-R3 (number at once), GEN-5 (look-up audited),
    # GEN-6 (a missing field refused beside it, nothing created)
    from claimdesk.models.audit import AuditEntry
    from tests.web.helpers import form_token

    web = ClaimPages(client, db)
    web.login("handler")
    assert 'href="/claims/new"' in web.client.get("/workbench").text
    token = form_token(client, "/claims/new")
    base = {
        "csrf_token": token,
        "channel": "hotline",
        "insured_id_number": s.w.insured_id_number,
        "loss_date": "2026-09-08",
    }
    # 李四 has a policy of every line in force on that day: the number is asked for.
    ambiguous = client.post("/claims/new?find=1", data=base)
    assert ambiguous.status_code == 200
    assert re.search(r'id="insured_id_number"[^>]*aria-invalid="true"', ambiguous.text)
    assert "多张有效保单" in ambiguous.text
    assert any("lookup" in a for a in db.scalars(select(AuditEntry.action)))  # audited read
    number = s.w.policies["ACC-PLUS"].number  # type: ignore[attr-defined]
    found = client.post("/claims/new?find=1", data={**base, "policy_number": number})
    assert 'id="policy-found"' in found.text and number in found.text
    assert 'value="disability"' in found.text and 'value="death"' in found.text
    claims_before = db.scalar(select(func.count()).select_from(Claim))
    facts = {
        **base,
        "policy_number": s.w.policies["ACC-PLUS"].number,  # type: ignore[attr-defined]
        "coverage_codes": "disability",
        "loss_cause": "accident",
        "loss_place": "北京市海淀区",
        "loss_overview": "",
        "claimant_name": "李四",
        "contact_phone": "13912345678",
    }
    refused = client.post("/claims/new", data=facts)
    assert refused.status_code == 422
    assert re.search(r'id="loss_overview"[^>]*aria-invalid="true"', refused.text)
    assert db.scalar(select(func.count()).select_from(Claim)) == claims_before
    done = client.post(
        "/claims/new", data={**facts, "loss_overview": "骑车摔伤"}, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    location = done.headers["location"]
    cid = int(location.split("?")[0].rsplit("/", 1)[1])
    # GEN-6, CLM-R3: the claim page says the report was entered and who takes it up next
    landed = client.get(location).text
    assert "已完成：录入报案" in landed and "接下来由理赔专员跟进受理" in landed
    assert "已完成" not in web.page(cid)  # only right after the report
    db.expire_all()
    claim = db.get(Claim, cid)
    assert claim is not None
    assert (claim.channel, claim.coverage_codes, claim.state) == (
        "hotline",
        ["disability"],
        "reported",
    )
    assert "claim.report" in timeline_actions(web.page(cid))


# -- rejection (CLM-V3) and its callback (CLM-X2) ----------------------------------------


def test_rejection_confirmed_by_the_next_tier_then_a_callback_explaining_the_options(
    s: Settlement, client: TestClient, db: Session
) -> None:
    # SPEC CLM-V3 (a rejection needs the next tier and a notice with clause, facts and
    # the way to appeal), CLM-X2 (the rejection callback explains mediation and
    # arbitration), CLM-V1 (two different people), GEN-6
    medical = {k: v for k, v in MEDICAL_4K.items() if k != "coverage_code"}
    cid = adjusted(s, "MED-MILLION", "medical", medical)
    ok(s.w.client.post(f"{API}/{cid}/review/submit", json={}, headers=s.w.h["adjuster"]))
    web = ClaimPages(client, db)
    web.login("reviewer1")
    proposal = {"decision": "reject", "rejection_ground": "exclusion", "reason": "属责任免除"}
    form = web.refused(cid, "decide", proposal)
    assert "“" in error_beside(form, "decide", "rejection_clause")
    web.do(
        cid,
        "decide",
        {
            **proposal,
            "rejection_clause": "第七条 责任免除：美容整形",
            "rejection_facts": "所涉费用为美容项目",
        },
    )
    assert claim_state(db, cid) == "in_review"
    web.login("reviewer2")
    web.do(cid, "decide", {"decision": "reject", "reason": "同意拒赔"})
    page = web.page(cid)
    assert state_of(page) == "rejected"
    assert "rejection-notice.pdf" in page
    web.login("agent")
    form = web.refused(cid, "complete_callback", {"outcome": "reached"})
    assert "“" in error_beside(form, "complete_callback", "option__mediation")
    web.do(
        cid,
        "complete_callback",
        {"outcome": "reached", "option__mediation": True, "option__arbitration": True},
    )
    web.login("reviewer1b")
    web.do(cid, "close", {"reason": "拒赔已告知"})
    moves = timeline_actions(web.page(cid), moves_only=True)
    assert moves[-3:] == ["claim.submit_review", "claim.reject", "claim.close"]


def test_reports_are_signed_with_the_persons_name(
    s: Settlement, client: TestClient, db: Session
) -> None:
    # SPEC CLM-C3 (the adjuster signs the report): a person's name, never the username
    # (issue 12: "signatures show usernames").
    cid = adjusted(
        s, "MED-MILLION", "medical", {k: v for k, v in MEDICAL_4K.items() if k != "coverage_code"}
    )
    adjuster = db.scalars(select(User).where(User.username == "adjuster")).one()
    adjuster.display_name = "理算员 徐丽"
    db.commit()
    web = ClaimPages(client, db)
    web.login("adjuster")
    page = web.page(cid)
    signed = re.findall(r"签字人 ([^·<]+) ·", page)
    assert signed and all(name.strip() == "理算员 徐丽" for name in signed), signed


@pytest.mark.parametrize(
    ("lang", "label", "choices"),
    [
        ("zh-CN", "核赔决定", ["本级核赔通过", "本级核赔拒赔", "退回理算"]),
        (
            "en",
            "Review decision",
            ["Approved at this tier", "Rejected at this tier", "Returned to adjustment"],
        ),
    ],
)
def test_the_decision_form_names_the_decisions_as_the_review_pages_do(
    s: Settlement, client: TestClient, db: Session, lang: str, label: str, choices: list[str]
) -> None:
    # SPEC CLM-V1, GEN-6: a tier's choices read as the claim page's list of decisions and
    # its timeline name them (本级核赔通过), not the bare verbs 通过 / Approve
    medical = {k: v for k, v in MEDICAL_4K.items() if k != "coverage_code"}
    cid = adjusted(s, "MED-MILLION", "medical", medical)
    ok(s.w.client.post(f"{API}/{cid}/review/submit", json={}, headers=s.w.h["adjuster"]))
    web = ClaimPages(client, db)
    web.login("reviewer1")
    client.get(f"/claims/{cid}?lang={lang}")
    form = client.get(f"/claims/{cid}/actions/decide").text
    assert re.search(rf">\s*{label}", form), form
    options = re.findall(r'<option value="(?:approve|reject|return)"[^>]*>([^<]*)<', form)
    assert options == choices, options
