"""Adjusted → review → paid → closed through the HTTP API, on both databases
(SPEC CLM-V1..V4, CLM-P1..P5, CLM-X1, CLM-X2, FIN-1, FIN-2, GEN-4, GEN-5)."""

from __future__ import annotations

import csv
import hashlib
import io
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.job import Job, OutboxMessage
from claimdesk.models.payment import Payment
from claimdesk.payments import tasks as payment_tasks
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import (
    API,
    CARD,
    MEDICAL_50K,
    PROPERTY_23500,
    Settlement,
    approve,
    build_settlement,
    ok,
    walk_to_adjusted,
)


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


def _clock(body: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in body["clocks"] if c["name"] == name)


def _run_file_job(db: Session, batch_id: int) -> None:
    job = db.scalars(select(Job).where(Job.dedupe_key == f"payments.batch_file:{batch_id}")).one()
    payment_tasks.write_batch_file(db, {"batch_id": batch_id}, now=local("2026-10-09T15:01:00"))
    job.status = "done"
    db.flush()


def test_medical_claim_two_tiers_paid_and_closed_across_national_day(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-V1 CLM-V2 CLM-V4 CLM-P1 CLM-P2 CLM-P4 CLM-P5 CLM-X1 CLM-X2 FIN-1 GEN-4 GEN-5
    w, c = s.w, s.w.client
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = walk_to_adjusted(w, clock, policy="MED-MILLION", assessment=MEDICAL_50K)
    # 61000 − 1000 social insurance − 10000 deductible = 50000.00
    assert Decimal(ok(c.get(f"{API}/{cid}", headers=w.h["adjuster"]))["payable_total"]) == Decimal(
        "50000.00"
    )

    # The generic transition endpoint cannot approve or submit (four eyes live in the service).
    r = c.post(f"{API}/{cid}/transitions/submit_review", json={}, headers=w.h["adjuster"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "use_dedicated_endpoint"

    clock.set("2026-09-30T16:00:00")
    review = ok(c.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    assert review["state"] == "in_review" and review["next_tier"] == 1
    assert review["rounds"][0]["tiers_required"] == 2  # 10,000 < 50,000 ≤ 100,000
    assert review["incontestability"]["incontestable"] is False

    # Tier 2 cannot go first; an approval without the full CLM-V2 checklist is refused.
    r = c.post(
        f"{API}/{cid}/review/decisions",
        json={"decision": "approve", "checklist": {}},
        headers=w.h["reviewer2"],
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "reviewer_tier_mismatch"
    r = c.post(
        f"{API}/{cid}/review/decisions",
        json={"decision": "approve", "checklist": {"policy_in_force": True}},
        headers=w.h["reviewer1"],
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "checklist.adequately_insured"

    clock.set("2026-09-30T17:00:00")
    review = approve(w, cid, "reviewer1")
    assert review["state"] == "in_review" and review["next_tier"] == 2
    clock.set("2026-10-09T10:00:00")
    review = approve(w, cid, "reviewer2")
    assert review["state"] == "approved" and review["rounds"][0]["status"] == "approved"
    assert [(d["tier"], d["reviewer"]) for d in review["decisions"]] == [
        (1, "reviewer1"),
        (2, "reviewer2"),
    ]
    assert review["decisions"][0]["checklist"]["amount_correct"] is True

    body = ok(c.get(f"{API}/{cid}", headers=w.h["cashier"]))
    # Review clock: 3 working days after 30 Sep = 10 Oct (调休 Saturday); stopped 9 Oct, met.
    assert _clock(body, "claim.review")["due_local"].startswith("2026-10-10T23:59:59")
    assert _clock(body, "claim.review")["met"] is True
    assert _clock(body, "claim.determination")["met"] is True
    # Art. 25: 60 days after 30 Sep is Sunday 29 Nov → Monday 30 Nov; stopped on approval.
    advance = _clock(body, "claim.advance_payment")
    assert advance["due_local"].startswith("2026-11-30T23:59:59") and advance["met"] is True
    # CLM-P4: 5 working days after complete materials (30 Sep): 8, 9, 10, 12, 13 Oct;
    # 10 days after the agreement (9 Oct): 19 Oct.
    assert _clock(body, "claim.payment_working")["due_local"].startswith("2026-10-13T23:59:59")
    assert _clock(body, "claim.payment_agreement")["due_local"].startswith("2026-10-19T23:59:59")

    # Payee must be the insured or a beneficiary (CLM-P1).
    clock.set("2026-10-09T11:00:00")
    r = c.post(
        f"{API}/{cid}/payments",
        json={"payee_person_id": s.stranger_id, "bank_account_id": s.stranger_account_id},
        headers={**w.h["cashier"], "Idempotency-Key": "pay-med-0001"},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "payee_mismatch"
    assert r.json()["error"]["field"] == "payee_person_id"
    r = c.post(
        f"{API}/{cid}/payments",
        json={"payee_person_id": s.insured_id, "bank_account_id": s.account_id},
        headers=w.h["cashier"],
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "idempotency_key_required"
    pay = {"payee_person_id": s.insured_id, "bank_account_id": s.account_id}
    first = ok(
        c.post(
            f"{API}/{cid}/payments",
            json=pay,
            headers={**w.h["cashier"], "Idempotency-Key": "pay-med-0001"},
        ),
        201,
    )
    again = ok(
        c.post(
            f"{API}/{cid}/payments",
            json=pay,
            headers={**w.h["cashier"], "Idempotency-Key": "pay-med-0001"},
        ),
        200,
    )
    other = ok(
        c.post(
            f"{API}/{cid}/payments",
            json=pay,
            headers={**w.h["cashier"], "Idempotency-Key": "pay-med-0002"},
        ),
        200,
    )
    assert first["id"] == again["id"] == other["id"]
    assert first["amount"] == "50000.00" and first["status"] == "pending"
    assert first["account_masked"] == f"**** **** **** {CARD[-4:]}"
    assert first["expected_arrival"] == "2026-10-13" and first["payee_basis"] == "insured"
    notice = db.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "claim.payment_notice")
    ).one()
    # CLM-P2, GEN-1, GEN-2: the amount and the date as the customer reads them.
    assert "¥50,000.00" in notice.body and CARD[-4:] in notice.body and CARD not in notice.body
    assert "预计 2026年10月13日 前到账" in notice.body and "2026-10-13" not in notice.body

    # Export: one batch, the bank file written after commit with the recorded SHA-256.
    clock.set("2026-10-09T15:00:00")
    batch = ok(c.post("/api/v1/payments/batches", json={}, headers=w.h["cashier"]), 201)
    assert batch["payment_count"] == 1 and batch["total"] == "50000.00"
    r = c.post("/api/v1/payments/batches", json={}, headers=w.h["cashier"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "nothing_to_export"
    _run_file_job(db, batch["id"])
    content = (payment_tasks.payment_file_dir() / batch["filename"]).read_bytes()
    assert hashlib.sha256(content).hexdigest() == batch["sha256"]
    rows = list(csv.reader(io.StringIO(content.decode())))
    assert rows[1][0] == str(first["id"]) and rows[1][1] == "pay-med-0001"
    assert rows[1][5] == CARD and rows[1][6] == "50000.00"

    # Confirmation from the bank (CSV), sent twice: paid once.
    clock.set("2026-10-12T10:00:00")
    answer = f"payment_id,idempotency_key,result,reference\n{first['id']},pay-med-0001,paid,BK001\n"
    for _ in range(2):
        done = ok(
            c.post(
                f"/api/v1/payments/batches/{batch['id']}/confirmation",
                json={"csv": answer},
                headers=w.h["cashier"],
            )
        )
        assert done["status"] == "confirmed"
    body = ok(c.get(f"{API}/{cid}", headers=w.h["cashier"]))
    assert body["state"] == "paid"
    assert _clock(body, "claim.payment_working")["met"] is True
    assert body["reserves"] == [{"coverage_code": "medical", "amount": "0.00"}]
    assert body["reserve_history"][-1]["stage"] == "payment"
    payments = db.scalars(select(Payment).where(Payment.claim_id == cid)).all()
    assert [(p.status, p.amount, p.bank_reference) for p in payments] == [
        ("paid", Decimal("50000.00"), "BK001")
    ]

    # Callback within 3 working days of payment (12 Oct → 15 Oct), with satisfaction.
    callbacks = ok(c.get(f"{API}/{cid}/callbacks", headers=w.h["agent"]))
    assert [cb["kind"] for cb in callbacks] == ["paid"]
    assert callbacks[0]["due_at"].startswith("2026-10-15T15:59:59")
    r = c.post(
        f"{API}/{cid}/callbacks/{callbacks[0]['id']}/complete",
        json={"outcome": "reached"},
        headers=w.h["agent"],
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "satisfaction"
    clock.set("2026-10-13T09:00:00")
    cb = ok(
        c.post(
            f"{API}/{cid}/callbacks/{callbacks[0]['id']}/complete",
            json={"outcome": "reached", "satisfaction": 5, "suggestions": "很快"},
            headers=w.h["agent"],
        )
    )
    assert cb["status"] == "done" and cb["satisfaction"] == 5

    # Close: archive of every record, retention = 2 years (health is not life) + 5 years.
    clock.set("2026-10-14T10:00:00")
    archive = ok(c.post(f"{API}/{cid}/close", json={"reason": "已赔付"}, headers=w.h["reviewer3"]))
    kinds = {r["kind"] for r in archive["records"]}
    assert {
        "claim",
        "file",
        "survey_report",
        "adjustment",
        "review_decision",
        "payment",
        "payment_file",
        "notice",
        "transition",
        "audit_entry",
    } <= kinds
    assert {r["retention_until"] for r in archive["records"]} == {"2033-10-14"}
    assert all(len(r["sha256"]) == 64 for r in archive["records"])
    body = ok(c.get(f"{API}/{cid}", headers=w.h["cashier"]))
    assert body["state"] == "closed"
    actions = [e["action"] for e in body["timeline"]]
    order = [
        "claim.submit_review",
        "claim.review_approve",
        "claim.approve",
        "claim.payment_requested",
        "claim.payment_paid",
        "claim.pay",
        "claim.callback_done",
        "claim.close",
        "claim.archived",
    ]
    positions = [actions.index(a) for a in order]
    assert positions == sorted(positions)
    assert actions.count("claim.review_approve") == 2


def test_major_property_claim_three_tiers_failed_payment_retried_recovery(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-V1 CLM-P3 CLM-P5 FIN-1 FIN-2 CLM-X1
    w, c = s.w, s.w.client
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = walk_to_adjusted(
        w,
        clock,
        policy="HOME-PROP",
        assessment=PROPERTY_23500,
        report={"group_incident": True, "estimated_amount": "30000.00"},
    )
    review = ok(c.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    assert (
        review["rounds"][0]["tiers_required"] == 3
        and "major" in review["rounds"][0]["tier_reasons"]
    )
    for who in ("reviewer1", "reviewer2"):
        assert approve(w, cid, who)["state"] == "in_review"
    assert approve(w, cid, "reviewer3")["state"] == "approved"
    # 23,500 > 5,000: two payment clocks, not the 24-hour one.
    body = ok(c.get(f"{API}/{cid}", headers=w.h["cashier"]))
    assert "claim.payment_small" not in [x["name"] for x in body["clocks"]]

    pay = ok(
        c.post(
            f"{API}/{cid}/payments",
            json={"payee_person_id": s.insured_id, "bank_account_id": s.account_id},
            headers={**w.h["cashier"], "Idempotency-Key": "prop-pay-1"},
        ),
        201,
    )
    assert pay["amount"] == "23500.00"
    b1 = ok(c.post("/api/v1/payments/batches", json={}, headers=w.h["cashier"]), 201)
    ok(
        c.post(
            f"/api/v1/payments/batches/{b1['id']}/confirmation",
            json={
                "lines": [
                    {
                        "payment_id": pay["id"],
                        "idempotency_key": "prop-pay-1",
                        "result": "failed",
                        "reason": "账户冻结",
                    }
                ]
            },
            headers=w.h["cashier"],
        )
    )
    # A contradicting answer for the same line is refused.
    r = c.post(
        f"/api/v1/payments/batches/{b1['id']}/confirmation",
        json={
            "lines": [
                {
                    "payment_id": pay["id"],
                    "idempotency_key": "prop-pay-1",
                    "result": "paid",
                    "reference": "BK-1",
                }
            ]
        },
        headers=w.h["cashier"],
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "confirmation_invalid"
    assert ok(c.get(f"{API}/{cid}", headers=w.h["cashier"]))["state"] == "approved"
    # The failed payment is retried in a new batch: still one payment, now two attempts.
    b2 = ok(c.post("/api/v1/payments/batches", json={}, headers=w.h["cashier"]), 201)
    assert b2["id"] != b1["id"] and b2["payment_count"] == 1
    ok(
        c.post(
            f"/api/v1/payments/batches/{b2['id']}/confirmation",
            json={
                "lines": [
                    {
                        "payment_id": pay["id"],
                        "idempotency_key": "prop-pay-1",
                        "result": "paid",
                        "reference": "BK-2",
                    }
                ]
            },
            headers=w.h["cashier"],
        )
    )
    payments = ok(c.get(f"{API}/{cid}/payments", headers=w.h["cashier"]))
    assert [(p["status"], p["attempts"], p["batch_id"]) for p in payments] == [
        ("paid", 2, b2["id"])
    ]
    # FIN-2: salvage reduces the net cost.
    ok(
        c.post(
            f"{API}/{cid}/recoveries",
            json={
                "kind": "salvage",
                "amount": "2000.00",
                "counterparty": "废品回收公司",
                "received_on": "2026-10-20",
            },
            headers=w.h["handler"],
        ),
        201,
    )
    money = ok(c.get(f"{API}/{cid}/financials", headers=w.h["handler"]))
    assert (money["paid"], money["recovered"], money["net_cost"]) == (
        "23500.00",
        "2000.00",
        "21500.00",
    )
    clock.set("2026-10-21T10:00:00")
    archive = ok(c.post(f"{API}/{cid}/close", json={}, headers=w.h["reviewer1b"]))
    assert {r["retention_until"] for r in archive["records"]} == {"2033-10-21"}
