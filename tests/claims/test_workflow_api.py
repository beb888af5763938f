"""The claim workflow through the HTTP API on both databases (SPEC section 3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.claims import config as claims_config
from claimdesk.claims.settlement import decision_notices
from claimdesk.models.claim import Claim
from claimdesk.models.job import OutboxMessage
from tests.claims.helpers import PDF, PNG, FrozenClock, World, build_world, local, plan_answers

API = "/api/v1/claims"


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    return build_world(db, client)


def _clock(body: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in body["clocks"] if c["name"] == name)


def _report(
    w: World, *, policy: str = "MED-MILLION", who: str = "handler", **extra: Any
) -> dict[str, Any]:
    payload = {
        "channel": "hotline",
        "policy_number": w.policies[policy].number,  # type: ignore[attr-defined]
        "claimant_name": "李四",
        "contact_phone": "13912345678",
        "loss_date": "2026-09-28",
        "loss_place": "北京市朝阳区",
        "loss_cause": "illness",
        "loss_overview": "住院治疗",
        "estimated_amount": "4000.00",
        **extra,
    }
    response = w.client.post(API, json=payload, headers=w.h[who])
    assert response.status_code == 201, response.text
    return response.json()


def test_medical_claim_report_to_adjusted_with_clocks_across_national_day(
    world: World, monkeypatch: pytest.MonkeyPatch, db: Session
) -> None:
    # SPEC CLM-R1 CLM-R3 CLM-A1 CLM-A4 CLM-L3 CLM-C1 CLM-C3 FIN-1 GEN-4 ADJ-MED
    w = world
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    claim = _report(w, received_at="2026-09-30T09:30:00+08:00")
    cid = claim["id"]
    assert claim["number"] == "BA20260930000001"
    assert claim["state"] == "reported"
    entry = _clock(claim, "claim.report_entry")
    assert entry["due_local"].startswith("2026-09-30T10:30:00") and entry["met"] is True
    # 3 working days after 30 Sep: 8, 9 and 10 Oct (a 调休 Saturday) — National Day skipped.
    assert _clock(claim, "claim.review")["due_local"].startswith("2026-10-10T23:59:59")
    assert _clock(claim, "claim.determination")["due_local"].startswith("2026-10-30T23:59:59")
    sms = db.scalars(select(OutboxMessage).where(OutboxMessage.related_id == str(cid))).all()
    assert [m.template for m in sms] == ["claim.reported"]
    assert "报案已受理" in sms[0].body and claim["number"] in sms[0].body
    assert [m["code"] for m in claim["checklist"]] == [
        "claim_form",
        "identity_proof",
        "medical_record",
        "expense_invoices",
    ]

    # The one-time notice lists everything missing and pauses the review clocks.
    clock.set("2026-09-30T11:00:00")
    r = w.client.post(
        f"{API}/{cid}/materials/receive",
        json={"code": "claim_form", "original_checked": True},
        headers=w.h["handler"],
    )
    assert r.status_code == 200, r.text
    r = w.client.post(f"{API}/{cid}/materials-notice", json={}, headers=w.h["handler"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "awaiting_materials"
    assert body["notices"][0]["items"] == ["identity_proof", "medical_record", "expense_invoices"]
    assert _clock(body, "claim.review")["paused"] is True
    # SPEC CLM-A1 GEN-2: the customer's SMS gives the deadline as a date people write.
    due = dt.date.fromisoformat(str(body["notices"][0]["deadline"])[:10])
    told = db.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "claim.materials_missing")
    ).one()
    assert f"请于 {due.year}年{due.month}月{due.day}日 前补充" in told.body, told.body
    # A second notice for an item that could have been asked the first time is refused.
    r = w.client.post(
        f"{API}/{cid}/materials-notice/later",
        json={"items": ["medical_record"], "justification": "忘了"},
        headers=w.h["handler"],
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "materials_already_requested"
    r = w.client.post(f"{API}/{cid}/materials-notice", json={}, headers=w.h["handler"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "materials_already_requested"

    # The customer uploads (identity check recorded), staff receive the rest on 9 Oct.
    clock.set("2026-10-09T10:00:00")
    r = w.client.post(
        f"{API}/{cid}/files",
        data={"material_code": "identity_proof"},
        files={"file": ("id.png", PNG, "image/png")},
        headers=w.h["customer"],
    )
    assert r.status_code == 201, r.text
    # SPEC CLM-A2, SEC-9: the customer's upload is tied to the SMS-verified identity.
    assert r.json()["auth_method"] == "password+sms" and len(r.json()["sha256"]) == 64
    for code in ("medical_record", "expense_invoices"):
        r = w.client.post(
            f"{API}/{cid}/materials/receive",
            json={"code": code, "count": 2},
            headers=w.h["handler"],
        )
        assert r.status_code == 200
    receipt = w.client.get(f"{API}/{cid}/receipt.pdf", headers=w.h["handler"])
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
    r = w.client.post(f"{API}/{cid}/accept", json={"reason": "材料齐全"}, headers=w.h["handler"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "accepted"
    # Resumed on 9 Oct with all 3 working days left: 10, 12, 13 Oct.
    assert _clock(body, "claim.review")["due_local"].startswith("2026-10-13T23:59:59")
    # 30 days after 9 Oct is Sunday 8 Nov: moved to Monday 9 Nov (Civil Code art. 203).
    assert _clock(body, "claim.determination")["due_local"].startswith("2026-11-09T23:59:59")
    assert body["reserves"] == [{"coverage_code": "medical", "amount": "4000.00"}]

    # Small health claim with complete materials: the survey is skipped, and recorded.
    r = w.client.post(f"{API}/{cid}/survey/skip", headers=w.h["handler"])
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "surveyed"

    assessment = {
        "coverage_code": "medical",
        "settled_with_social_insurance": True,
        "social_insurance_paid": "1000.00",
        "lines": [
            {"description": "住院费", "amount": "12000.00"},
            {"description": "药品", "amount": "3000.00"},
            {"description": "美容", "amount": "2000.00", "kind": "cosmetic"},
            {
                "description": "重复检查",
                "amount": "500.00",
                "removed": True,
                "removal_reason": "非必要检查",
            },
        ],
    }
    r = w.client.post(f"{API}/{cid}/assessments", json=assessment, headers=w.h["assessor"])
    assert r.status_code == 200, r.text
    r = w.client.post(f"{API}/{cid}/assessment/complete", json={}, headers=w.h["assessor"])
    assert r.status_code == 200 and r.json()["state"] == "assessed"
    r = w.client.post(
        f"{API}/{cid}/adjustments",
        json={"coverage_code": "medical", "liability": "covered", "covered_items": ["medical"]},
        headers=w.h["adjuster"],
    )
    assert r.status_code == 200, r.text
    r = w.client.post(f"{API}/{cid}/adjustment/complete", json={}, headers=w.h["adjuster"])
    assert r.status_code == 200, r.text
    body = r.json()
    # eligible 15000 − social insurance 1000 = 14000; − deductible 10000 = 4000 × 100%.
    assert body["state"] == "adjusted"
    assert Decimal(body["payable_total"]) == Decimal("4000.00")
    adj = body["adjustments"][0]
    assert adj["signed_by"] == "adjuster" and adj["trace"][0]["code"] == "CLM-L3.REMOVED"
    assert body["reserve_history"][-1]["stage"] == "adjustment"
    pdf = w.client.get(f"{API}/{cid}/adjustment-report.pdf", headers=w.h["adjuster"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    actions = [e["action"] for e in body["timeline"]]
    for expected in (
        "claim.report",
        "claim.request_materials",
        "claim.materials_complete",
        "claim.step_skipped",
        "claim.skip_survey",
        "claim.adjusted",
    ):
        assert expected in actions
    # Review moves are made only through the review service (four eyes, tiers).
    r = w.client.post(f"{API}/{cid}/transitions/submit_review", json={}, headers=w.h["adjuster"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "use_dedicated_endpoint"


def test_property_claim_with_survey_certificate_and_surveyor_isolation(
    world: World, monkeypatch: pytest.MonkeyPatch, db: Session
) -> None:
    # SPEC CLM-S1 CLM-S3 CLM-S4 CLM-F2 CLM-L1 ADJ-PRP
    w = world
    clock = FrozenClock(monkeypatch, local("2026-09-30T08:00:00"))
    claim = _report(
        w,
        policy="HOME-PROP",
        loss_cause="fire",
        estimated_amount="30000.00",
        loss_overview="厨房起火",
    )
    cid = claim["id"]
    for code in [m["code"] for m in claim["checklist"]]:
        assert (
            w.client.post(
                f"{API}/{cid}/materials/receive", json={"code": code}, headers=w.h["handler"]
            ).status_code
            == 200
        )
    assert w.client.post(f"{API}/{cid}/accept", json={}, headers=w.h["handler"]).status_code == 200
    clock.set("2026-09-30T09:00:00")
    r = w.client.post(
        f"{API}/{cid}/survey/assign",
        json={"surveyor_id": w.users["surveyor"]},
        headers=w.h["handler"],
    )
    assert r.status_code == 200, r.text
    assert _clock(r.json(), "claim.survey_contact")["due_local"].startswith("2026-09-30T10:00:00")
    # Another surveyor does not see the claim at all.
    assert w.client.get(f"{API}/{cid}", headers=w.h["surveyor2"]).status_code == 404
    assert (
        w.client.post(
            f"{API}/{cid}/survey/contact", json={"note": "x"}, headers=w.h["surveyor2"]
        ).status_code
        == 404
    )
    assert w.client.get(f"{API}/queue", headers=w.h["surveyor2"]).json()["items"] == []
    listed = w.client.get(f"{API}/queue", headers=w.h["surveyor"]).json()["items"]
    assert [c["id"] for c in listed] == [cid]
    clock.set("2026-09-30T09:40:00")
    r = w.client.post(
        f"{API}/{cid}/survey/contact", json={"note": "电话联系"}, headers=w.h["surveyor"]
    )
    assert r.status_code == 200 and _clock(r.json(), "claim.survey_contact")["met"] is True
    photo = w.client.post(
        f"{API}/{cid}/files",
        data={"purpose": "evidence"},
        files={"file": ("p.png", PNG, "image/png")},
        headers=w.h["surveyor"],
    ).json()
    report = {
        "surveyed_at": "2026-09-30T14:00:00+08:00",
        "place": "现场",
        "people": "李四",
        "actions": "查看厨房",
        "conclusion": "火灾所致，属保险责任",
        "covered": True,
        "cause": "电器短路",
        "extent": "橱柜烧毁",
        "evidence_file_ids": [photo["id"]],
        "plan": plan_answers(w.client, cid, w.h["surveyor"]),
    }
    clock.set("2026-10-01T10:00:00")
    r = w.client.post(f"{API}/{cid}/survey/report", json=report, headers=w.h["surveyor"])
    assert r.status_code == 422 and r.json()["error"]["code"] == "certificate_required"
    cert = w.client.post(
        f"{API}/{cid}/files",
        data={"purpose": "certificate"},
        files={"file": ("fire.pdf", PDF, "application/pdf")},
        headers=w.h["surveyor"],
    ).json()
    r = w.client.post(
        f"{API}/{cid}/survey/report",
        json={**report, "certificate_file_id": cert["id"]},
        headers=w.h["surveyor"],
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "surveyed"
    survey_clock = _clock(body, "claim.survey_report")
    assert (
        survey_clock["due_local"].startswith("2026-10-01T14:00:00") and survey_clock["met"] is True
    )

    r = w.client.post(
        f"{API}/{cid}/assessments",
        json={
            "coverage_code": "property",
            "repair": {"materials": "20000.00", "labour": "5000.00", "salvage": "1000.00"},
            "actual_value": "100000.00",
            "insured_value": "800000.00",
        },
        headers=w.h["assessor"],
    )
    assert r.status_code == 200, r.text
    assert (
        w.client.post(
            f"{API}/{cid}/assessment/complete", json={}, headers=w.h["assessor"]
        ).status_code
        == 200
    )
    r = w.client.post(
        f"{API}/{cid}/adjustments",
        json={"coverage_code": "property", "liability": "covered", "covered_items": ["property"]},
        headers=w.h["adjuster"],
    )
    assert r.status_code == 200, r.text
    r = w.client.post(f"{API}/{cid}/adjustment/complete", json={}, headers=w.h["adjuster"])
    # repair 20000 + 5000 − 1000 = 24000; − absolute deductible 500 = 23500.00
    assert r.json()["state"] == "adjusted" and Decimal(r.json()["payable_total"]) == Decimal(
        "23500.00"
    )
    # CLM-C1/C3: the notice states the deductible and ratio the formula applied, where
    # it said "—" for property lines; the medical sentence does not claim them.
    claim_row = db.get(Claim, cid)
    assert claim_row is not None
    (row,) = decision_notices.calculation(db, claim_row)
    assert (row["deductible"], row["ratio"], row["deductible_rate"]) == ("500.00", "1", None)
    said = decision_notices.summary_sentences(
        [row], payable=Decimal("23500.00"), already_paid=Decimal("0"), payment=None
    )
    assert not any("免赔额" in zh for zh, _en in said)


def test_illegal_transition_is_409_and_changes_nothing(world: World, db: Session) -> None:
    # SPEC CLM-A1 GEN-6
    w = world
    cid = _report(w)["id"]
    before = w.client.get(f"{API}/{cid}", headers=w.h["handler"]).json()
    r = w.client.post(f"{API}/{cid}/assessment/complete", json={}, headers=w.h["assessor"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"
    assert "reported" in r.json()["error"]["message"]
    r = w.client.post(f"{API}/{cid}/accept", json={}, headers=w.h["handler"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "checklist_incomplete"
    after = w.client.get(f"{API}/{cid}", headers=w.h["handler"]).json()
    assert after["state"] == before["state"] == "reported"
    assert after["reserves"] == [] and len(after["clocks"]) == len(before["clocks"])
    # A surveyor may not accept a claim (route permission).
    assert w.client.post(f"{API}/{cid}/accept", json={}, headers=w.h["surveyor"]).status_code == 403


def test_uploads_over_limit_or_wrong_type_are_refused(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-A2 GEN-6
    w = world
    cid = _report(w)["id"]
    monkeypatch.setattr(claims_config, "RULES", claims_config.ClaimRules(upload_max_bytes=1024))
    big = PDF + b"0" * 2000
    r = w.client.post(
        f"{API}/{cid}/files",
        files={"file": ("big.pdf", big, "application/pdf")},
        headers=w.h["customer"],
    )
    assert r.status_code == 413 and r.json()["error"]["field"] == "file"
    # Named .pdf and sent as application/pdf, but the content is an executable script.
    r = w.client.post(
        f"{API}/{cid}/files",
        files={"file": ("x.pdf", b"#!/bin/sh\necho hi\n", "application/pdf")},
        headers=w.h["customer"],
    )
    assert r.status_code == 415 and r.json()["error"]["code"] == "upload_type_not_allowed"
    detail = w.client.get(f"{API}/{cid}", headers=w.h["handler"]).json()
    assert detail["files"] == []


def test_fraud_hold_blocks_transitions_until_investigator_clears(world: World, db: Session) -> None:
    # SPEC CLM-F1
    w = world
    cid = _report(w)["id"]
    r = w.client.post(
        f"{API}/{cid}/fraud-flags", json={"description": "发票疑似伪造"}, headers=w.h["handler"]
    )
    assert r.status_code == 200 and r.json()["state"] == "suspended"
    r = w.client.post(f"{API}/{cid}/transitions/withdraw", json={}, headers=w.h["customer"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "claim_suspended"
    r = w.client.post(f"{API}/{cid}/materials-notice", json={}, headers=w.h["handler"])
    assert r.status_code == 409
    flag_id = db.scalar(
        select(func.max(__import__("claimdesk.models.claim", fromlist=["FraudFlag"]).FraudFlag.id))
    )
    r = w.client.post(
        f"{API}/{cid}/fraud-flags/{flag_id}/resolve",
        json={"outcome": "cleared", "note": "核实发票为真"},
        headers=w.h["handler"],
    )
    assert r.status_code == 403
    r = w.client.post(
        f"{API}/{cid}/fraud-flags/{flag_id}/resolve",
        json={"outcome": "cleared", "note": "核实发票为真"},
        headers=w.h["investigator"],
    )
    assert r.status_code == 200 and r.json()["state"] == "reported"


def test_major_case_escalates_to_supervisor(world: World, db: Session) -> None:
    # SPEC CLM-R4
    w = world
    claim = _report(w, casualties=3, estimated_amount="10000.00")
    assert claim["is_major"] is True
    escalations = db.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "claim.major_escalation")
    ).all()
    assert [m.recipient for m in escalations] == [f"user:{w.users['supervisor']}"]
    # The supervisor reads the reasons in words, not as the report stored them.
    assert "伤亡 3 人（达到 3 人）" in escalations[0].body, escalations[0].body
    # Programs read the reason's stable code; the stored text stays as it was (CLM-R4).
    assert claim["major_reason_codes"] == ["casualties"]
    assert claim["major_reasons"] == ["casualties 3 >= 3"]
    assert "claim.major_escalated" in [
        e["action"]
        for e in w.client.get(f"{API}/{claim['id']}", headers=w.h["handler"]).json()["timeline"]
    ]
    assert db.scalar(select(func.count()).select_from(Claim)) == 1
