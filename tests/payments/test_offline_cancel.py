"""A cash/offline payment whose hand-over does not happen (SPEC CLM-P3, CLM-P5, GEN-5,
GEN-6): the payment officer cancels it with the reason, through the payment's
transition table (a paid one is refused, 409; audited), and the claim takes a new
payment request; the small-cash limit counts the claim's cash payments together (an
advance, the indemnity, a top-up). Both databases."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth.service import get_user, principal_for
from claimdesk.claims.settlement.errors import OfflineTotalNotAllowed
from claimdesk.code_labels import CASH_CANCEL_REASONS, cash_cancel_reason
from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import Claim
from claimdesk.models.job import OutboxMessage
from claimdesk.models.payment import Payment
from claimdesk.payments import service as pay_service
from claimdesk.payments.schemas import CashCancelReason
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import (
    API,
    MEDICAL_4K,
    Settlement,
    approve,
    build_settlement,
    ok,
    walk_to_adjusted,
)
from tests.payments.test_payment_means import (
    BATCHES,
    MEDICAL_1500,
    SIGNED,
    approved,
    exported,
    hand_over,
    offline,
    payments_of,
)
from tests.web.claims.claim_pages import ClaimPages, state_of


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


def cancel(s: Settlement, cid: int, payment_id: int, reason: str, lang: str = "en") -> Any:
    return s.w.client.post(
        f"{API}/{cid}/payments/{payment_id}/offline-cancellation?lang={lang}",
        json={"reason": reason},
        headers=s.w.h["cashier"],
    )


def entries(db: Session, action: str, cid: int) -> list[AuditEntry]:
    query = select(AuditEntry).where(
        AuditEntry.action == action,
        AuditEntry.entity_type == "claim",
        AuditEntry.entity_id == str(cid),
    )
    return list(db.scalars(query))


def cancel_notices(db: Session, cid: int) -> list[OutboxMessage]:
    """The customer's messages that the cash collection is cancelled (CLM-P3)."""
    query = select(OutboxMessage).where(
        OutboxMessage.template == "claim.payment_cancelled",
        OutboxMessage.related_id == str(cid),
    )
    return list(db.scalars(query))


def test_a_cash_payment_never_handed_over_is_cancelled_and_the_claim_paid_again(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P3 CLM-P5 GEN-5 GEN-6
    w, c = s.w, s.w.client
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = approved(s, clock, MEDICAL_1500)
    pay = ok(offline(s, cid, f"cash-{cid}-1"), 201)
    clock.set("2026-10-01T17:00:00")
    # Without a reason: refused in both languages, nothing changed.
    for lang, words in (("en", "needs the reason"), ("zh-CN", "须写明原因")):
        r = cancel(s, cid, pay["id"], "   ", lang)
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert (error["code"], error["field"]) == ("cancellation_reason_required", "reason")
        assert words in error["message"]
    assert [p.status for p in payments_of(db, cid)] == ["pending"]
    assert cancel_notices(db, cid) == []  # a refused cancel tells the customer nothing
    # With the reason: cancelled, audited with the move, the claim still approved.
    done = ok(cancel(s, cid, pay["id"], "收款人未到场领取"))
    # The customer told to come and collect the cash is told it is cancelled, why (its
    # kind, not the officer's note) and what comes next — where the payment notice went.
    [notice] = cancel_notices(db, cid)
    [pay_notice] = db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.template == "claim.payment_notice",
            OutboxMessage.related_id == str(cid),
        )
    )
    assert (notice.channel, notice.recipient, notice.language, notice.status) == (
        pay_notice.channel,
        pay_notice.recipient,
        "zh-CN",
        "pending",
    )
    assert notice.dedupe_key == f"claim:{cid}:payment_cancelled:{pay['id']}"
    # No kind given (as before there was one): the payee did not come, said in words.
    for words in (
        "赔款 ¥1,500.00 未能完成交付（收款人未按约领取）",
        "现金领取已取消",
        "重新安排支付",
        "联系",
    ):
        assert words in notice.body, notice.body
    assert "收款人未到场领取" not in notice.body
    assert (done["status"], done["failure_reason"]) == ("cancelled", "收款人未到场领取")
    [entry] = entries(db, "claim.payment_cancelled", cid)
    details = json.loads(entry.details)
    assert (details["payment_from"], details["payment_to"]) == ("pending", "cancelled")
    assert (entry.reason, details["amount"]) == ("收款人未到场领取", "1500.00")
    assert details["reason_code"] == "not_collected"
    # Again (a double click): the same payment, nothing recorded twice.
    assert ok(cancel(s, cid, pay["id"], "again"))["status"] == "cancelled"
    assert len(entries(db, "claim.payment_cancelled", cid)) == 1
    assert len(cancel_notices(db, cid)) == 1  # and the customer told once
    # No hand-over of a cancelled payment.
    r = hand_over(s, cid, pay["id"], w.insured_id_number, SIGNED)
    assert r.status_code == 409, r.text
    # The claim takes a new payment: by transfer, the whole amount, sent to the bank.
    assert ok(c.get(f"{API}/{cid}", headers=w.h["cashier"]))["state"] == "approved"
    again = ok(
        c.post(
            f"{API}/{cid}/payments",
            json={"payee_person_id": s.insured_id, "bank_account_id": s.account_id},
            headers={**w.h["cashier"], "Idempotency-Key": f"pay-{cid}-again"},
        ),
        201,
    )
    assert (again["amount"], again["sequence"], again["status"]) == ("1500.00", 1, "pending")
    assert again["id"] != pay["id"]
    # The first request's key still answers with its own (cancelled) payment.
    first = ok(offline(s, cid, f"cash-{cid}-1"))
    assert (first["id"], first["status"]) == (pay["id"], "cancelled")
    batch = ok(c.post(BATCHES, json={}, headers=w.h["cashier"]), 201)
    assert batch["payment_count"] == 1 and batch["total"] == "1500.00"
    # A second live indemnity of the same approval is still refused by the database.
    assert [p.status for p in payments_of(db, cid)] == ["cancelled", "exported"]


def test_a_paid_cash_payment_is_not_cancelled(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P5: the payment's table has no move from paid (409, nothing recorded).
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = approved(s, clock, MEDICAL_1500)
    pay = ok(offline(s, cid, f"cash-{cid}-1"), 201)
    ok(hand_over(s, cid, pay["id"], s.w.insured_id_number, SIGNED))
    r = cancel(s, cid, pay["id"], "收款人未到场领取")
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition", r.text
    assert [p.status for p in payments_of(db, cid)] == ["paid"]
    assert entries(db, "claim.payment_cancelled", cid) == []
    assert cancel_notices(db, cid) == []  # SPEC CLM-P3: no message on a refused cancel


def test_a_transfer_is_not_cancelled(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P3: a transfer follows the bank's answer; a failed one is sent again.
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid, pay, _batch = exported(s, clock)
    for lang, words in (("en", "Only a cash/offline payment"), ("zh-CN", "只有尚未交付")):
        r = cancel(s, cid, pay["id"], "收款人未到场领取", lang)
        assert r.status_code == 409 and r.json()["error"]["code"] == "payment_not_cancellable"
        assert words in r.json()["error"]["message"]
    assert [p.status for p in payments_of(db, cid)] == ["exported"]
    assert cancel_notices(db, cid) == []


def test_the_claim_page_cancels_a_cash_payment_with_its_reason(
    s: Settlement, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P3 GEN-6: the officer's form, through the same service
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = approved(s, clock, MEDICAL_1500)
    ok(offline(s, cid, f"cash-{cid}-1"), 201)
    web = ClaimPages(client, db)
    web.login("cashier")
    offered = web.offered(cid)
    assert "cancel_offline_payment" in offered and "request_payment" not in offered
    refused = web.refused(cid, "cancel_offline_payment", {"reason": ""})
    assert any("内部备注" in e for e in refused.errors), refused.errors  # the note is named
    assert [p.status for p in payments_of(db, cid)] == ["pending"]
    assert cancel_notices(db, cid) == []
    note = "领取人所持证件与登记不符，已报主管"
    chosen = {"reason_code": "identity_not_verified", "reason": note}
    web.do(cid, "cancel_offline_payment", chosen)
    assert [p.status for p in payments_of(db, cid)] == ["cancelled"]
    [told] = cancel_notices(db, cid)  # the page's cancel tells the customer too
    # SPEC CLM-P3: the kind the officer chose, in words; never the officer's note.
    assert "未能完成交付（领取人身份未能核实）" in told.body and note not in told.body
    page = web.page(cid)
    assert state_of(page) == "approved" and "已撤销（未交付）" in page
    assert "现金/线下支付已撤销（未交付）" in page  # the timeline's step
    offered = web.offered(cid)
    assert "request_payment" in offered and "cancel_offline_payment" not in offered


def test_the_cash_limit_counts_the_claims_cash_payments_together(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P3 (cash only for small cases, read per claim) CLM-V4 (advance) GEN-6:
    # a ¥2,000 advance in cash is within the ¥2,000 limit, and so would be the ¥2,000
    # indemnity left; together they are ¥4,000, and need the special case.
    w, c = s.w, s.w.client
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = walk_to_adjusted(w, clock, policy="MED-MILLION", assessment=MEDICAL_4K)
    advance = ok(
        offline(s, cid, f"advance-{cid}-1", kind="advance", amount="2000.00"),
        201,
    )
    assert (advance["amount"], advance["offline_reason"]) == ("2000.00", None)
    ok(c.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    clock.set("2026-09-30T16:00:00")
    assert approve(w, cid, "reviewer1")["state"] == "approved"
    for lang, words in (
        ("en", "with the 2000.00 CNY already paid or due in cash/offline on this claim"),
        ("zh-CN", "本案已有现金/线下支付 2000.00 元"),
    ):
        r = c.post(
            f"{API}/{cid}/payments?lang={lang}",
            json={"payee_person_id": s.insured_id, "means": "offline"},
            headers={**w.h["cashier"], "Idempotency-Key": f"cash-{cid}-{lang}"},
        )
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert (error["code"], error["field"]) == ("offline_payment_not_allowed", "offline_reason")
        assert words in error["message"] and "4000.00" in error["message"]
    assert [p.kind for p in payments_of(db, cid)] == ["advance"]
    # With the special case stated, the indemnity is accepted in cash.
    pay = ok(offline(s, cid, f"cash-{cid}-ok", offline_reason="收款人无银行账户"), 201)
    assert (pay["amount"], pay["offline_reason"]) == ("2000.00", "收款人无银行账户")


def test_a_cash_top_up_is_held_to_the_limit_with_the_claims_cash(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P3 CLM-T3 CLM-P5: a top-up to a cash payment is cash too; with the
    # ¥1,500 already in cash, ¥600 more passes the ¥2,000 limit; the special case stated
    # for the first payment (same payee, same means) stands for its top-up.
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = approved(s, clock, MEDICAL_1500)
    pay = ok(offline(s, cid, f"cash-{cid}-1"), 201)
    ok(hand_over(s, cid, pay["id"], s.w.insured_id_number, SIGNED))
    user = get_user(db, user_id=s.w.users["cashier"])
    actor = principal_for(user=user, ip=None, kind="api")
    claim = db.get_one(Claim, cid)
    basis = db.get_one(Payment, pay["id"])
    with pytest.raises(OfflineTotalNotAllowed) as refused:
        pay_service.request_top_up(
            db,
            actor=actor,
            claim=claim,
            key=f"sample:{cid}",
            amount=Decimal("600.00"),
            coverage_code=claim.coverage_codes[0],
            basis=basis,
        )
    assert "2100.00" in refused.value.message("en")
    assert [p.kind for p in payments_of(db, cid)] == ["indemnity"]
    # Within the limit it is accepted, as cash, with no special case needed.
    top_up, created = pay_service.request_top_up(
        db,
        actor=actor,
        claim=claim,
        key=f"sample:{cid}",
        amount=Decimal("500.00"),
        coverage_code=claim.coverage_codes[0],
        basis=basis,
    )
    assert created and (top_up.means, top_up.amount, top_up.offline_reason) == (
        "offline",
        Decimal("500.00"),
        None,
    )


def test_a_cash_top_up_keeps_the_special_case_of_its_payment(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P3: above the limit with the first payment's stated special case.
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = approved(s, clock)  # 4,000.00
    pay = ok(offline(s, cid, f"cash-{cid}-1", offline_reason="收款人无银行账户"), 201)
    ok(hand_over(s, cid, pay["id"], s.w.insured_id_number, SIGNED))
    user = get_user(db, user_id=s.w.users["cashier"])
    claim = db.get_one(Claim, cid)
    top_up, created = pay_service.request_top_up(
        db,
        actor=principal_for(user=user, ip=None, kind="api"),
        claim=claim,
        key=f"sample:{cid}",
        amount=Decimal("600.00"),
        coverage_code=claim.coverage_codes[0],
        basis=db.get_one(Payment, pay["id"]),
    )
    assert created and (top_up.means, top_up.offline_reason) == ("offline", "收款人无银行账户")


def test_every_kind_of_cancellation_has_words() -> None:
    # SPEC CLM-P3 GEN-6: the API's list is the labels' list, each said in zh-CN
    assert get_args(CashCancelReason) == tuple(CASH_CANCEL_REASONS)
    for code in CASH_CANCEL_REASONS:
        assert cash_cancel_reason(code, "zh-CN") != CASH_CANCEL_REASONS[code]
