"""The bank's answer file (SPEC CLM-P3, CLM-P5, GEN-6): every refusal names the file's row
as a spreadsheet shows it (the header is row 1), whichever line is wrong and whatever is
wrong with it; the API's JSON lines keep their position. A refused file changes nothing.
A paid line answered again with another voucher is reported as a conflict on its line
(recorded once, audited, shown with the batch), never silently dropped and never paid
twice. Both databases."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.payment import Payment, PaymentAnswerConflict
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import API, Settlement, build_settlement, ok
from tests.payments.test_payment_means import BATCHES, exported, nothing_paid
from tests.web.claims.claim_pages import ClaimPages

HEADER = "payment_id,idempotency_key,result,reference,reason\n"


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


def _refused(s: Settlement, batch_id: int, body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The refusal in both languages."""
    errors = {}
    for lang in ("zh-CN", "en"):
        r = s.w.client.post(
            f"{BATCHES}/{batch_id}/confirmation?lang={lang}", json=body, headers=s.w.h["cashier"]
        )
        assert r.status_code == 422, r.text
        errors[lang] = r.json()["error"]
    return errors


@pytest.mark.parametrize(
    ("bad_row", "field", "zh", "en"),
    [
        # a payment that is not in the batch, on the file's 3rd row
        ("999999,{key},paid,BK-9,", "payment_id", "回盘第 3 行的支付", "line 3, payment"),
        # a result the bank does not give
        ("{pid},{key},done,BK-9,", "result", "回盘第 3 行的结果", "line 3, result"),
        # the key of another payment
        (
            "{pid},not-the-key,paid,BK-9,",
            "idempotency_key",
            "回盘第 3 行的请求编号",
            "line 3, request key",
        ),
        # a malformed line
        ("{pid}", None, "回盘第 3 行：", "Confirmation line 3: invalid"),
    ],
)
def test_a_wrong_line_after_the_first_is_named_by_its_file_row(
    s: Settlement,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
    bad_row: str,
    field: str | None,
    zh: str,
    en: str,
) -> None:
    # SPEC CLM-P3 GEN-6: header (row 1), a good line (row 2), the wrong one (row 3), a good
    # one after it (row 4): the refusal names row 3, not its place among the answers (2).
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid, pay, batch = exported(s, clock)
    pid, key = pay["id"], pay["idempotency_key"]
    good = f"{pid},{key},paid,BK-{pid},\n"
    answer = HEADER + good + bad_row.format(pid=pid, key=key) + "\n" + good
    errors = _refused(s, batch["id"], {"csv": answer})
    expected_field = f"line 3.{field}" if field else "line 3"
    assert {e["field"] for e in errors.values()} == {expected_field}
    assert {e["code"] for e in errors.values()} == {"confirmation_invalid"}
    assert zh in errors["zh-CN"]["message"], errors["zh-CN"]["message"]
    assert en in errors["en"]["message"], errors["en"]["message"]
    nothing_paid(db, cid, pay["id"])


def test_the_fourth_row_without_its_voucher_is_row_four(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P3 GEN-6: the voucher refusal counts rows the same way, several lines down.
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid, pay, batch = exported(s, clock)
    pid, key = pay["id"], pay["idempotency_key"]
    good = f"{pid},{key},paid,BK-{pid},\n"
    errors = _refused(s, batch["id"], {"csv": HEADER + good + good + f"{pid},{key},paid,,\n"})
    assert errors["en"]["field"] == "line 4.reference"
    assert "Confirmation line 4, bank reference" in errors["en"]["message"]
    assert "回盘第 4 行的银行流水号" in errors["zh-CN"]["message"]
    nothing_paid(db, cid, pay["id"])


def test_json_lines_are_named_by_their_position(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC GEN-6: the API's lines have no file row: lines[1] is the second line.
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid, pay, batch = exported(s, clock)
    good = {
        "payment_id": pay["id"],
        "idempotency_key": pay["idempotency_key"],
        "result": "paid",
        "reference": "BK-1",
    }
    errors = _refused(s, batch["id"], {"lines": [good, {**good, "payment_id": 999999}]})
    assert errors["en"]["field"] == "lines[1].payment_id"
    assert "Confirmation line 2, payment" in errors["en"]["message"]
    assert "回盘第 2 行的支付" in errors["zh-CN"]["message"]
    nothing_paid(db, cid, pay["id"])


def _batch_confirmations(db: Session, batch_id: int) -> int:
    query = (
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.action == "payment.batch_confirmed",
            AuditEntry.entity_type == "payment_batch",
            AuditEntry.entity_id == str(batch_id),
        )
    )
    return db.scalar(query) or 0


def test_a_json_line_the_schema_refuses_is_a_payment_line(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P3 GEN-6: the bank's answer's lines are payment lines (付款明细): a line
    # without its result was refused as "费用明细第 2 行 结果" — an assessment's expense
    # lines, the label ``lines`` has everywhere else.
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid, pay, batch = exported(s, clock)
    good = {
        "payment_id": pay["id"],
        "idempotency_key": pay["idempotency_key"],
        "result": "paid",
        "reference": "BK-1",
    }
    line = {k: v for k, v in good.items() if k != "result"}
    errors = _refused(s, batch["id"], {"lines": [good, line]})
    assert {e["field"] for e in errors.values()} == {"lines.1.result"}
    # The row's field reads as part of one phrase: "付款明细第 2 行的结果", "Payment
    # lines, line 2, result" — not "…第 2 行 结果" nor "…line 2: Result: required".
    assert errors["zh-CN"]["message"] == "付款明细第 2 行的结果：必填"
    assert errors["en"]["message"] == "Payment lines, line 2, result: required"
    assert "费用明细" not in errors["zh-CN"]["message"]
    nothing_paid(db, cid, pay["id"])


@pytest.mark.parametrize(
    ("body", "field", "zh", "en"),
    [
        ({}, "csv", "回盘文件", "Answer file"),  # neither csv nor lines
        ({"lines": []}, "lines", "付款明细", "Payment lines"),
        ({"csv": ""}, "csv", "回盘文件", "Answer file"),
        ({"csv": HEADER}, "csv", "回盘文件", "Answer file"),  # a file with its header only
    ],
)
def test_an_answer_without_a_line_is_refused_and_records_nothing(
    s: Settlement,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
    body: dict[str, Any],
    field: str,
    zh: str,
    en: str,
) -> None:
    # SPEC CLM-P3 GEN-6: an empty answer is no answer from the bank — refused naming the
    # field (by its label in the bank's answer, the path kept in "field") and the rule in
    # both languages, no batch confirmation audited.
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid, pay, batch = exported(s, clock)
    errors = _refused(s, batch["id"], body)
    assert {(e["code"], e["field"]) for e in errors.values()} == {("confirmation_empty", field)}
    assert errors["zh-CN"]["message"].startswith(f"{zh}：")
    assert "至少须有一行回盘记录" in errors["zh-CN"]["message"]
    assert errors["en"]["message"].startswith(f"{en}: ")
    assert "at least one answered line (give csv or lines)" in errors["en"]["message"]
    assert _batch_confirmations(db, batch["id"]) == 0
    nothing_paid(db, cid, pay["id"])


# -- a paid line answered again with another voucher ----------------------------------------


def _confirm(s: Settlement, batch_id: int, answer: str) -> dict[str, Any]:
    return ok(
        s.w.client.post(
            f"{BATCHES}/{batch_id}/confirmation", json={"csv": answer}, headers=s.w.h["cashier"]
        )
    )


def _entries(db: Session, action: str, cid: int) -> list[AuditEntry]:
    query = select(AuditEntry).where(
        AuditEntry.action == action,
        AuditEntry.entity_type == "claim",
        AuditEntry.entity_id == str(cid),
    )
    return list(db.scalars(query))


def test_a_paid_line_resent_with_another_reference_is_a_conflict_not_a_second_payment(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P3 CLM-P5: the payment stays paid once with its first voucher; the other
    # reference is reported on its line, recorded once and audited on the claim.
    w, c = s.w, s.w.client
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid, pay, batch = exported(s, clock)
    pid, key = pay["id"], pay["idempotency_key"]
    first = _confirm(s, batch["id"], HEADER + f"{pid},{key},paid,ICBC-0001,\n")
    assert [(x["line"], x["outcome"]) for x in first["lines"]] == [(2, "paid")]
    clock.set("2026-10-02T10:00:00")
    again = HEADER + f"{pid},{key},paid,ICBC-0002,\n"
    answers = [_confirm(s, batch["id"], again) for _ in range(2)]
    for answer in answers:
        [line] = answer["lines"]
        assert (line["line"], line["outcome"], line["reference"], line["answered_reference"]) == (
            2,
            "conflict",
            "ICBC-0001",
            "ICBC-0002",
        )
    # Recorded once, the same conflict named both times.
    assert answers[0]["lines"][0]["conflict_id"] == answers[1]["lines"][0]["conflict_id"]
    conflicts = ok(c.get(f"{BATCHES}/{batch['id']}", headers=w.h["cashier"]))["conflicts"]
    assert [
        (x["payment_id"], x["kept_reference"], x["answered_reference"], x["line"])
        for x in conflicts
    ] == [(pid, "ICBC-0001", "ICBC-0002", 2)]
    db.expire_all()
    payment = db.get(Payment, pid)
    assert payment is not None
    assert (payment.status, payment.bank_reference) == ("paid", "ICBC-0001")
    assert len(_entries(db, "claim.payment_paid", cid)) == 1
    [entry] = _entries(db, "claim.payment_answer_conflict", cid)
    details = json.loads(entry.details)
    assert (details["kept_reference"], details["answered_reference"]) == (
        "ICBC-0001",
        "ICBC-0002",
    )
    assert ok(c.get(f"{API}/{cid}", headers=w.h["cashier"]))["state"] == "paid"
    # The same reference again stays a no-op: nothing recorded.
    same = _confirm(s, batch["id"], HEADER + f"{pid},{key},paid,ICBC-0001,\n")
    assert [(x["outcome"], x["reference"]) for x in same["lines"]] == [("unchanged", "ICBC-0001")]
    assert db.scalar(select(func.count()).select_from(PaymentAnswerConflict)) == 1
    assert len(_entries(db, "claim.payment_answer_conflict", cid)) == 1
    # SPEC GEN-5: the claim's timeline says it in both languages.
    ClaimPages(c, db).login("cashier")
    for lang, words in (
        ("zh-CN", "银行回盘以不同流水号再次确认已付（冲突）"),
        ("en", "Bank answered paid again with another reference (conflict)"),
    ):
        assert words in c.get(f"/claims/{cid}?lang={lang}").text


def test_one_file_answering_a_line_twice_with_two_references_pays_once(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P5: the first answer pays; the second, another voucher, is its conflict.
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    _cid, pay, batch = exported(s, clock)
    pid, key = pay["id"], pay["idempotency_key"]
    done = _confirm(
        s, batch["id"], HEADER + f"{pid},{key},paid,BK-A1,\n\n{pid},{key},paid,BK-B2,\n"
    )
    assert [(x["line"], x["outcome"], x["answered_reference"]) for x in done["lines"]] == [
        (2, "paid", None),
        (4, "conflict", "BK-B2"),
    ]
    db.expire_all()
    payment = db.get(Payment, pid)
    assert payment is not None and payment.bank_reference == "BK-A1"
