"""A reopened claim pays only the difference, a lower decision opens a recovery, and a
decision with nothing payable ends with a notice, a callback and closing — through the
HTTP API, on both databases (SPEC CLM-P5, CLM-V3, CLM-X2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.claim import Assessment, AssessmentItem
from claimdesk.models.job import OutboxMessage
from claimdesk.models.payment import Payment, Recovery
from claimdesk.models.review import DecisionNotice
from tests.claims.helpers import FrozenClock, local
from tests.claims.settlement.review_steps import submitted_for_review
from tests.claims.steps import API, Settlement, approve, build_settlement, ok, walk_to_adjusted

# 25,000 in hospital − 1,000 social insurance − 10,000 deductible = 14,000.00 payable.
MEDICAL_14K = {
    "coverage_code": "medical",
    "settled_with_social_insurance": True,
    "social_insurance_paid": "1000.00",
    "lines": [{"description": "住院费", "amount": "25000.00"}],
}
# 8,000 − 1,000 − 10,000 deductible → nothing payable (floored at 0.00).
MEDICAL_BELOW_DEDUCTIBLE = {
    "coverage_code": "medical",
    "settled_with_social_insurance": True,
    "social_insurance_paid": "1000.00",
    "lines": [{"description": "门诊费", "amount": "8000.00"}],
}


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


def _state(s: Settlement, cid: int) -> str:
    return str(ok(s.w.client.get(f"{API}/{cid}", headers=s.w.h["reviewer3"]))["state"])


def _pay_and_confirm(s: Settlement, cid: int, key: str) -> dict[str, Any]:
    w, c = s.w, s.w.client
    pay = ok(
        c.post(
            f"{API}/{cid}/payments",
            json={"payee_person_id": s.insured_id, "bank_account_id": s.account_id},
            headers={**w.h["cashier"], "Idempotency-Key": key},
        ),
        201,
    )
    batch = ok(c.post("/api/v1/payments/batches", json={}, headers=w.h["cashier"]), 201)
    ok(
        c.post(
            f"/api/v1/payments/batches/{batch['id']}/confirmation",
            json={
                "lines": [
                    # SPEC CLM-P3: the electronic voucher is kept.
                    {
                        "payment_id": pay["id"],
                        "idempotency_key": key,
                        "result": "paid",
                        "reference": f"BK-{pay['id']}",
                    },
                ]
            },
            headers=w.h["cashier"],
        )
    )
    return pay


def _close(s: Settlement, cid: int) -> None:
    w, c = s.w, s.w.client
    for cb in ok(c.get(f"{API}/{cid}/callbacks", headers=w.h["agent"])):
        if cb["status"] == "open":
            body: dict[str, Any] = {"outcome": "reached"}
            if cb["kind"] == "paid":
                body["satisfaction"] = 5
            else:
                body["options_explained"] = ["mediation", "arbitration"]
            ok(
                c.post(
                    f"{API}/{cid}/callbacks/{cb['id']}/complete", json=body, headers=w.h["agent"]
                )
            )
    ok(c.post(f"{API}/{cid}/close", json={}, headers=w.h["reviewer3"]))


def _paid_once_and_closed(s: Settlement, clock: FrozenClock) -> int:
    cid = submitted_for_review(s, clock, assessment=MEDICAL_14K)
    clock.set("2026-09-30T16:00:00")
    approve(s.w, cid, "reviewer1")
    assert approve(s.w, cid, "reviewer2")["state"] == "approved"
    clock.set("2026-10-09T10:00:00")
    pay = _pay_and_confirm(s, cid, "first-payment-0001")
    assert pay["amount"] == "14000.00" and _state(s, cid) == "paid"
    clock.set("2026-10-12T10:00:00")
    _close(s, cid)
    return cid


def _reopen_and_readjust(s: Settlement, clock: FrozenClock, cid: int, reviewers: list[str]) -> Any:
    """Reopen (no new facts unless the caller changed them), adjust, submit, approve."""
    w, c = s.w, s.w.client
    clock.set("2026-10-20T10:00:00")
    r = c.post(f"{API}/{cid}/reopen", json={"reason": "客户申请复核"}, headers=w.h["reviewer3"])
    assert r.status_code == 204, r.text
    ok(
        c.post(
            f"{API}/{cid}/adjustments",
            json={"coverage_code": "medical", "liability": "covered", "covered_items": ["medical"]},
            headers=w.h["adjuster"],
        )
    )
    ok(c.post(f"{API}/{cid}/adjustment/complete", json={}, headers=w.h["adjuster"]))
    ok(c.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    clock.set("2026-10-20T15:00:00")
    result = None
    for who in reviewers:
        result = approve(w, cid, who)
    return result


def _set_expense(db: Session, cid: int, amount: str) -> None:
    """New facts after reopening: the current medical assessment's expense line."""
    assessment = db.scalars(
        select(Assessment).where(Assessment.claim_id == cid, Assessment.current.is_(True))
    ).one()
    item = db.scalars(
        select(AssessmentItem).where(AssessmentItem.assessment_id == assessment.id)
    ).one()
    item.amount = Decimal(amount)
    db.commit()


def _payments(db: Session, cid: int) -> list[tuple[str, Decimal, str]]:
    db.expire_all()
    rows = db.scalars(select(Payment).where(Payment.claim_id == cid).order_by(Payment.id))
    return [(p.kind, p.amount, p.status) for p in rows]


def test_reopened_with_no_new_facts_is_not_paid_twice(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P5 CLM-V3 CLM-X2
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = _paid_once_and_closed(s, clock)
    review = _reopen_and_readjust(s, clock, cid, ["reviewer1b", "reviewer2b"])
    # Approved again at 14,000 with 14,000 already paid: nothing to pay, no stuck claim.
    assert review["state"] == "decided"
    w, c = s.w, s.w.client
    r = c.post(
        f"{API}/{cid}/payments",
        json={"payee_person_id": s.insured_id, "bank_account_id": s.account_id},
        headers={**w.h["cashier"], "Idempotency-Key": "second-payment-01"},
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_payable"
    assert _payments(db, cid) == [("indemnity", Decimal("14000.00"), "paid")]
    notice = db.scalars(
        select(DecisionNotice).where(
            DecisionNotice.claim_id == cid, DecisionNotice.kind == "decided"
        )
    ).one()
    assert (notice.payable, notice.already_paid, notice.difference) == (
        Decimal("14000.00"),
        Decimal("14000.00"),
        Decimal("0.00"),
    )
    assert notice.recovery_id is None and notice.pdf.startswith(b"%PDF")
    _close(s, cid)
    assert _state(s, cid) == "closed"
    financials = ok(c.get(f"{API}/{cid}/financials", headers=w.h["reviewer3"]))
    assert financials["paid"] == "14000.00"


def test_reopened_with_a_higher_decision_pays_only_the_difference(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P5
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = _paid_once_and_closed(s, clock)
    _set_expense(db, cid, "30000.00")  # new invoice: 30,000 − 1,000 − 10,000 = 19,000
    review = _reopen_and_readjust(s, clock, cid, ["reviewer1b", "reviewer2b"])
    assert review["state"] == "approved"
    clock.set("2026-10-21T10:00:00")
    top_up = _pay_and_confirm(s, cid, "top-up-payment-01")
    assert top_up["amount"] == "5000.00" and top_up["sequence"] == 2
    assert top_up["allocations"] == {"medical": "5000.00"}
    assert _payments(db, cid) == [
        ("indemnity", Decimal("14000.00"), "paid"),
        ("indemnity", Decimal("5000.00"), "paid"),
    ]
    assert _state(s, cid) == "paid"
    # A second request for the same approval is the same payment, not a third one.
    again = ok(
        s.w.client.post(
            f"{API}/{cid}/payments",
            json={"payee_person_id": s.insured_id, "bank_account_id": s.account_id},
            headers={**s.w.h["cashier"], "Idempotency-Key": "top-up-payment-02"},
        )
    )
    assert again["id"] == top_up["id"]


def test_reopened_with_a_lower_decision_opens_a_recovery(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P5 CLM-V3 CLM-X2
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = _paid_once_and_closed(s, clock)
    _set_expense(db, cid, "20000.00")  # corrected invoice: 20,000 − 1,000 − 10,000 = 9,000
    review = _reopen_and_readjust(s, clock, cid, ["reviewer1b"])  # 9,000: one tier
    assert review["state"] == "decided"
    assert _payments(db, cid) == [("indemnity", Decimal("14000.00"), "paid")]
    recovery = db.scalars(select(Recovery).where(Recovery.claim_id == cid)).one()
    assert recovery.kind == "overpayment" and recovery.amount == Decimal("5000.00")
    assert "reopened decision lower than paid" in (recovery.note or "")
    notice = db.scalars(
        select(DecisionNotice).where(
            DecisionNotice.claim_id == cid, DecisionNotice.kind == "decided"
        )
    ).one()
    assert notice.difference == Decimal("-5000.00") and notice.recovery_id == recovery.id
    message = db.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "claim.decision_notice")
    ).one()
    # GEN-1: amounts as the customer reads them, as on the notice itself.
    assert "本案赔付金额为 ¥9,000.00" in message.body and " 元" not in message.body
    assert "已支付 ¥14,000.00，多付 ¥5,000.00 须退回" in message.body
    body = ok(s.w.client.get(f"{API}/{cid}", headers=s.w.h["reviewer3"]))
    actions = [e["action"] for e in body["timeline"]]
    assert "claim.recovery_opened" in actions and "claim.conclude_without_payment" in actions
    _close(s, cid)
    assert _state(s, cid) == "closed"


def test_nothing_payable_ends_with_notice_callback_and_closing(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-V3 CLM-X2 CLM-P5 GEN-5
    w, c = s.w, s.w.client
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = walk_to_adjusted(
        w,
        clock,
        policy="MED-MILLION",
        assessment=MEDICAL_BELOW_DEDUCTIBLE,
        report={"estimated_amount": "8000.00"},
    )
    assert ok(c.get(f"{API}/{cid}", headers=w.h["adjuster"]))["payable_total"] == "0.00"
    ok(c.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    clock.set("2026-09-30T16:00:00")
    review = approve(w, cid, "reviewer1")
    assert review["state"] == "decided"
    # The notice: PDF with the calculation, and the message to the customer.
    notice = db.scalars(
        select(DecisionNotice).where(
            DecisionNotice.claim_id == cid, DecisionNotice.kind == "decided"
        )
    ).one()
    row = notice.calculation["coverages"][0]
    assert (row["claimed"], row["removed"], row["payable"]) == ("8000.00", "0.00", "0.00")
    assert Decimal(row["deductible"]) > 0 and row["ratio"] is not None
    assert notice.pdf.startswith(b"%PDF") and len(notice.pdf) > 1000
    message = db.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "claim.decision_notice")
    ).one()
    assert message.id == notice.outbox_message_id
    assert "¥8,000.00" in message.body and "免赔额" in message.body and "仲裁" in message.body
    r = c.get(f"{API}/{cid}/decision-notice.pdf", headers=w.h["reviewer3"])
    assert r.status_code == 200 and r.content == notice.pdf
    # No payment can be asked for, and no payment clock runs.
    r = c.post(
        f"{API}/{cid}/payments",
        json={"payee_person_id": s.insured_id, "bank_account_id": s.account_id},
        headers={**w.h["cashier"], "Idempotency-Key": "zero-payment-001"},
    )
    assert r.status_code == 409
    body = ok(c.get(f"{API}/{cid}", headers=w.h["reviewer3"]))
    assert not [x for x in body["clocks"] if x["name"].startswith("claim.payment")]
    # The callback explains the decision and the options (CLM-X2), on a clock.
    callbacks = ok(c.get(f"{API}/{cid}/callbacks", headers=w.h["agent"]))
    assert [cb["kind"] for cb in callbacks] == ["decided"]
    # 3 working days after 30 Sep, across National Day: Saturday 10 Oct (调休).
    assert callbacks[0]["due_at"].startswith("2026-10-10T15:59:59")
    r = c.post(
        f"{API}/{cid}/callbacks/{callbacks[0]['id']}/complete",
        json={"outcome": "reached", "options_explained": ["mediation"]},
        headers=w.h["agent"],
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "options_required"
    # An illegal move is refused: the generic endpoint cannot conclude or pay it.
    r = c.post(f"{API}/{cid}/transitions/pay", json={}, headers=w.h["cashier"])
    assert r.status_code == 409
    _close(s, cid)
    body = ok(c.get(f"{API}/{cid}", headers=w.h["reviewer3"]))
    assert body["state"] == "closed"
    actions = [e["action"] for e in body["timeline"]]
    assert actions.index("claim.approve") < actions.index("claim.conclude_without_payment")
    assert actions.index("claim.conclude_without_payment") < actions.index("claim.close")
    archive = ok(c.get(f"{API}/{cid}/archive", headers=w.h["reviewer3"]))
    assert "decision_notice" in {r["kind"] for r in archive["records"]}


def test_portal_shows_the_decision_not_a_payment_on_its_way(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-V3
    w, c = s.w, s.w.client
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = submitted_for_review(s, clock, assessment=MEDICAL_BELOW_DEDUCTIBLE, estimated="8000.00")
    approve(w, cid, "reviewer1")
    for language, said, never in (
        ("zh-CN", "无需支付", "赔款正在支付"),
        ("en", "nothing is payable", "on its way"),
    ):
        page = c.get(
            f"/portal/claims/{cid}?lang={language}",
            headers=w.h["customer"],
        )
        assert page.status_code == 200, page.text
        assert said in page.text and never not in page.text


def test_a_claim_left_approved_with_nothing_to_pay_can_be_concluded(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-V3 CLM-P5: a claim approved before the rule waited for a zero payment
    from claimdesk.payments import plan as payments

    w, c = s.w, s.w.client
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = submitted_for_review(s, clock, assessment=MEDICAL_BELOW_DEDUCTIBLE, estimated="8000.00")
    real_plan = payments.indemnity_plan
    legacy = payments.Plan(payable=Decimal("1.00"), already_paid=Decimal("0.00"), allocations={})
    monkeypatch.setattr(payments, "indemnity_plan", lambda session, claim: legacy)
    assert approve(w, cid, "reviewer1")["state"] == "approved"  # the old, stuck outcome
    monkeypatch.setattr(payments, "indemnity_plan", real_plan)
    r = c.post(f"{API}/{cid}/conclude-without-payment", headers=w.h["cashier"])
    assert r.status_code == 403  # a reviewer's decision, not the cashier's
    body = ok(c.post(f"{API}/{cid}/conclude-without-payment", headers=w.h["reviewer3"]))
    assert body["state"] == "decided"
    r = c.post(f"{API}/{cid}/conclude-without-payment", headers=w.h["reviewer3"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"
    body = ok(c.get(f"{API}/{cid}", headers=w.h["reviewer3"]))
    assert [x["met"] for x in body["clocks"] if x["name"].startswith("claim.payment")] == [True]
    assert db.scalars(
        select(DecisionNotice).where(
            DecisionNotice.claim_id == cid, DecisionNotice.kind == "decided"
        )
    ).one()
    _close(s, cid)
    assert _state(s, cid) == "closed"


def test_a_claim_with_money_still_due_is_not_concluded(
    s: Settlement, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P5
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = submitted_for_review(s, clock, assessment=MEDICAL_14K)
    approve(s.w, cid, "reviewer1")
    assert approve(s.w, cid, "reviewer2")["state"] == "approved"
    r = s.w.client.post(f"{API}/{cid}/conclude-without-payment", headers=s.w.h["reviewer3"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "transition_guard_failed"
    assert "14000.00" in r.json()["error"]["message"]
