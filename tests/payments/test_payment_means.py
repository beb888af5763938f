"""The means of payment (SPEC CLM-P3): a bank transfer or third-party payment is confirmed
paid only with its electronic voucher (the bank's or provider's transaction reference);
cash/offline only up to the administrator's small-cash limit or with a stated special
case, handed over against the payee's ID document and signed confirmation. On the API
and on the claim page alike; a refusal changes nothing. Both databases."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import MaterialFile
from claimdesk.models.job import OutboxMessage
from claimdesk.models.org import OrgUnit
from claimdesk.models.payment import Payment, PaymentAttempt
from claimdesk.thresholds import service as thresholds
from tests.builders import login_headers, make_user, resident_id
from tests.claims.helpers import PDF, FrozenClock, local
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
    assert "回盘第 1 行的银行流水号（电子凭证）" in messages["zh-CN"]
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
    # SPEC CLM-P3: a transfer's paid step is the bank's confirmation, in both languages.
    ClaimPages(c, db).login("cashier")
    assert paid_step(c, cid, "zh-CN") == "银行回盘确认支付"
    assert paid_step(c, cid, "en") == "Payment confirmed by the bank"


def test_the_banks_file_names_the_row_a_spreadsheet_shows(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P3 GEN-6: a CSV line without its voucher is named by the file's row (the
    # header is row 1, a blank row still counts), not by its place among the answers.
    w, c = s.w, s.w.client
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid, pay, batch = exported(s, clock)
    answer = (
        "payment_id,idempotency_key,result,reference\n"
        f"\n{pay['id']},{pay['idempotency_key']},paid,\n"
    )
    messages = {}
    for lang in ("zh-CN", "en"):
        r = c.post(
            f"{BATCHES}/{batch['id']}/confirmation?lang={lang}",
            json={"csv": answer},
            headers=w.h["cashier"],
        )
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert (error["code"], error["field"]) == ("voucher_missing", "line 3.reference")
        messages[lang] = error["message"]
    assert "回盘第 3 行的银行流水号（电子凭证）" in messages["zh-CN"]
    assert "Confirmation line 3, bank reference (electronic voucher)" in messages["en"]
    nothing_paid(db, cid, pay["id"])


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


# -- cash / offline ------------------------------------------------------------------------

# 12,500 − 1,000 social insurance − 10,000 deductible = 1,500.00: within the default limit.
MEDICAL_1500 = {**MEDICAL_4K, "lines": [{"description": "住院费", "amount": "12500.00"}]}


def offline(s: Settlement, cid: int, key: str, **extra: Any) -> Any:
    w = s.w
    return w.client.post(
        f"{API}/{cid}/payments",
        json={"payee_person_id": s.insured_id, "means": "offline", **extra},
        headers={**w.h["cashier"], "Idempotency-Key": key},
    )


SIGNED = ("签收确认书.pdf", PDF, "application/pdf")


def hand_over(
    s: Settlement, cid: int, payment_id: int, number: str, file: tuple[str, bytes, str] | None
) -> Any:
    """The hand-over: the number read from the payee's ID document, the signed confirmation."""
    return s.w.client.post(
        f"{API}/{cid}/payments/{payment_id}/offline-confirmation",
        data={"payee_document_number": number},
        files={"file": file} if file else None,
        headers=s.w.h["cashier"],
    )


def receipts(db: Session, cid: int) -> list[MaterialFile]:
    db.expire_all()
    query = select(MaterialFile).where(
        MaterialFile.claim_id == cid, MaterialFile.purpose == "payment_receipt"
    )
    return list(db.scalars(query))


def payments_of(db: Session, cid: int) -> list[Payment]:
    db.expire_all()
    return list(db.scalars(select(Payment).where(Payment.claim_id == cid)))


def paid_entries(db: Session, cid: int) -> list[AuditEntry]:
    return list(
        db.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "claim.payment_paid",
                AuditEntry.entity_type == "claim",
                AuditEntry.entity_id == str(cid),
            )
        )
    )


def test_offline_over_the_limit_without_a_special_case_is_refused(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P3 (cash/offline only for small or special cases) GEN-6
    w, c = s.w, s.w.client
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = approved(s, clock)  # 4,000.00 > the default ¥2,000 limit
    for n, reason in enumerate((None, "   ")):
        extra = {} if reason is None else {"offline_reason": reason}
        for lang in ("zh-CN", "en"):
            r = c.post(
                f"{API}/{cid}/payments?lang={lang}",
                json={"payee_person_id": s.insured_id, "means": "offline", **extra},
                headers={**w.h["cashier"], "Idempotency-Key": f"cash-{cid}-{n}-{lang}"},
            )
            assert r.status_code == 422, r.text
            error = r.json()["error"]
            assert (error["code"], error["field"]) == (
                "offline_payment_not_allowed",
                "offline_reason",
            )
            assert "4000.00" in error["message"] and "2000.00" in error["message"]
            if lang == "en":
                assert "above the cash/offline payment limit" in error["message"]
            else:
                assert "超过现金/线下支付限额" in error["message"]
    assert payments_of(db, cid) == []
    notices = db.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.template == "claim.payment_notice", OutboxMessage.related_id == str(cid)
        )
    )
    assert notices == 0
    # A transfer still needs the payee's account.
    r = c.post(
        f"{API}/{cid}/payments",
        json={"payee_person_id": s.insured_id},
        headers={**w.h["cashier"], "Idempotency-Key": f"pay-{cid}-noacct"},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "bank_account_required"
    assert r.json()["error"]["field"] == "bank_account_id"
    # With the special case stated, it is accepted and kept with the payment.
    pay = ok(offline(s, cid, f"cash-{cid}-ok", offline_reason="收款人无银行账户，现场领取"), 201)
    assert (pay["means"], pay["offline_reason"]) == ("offline", "收款人无银行账户，现场领取")
    assert pay["account_masked"] == "现金/线下支付 (cash/offline)"
    assert ok(c.get(f"{API}/{cid}", headers=w.h["cashier"]))["state"] == "approved"


def test_the_cash_limit_is_the_administrators_versioned_setting(
    s: Settlement, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P3: the small-cash limit is configured (versioned, audited) like the others
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = approved(s, clock)
    hq = db.scalars(select(OrgUnit)).first()
    make_user(db, username="cash-admin", roles=["administrator"], org_unit=hq)
    db.commit()
    admin = login_headers(client, "cash-admin")
    current = ok(client.get("/api/v1/thresholds", headers=admin))["current"]
    assert current["small_cash_max"] == "2000.00"
    body = {
        name: current[name]
        for name in (
            "review_tier1_max",
            "review_tier2_max",
            "major_amount",
            "small_payment_max",
            "skip_survey_max_amount",
            "skip_survey_lines",
        )
    }
    for bad in ("0.00", "-1.00"):
        r = client.post(
            "/api/v1/thresholds",
            json={**body, "small_cash_max": bad, "reason": "现金限额"},
            headers=admin,
        )
        assert r.status_code == 422 and r.json()["error"]["field"] == "small_cash_max"
    created = ok(
        client.post(
            "/api/v1/thresholds",
            json={**body, "small_cash_max": "5000.00", "reason": "柜面现金限额调整"},
            headers=admin,
        ),
        201,
    )
    assert created["small_cash_max"] == "5000.00"
    entry = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "thresholds.version_created")
        .order_by(AuditEntry.seq)
    ).all()[-1]
    assert json.loads(entry.details)["small_cash_max"] == "5000.00"
    # A version that leaves it out keeps the limit in force.
    kept = ok(
        client.post("/api/v1/thresholds", json={**body, "reason": "其他调整"}, headers=admin), 201
    )
    assert kept["small_cash_max"] == "5000.00"
    clock.set("2026-09-30T17:00:00")
    pay = ok(offline(s, cid, f"cash-{cid}-1"), 201)
    assert (pay["amount"], pay["offline_reason"]) == ("4000.00", None)
    thresholds.clear_cache()


def test_offline_handed_over_with_the_payees_id_and_signed_confirmation_is_paid_once(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P3 (ID and a signed confirmation) CLM-P5 (executed once) GEN-5 (audited)
    w, c = s.w, s.w.client
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = approved(s, clock, MEDICAL_1500)
    pay = ok(offline(s, cid, f"cash-{cid}-1"), 201)
    assert (pay["amount"], pay["status"], pay["offline_reason"]) == ("1500.00", "pending", None)
    notice = db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.template == "claim.payment_notice", OutboxMessage.related_id == str(cid)
        )
    ).one()
    assert "现金/线下方式支付" in notice.body and "身份证件" in notice.body
    # Never in a bank file.
    r = c.post(BATCHES, json={}, headers=w.h["cashier"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "nothing_to_export"
    # The hand-over is its confirmation: the payee's ID, then the signed confirmation.
    number = w.insured_id_number
    someone_else = resident_id(birth="19900101", seq="777")
    refusals = [
        (someone_else, SIGNED, 422, "payee_document_mismatch", "payee_document_number"),
        ("11010119850312456", SIGNED, 422, "invalid_id_number", "payee_document_number"),
        ("   ", SIGNED, 422, "validation_failed", "payee_document_number"),
        (number, ("a.txt", b"signed", "text/plain"), 415, "upload_type_not_allowed", "file"),
        (number, ("a.pdf", b"", "application/pdf"), 422, "signed_confirmation_missing", "file"),
        (number, None, 422, "validation_failed", "file"),
    ]
    for typed, file, status, code, field in refusals:
        r = hand_over(s, cid, pay["id"], typed, file)
        assert r.status_code == status, r.text
        error = r.json()["error"]
        assert (error["code"], error["field"]) == (code, field), error
    [payment] = payments_of(db, cid)
    assert (payment.status, payment.paid_at, payment.receipt_file_id) == ("pending", None, None)
    assert paid_entries(db, cid) == [] and receipts(db, cid) == []

    clock.set("2026-10-01T09:00:00")
    done = ok(hand_over(s, cid, pay["id"], f" {number.lower()} ", SIGNED))
    [stored] = receipts(db, cid)
    assert (done["status"], done["payee_id_last4"], done["receipt_file_id"]) == (
        "paid",
        number[-4:],
        stored.id,
    )
    assert ok(c.get(f"{API}/{cid}", headers=w.h["cashier"]))["state"] == "paid"
    # Again (a double click, a retry): the same payment, nothing recorded twice.
    again = ok(hand_over(s, cid, pay["id"], number, SIGNED))
    same_instant = dt.datetime.fromisoformat(again.pop("paid_at")) == dt.datetime.fromisoformat(
        done.pop("paid_at")
    )
    assert same_instant and again == done and len(receipts(db, cid)) == 1
    [entry] = paid_entries(db, cid)
    details = json.loads(entry.details)
    assert (details["means"], details["receipt_file_id"]) == ("offline", stored.id)
    assert details["receipt_sha256"] == stored.sha256
    assert number not in entry.details  # only the last 4 characters are kept
    transitions = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "claim.pay", AuditEntry.entity_id == str(cid))
    ).all()
    assert len(transitions) == 1
    # No such payment on the claim.
    r = hand_over(s, cid, 0, number, SIGNED)
    assert r.status_code == 404


def test_the_claim_page_takes_an_offline_payment_and_its_hand_over(
    s: Settlement, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P3 GEN-6: the payment officer's forms, through the same services
    w = s.w
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = approved(s, clock)  # 4,000.00: above the limit
    web = ClaimPages(client, db)
    web.login("cashier")
    values = {"payee": str(s.insured_id), "means": "offline"}
    form = web.refresh(cid, "request_payment", values)
    assert form.fields["bank_account_id"].disabled and not form.fields["offline_reason"].disabled
    refused = web.refused(cid, "request_payment", values, form=form)
    assert re.search(r'name="offline_reason"[^>]*aria-invalid="true"', refused.html), refused.errors
    assert any("超过现金/线下支付限额" in e for e in refused.errors)
    assert payments_of(db, cid) == []
    web.do(
        cid,
        "request_payment",
        {**values, "offline_reason": "收款人在偏远地区无银行网点"},
        form=form,
    )
    page = web.page(cid)
    assert "待现金/线下支付" in page and "record_offline_payment" in web.offered(cid)
    assert "export_batch" not in web.offered(cid)
    files = {"receipt_file": ("签收.pdf", PDF, "application/pdf")}
    wrong = web.refused(
        cid,
        "record_offline_payment",
        {"payee_document_number": resident_id(birth="19900101", seq="777")},
        files=files,
    )
    assert re.search(r'name="payee_document_number"[^>]*aria-invalid="true"', wrong.html)
    assert receipts(db, cid) == []
    web.do(
        cid,
        "record_offline_payment",
        {"payee_document_number": w.insured_id_number},
        files=files,
    )
    assert state_of(web.page(cid)) == "paid"
    [payment] = payments_of(db, cid)
    assert payment.status == "paid" and payment.receipt_file_id is not None
    assert [f.id for f in receipts(db, cid)] == [payment.receipt_file_id]
    # SPEC CLM-P3: the timeline says the cash was handed over, not that a bank confirmed it.
    assert (
        paid_step(client, cid, "zh-CN") == "现金/线下支付：已核对收款人身份证件并收取签字确认后交付"
    )
    assert paid_step(client, cid, "en") == (
        "Handed over in cash/offline against the payee's ID and signed confirmation"
    )


def paid_step(client: TestClient, cid: int, lang: str) -> str:
    """The label of the claim page's timeline step for the payment made paid."""
    page = client.get(f"/claims/{cid}?lang={lang}").text
    found = re.search(r'data-action="claim\.payment_paid"[^>]*><time>[^<]*</time>\s*([^·<]*)', page)
    assert found, "no paid step on the timeline"
    return html.unescape(found.group(1)).strip()
