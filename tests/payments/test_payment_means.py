"""The means of payment (SPEC CLM-P3): a bank transfer or third-party payment is confirmed
paid only with its electronic voucher (the bank's or provider's transaction reference),
on the API and on the claim page alike; refused, nothing changes. Both databases."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.payment import Payment, PaymentAttempt
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
from tests.web.claims.claim_pages import ClaimPages, state_of

BATCHES = "/api/v1/payments/batches"


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


def approved(s: Settlement, clock: FrozenClock, assessment: dict[str, Any] = MEDICAL_4K) -> int:
    """A tier-1 medical claim walked to approved through the API (clock frozen)."""
    w, c = s.w, s.w.client
    cid = walk_to_adjusted(w, clock, policy="MED-MILLION", assessment=assessment)
    ok(c.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    clock.set("2026-09-30T16:00:00")
    assert approve(w, cid, "reviewer1")["state"] == "approved"
    return cid


def exported(s: Settlement, clock: FrozenClock) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """(claim id, payment, batch): the indemnity requested by transfer and sent to the bank."""
    w, c = s.w, s.w.client
    cid = approved(s, clock)
    pay = ok(
        c.post(
            f"{API}/{cid}/payments",
            json={"payee_person_id": s.insured_id, "bank_account_id": s.account_id},
            headers={**w.h["cashier"], "Idempotency-Key": f"pay-{cid}-0001"},
        ),
        201,
    )
    batch = ok(c.post(BATCHES, json={}, headers=w.h["cashier"]), 201)
    return cid, pay, batch


def nothing_paid(db: Session, cid: int, payment_id: int) -> None:
    db.expire_all()
    payment = db.get(Payment, payment_id)
    assert payment is not None
    assert (payment.status, payment.paid_at, payment.bank_reference) == ("exported", None, None)
    attempts = db.scalars(select(PaymentAttempt).where(PaymentAttempt.payment_id == payment_id))
    assert [(a.result, a.reference) for a in attempts] == [(None, None)]
    paid_entries = db.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action.in_(("claim.payment_paid", "claim.pay")))
        .where(AuditEntry.entity_type == "claim", AuditEntry.entity_id == str(cid))
    )
    assert paid_entries == 0


@pytest.mark.parametrize(
    ("reference", "code"),
    [
        (None, "voucher_missing"),
        ("", "voucher_missing"),
        ("   ", "voucher_missing"),
        ("BK 001", "voucher_malformed"),
        ("银行流水", "voucher_malformed"),
        ("-BK1", "voucher_malformed"),
        ("B1", "voucher_malformed"),
    ],
)
def test_a_transfer_confirmed_paid_without_its_voucher_is_refused_and_nothing_changes(
    s: Settlement,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
    reference: str | None,
    code: str,
) -> None:
    # SPEC CLM-P3 (the electronic voucher is kept) GEN-6 (field and rule, zh-CN and English)
    w, c = s.w, s.w.client
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid, pay, batch = exported(s, clock)
    clock.set("2026-10-02T10:00:00")
    line: dict[str, Any] = {
        "payment_id": pay["id"],
        "idempotency_key": pay["idempotency_key"],
        "result": "paid",
    }
    if reference is not None:
        line["reference"] = reference
    messages = {}
    for lang in ("zh-CN", "en"):
        r = c.post(
            f"{BATCHES}/{batch['id']}/confirmation?lang={lang}",
            json={"lines": [line]},
            headers=w.h["cashier"],
        )
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert (error["code"], error["field"]) == (code, "lines[0].reference")
        messages[lang] = error["message"]
    assert "回盘第 1 行 银行流水号（电子凭证）" in messages["zh-CN"]
    assert "3-100 位字母、数字" in messages["zh-CN"]
    assert "Confirmation line 1, bank reference (electronic voucher)" in messages["en"]
    assert "3-100 letters, digits" in messages["en"]
    nothing_paid(db, cid, pay["id"])
    assert ok(c.get(f"{API}/{cid}", headers=w.h["cashier"]))["state"] == "approved"


def test_the_banks_file_without_a_reference_is_refused_whole(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P3 CLM-P5: a confirmation file with one line paid but no voucher changes
    # nothing, not even its other lines; sent again with the voucher, it is paid once.
    w, c = s.w, s.w.client
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid, pay, batch = exported(s, clock)
    key = pay["idempotency_key"]
    r = c.post(
        f"{BATCHES}/{batch['id']}/confirmation",
        json={"csv": f"payment_id,idempotency_key,result,reference\n{pay['id']},{key},paid,\n"},
        headers=w.h["cashier"],
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "voucher_missing"
    nothing_paid(db, cid, pay["id"])
    answer = (
        f"payment_id,idempotency_key,result,reference\n{pay['id']},{key},paid, ICBC-2026-0001 \n"
    )
    for _ in range(2):
        ok(
            c.post(
                f"{BATCHES}/{batch['id']}/confirmation",
                json={"csv": answer},
                headers=w.h["cashier"],
            )
        )
    payments = ok(c.get(f"{API}/{cid}/payments", headers=w.h["cashier"]))
    assert [(p["status"], p["bank_reference"]) for p in payments] == [("paid", "ICBC-2026-0001")]
    assert ok(c.get(f"{API}/{cid}", headers=w.h["cashier"]))["state"] == "paid"


def test_a_failed_transfer_needs_no_voucher(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P3: the voucher is the proof of a payment made; a failure has none.
    w, c = s.w, s.w.client
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid, pay, batch = exported(s, clock)
    line = {"payment_id": pay["id"], "idempotency_key": pay["idempotency_key"]}
    ok(
        c.post(
            f"{BATCHES}/{batch['id']}/confirmation",
            json={"lines": [{**line, "result": "failed", "reason": "账户冻结"}]},
            headers=w.h["cashier"],
        )
    )
    payments = ok(c.get(f"{API}/{cid}/payments", headers=w.h["cashier"]))
    assert [(p["status"], p["bank_reference"]) for p in payments] == [("failed", None)]


def test_the_claim_page_shows_the_missing_voucher_beside_the_field(
    s: Settlement, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P3 GEN-6: the payment officer's form, through the same service
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid, pay, _batch = exported(s, clock)
    web = ClaimPages(client, db)
    web.login("cashier")
    for blank in ("", "   "):
        form = web.refused(cid, "confirm_payment", {"result": "paid", "reference": blank})
        field = form.html.index('name="reference"')
        tag = form.html[form.html.rindex("<", 0, field) : form.html.index(">", field)]
        assert 'aria-invalid="true"' in tag, tag
        assert any("银行流水号（电子凭证）" in e and "不能为空" in e for e in form.errors)
    nothing_paid(db, cid, pay["id"])
    web.do(cid, "confirm_payment", {"result": "paid", "reference": f"BK-{cid}"})
    assert state_of(web.page(cid)) == "paid"
