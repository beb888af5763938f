"""The payment officer's bank batches page (SPEC CLM-P3, CLM-P5, GEN-6, SEC-4): the
batches, exporting the waiting transfers, a batch's lines, uploading the bank's answer
file and reading what each line did — a refused file beside the upload and nothing
recorded, a conflicting answer shown and kept — through the same service as the API.
Both databases."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.payment import Payment
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import API, Settlement, build_settlement, ok
from tests.payments.test_payment_means import approved
from tests.web.helpers import form_token, staff_login

HEADER = "payment_id,idempotency_key,result,reference,reason\n"


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


def _requested(s: Settlement, clock: FrozenClock) -> dict[str, Any]:
    """An approved claim's indemnity requested by transfer, not yet sent to the bank."""
    w = s.w
    cid = approved(s, clock)
    return ok(
        w.client.post(
            f"{API}/{cid}/payments",
            json={"payee_person_id": s.insured_id, "bank_account_id": s.account_id},
            headers={**w.h["cashier"], "Idempotency-Key": f"pay-{cid}-page"},
        ),
        201,
    )


def _upload(client: TestClient, batch_id: int, content: bytes) -> Any:
    token = form_token(client, f"/payments/batches/{batch_id}")
    return client.post(
        f"/payments/batches/{batch_id}/confirmation",
        data={"csrf_token": token},
        files={"file": ("回盘.csv", content, "text/csv")},
    )


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _payment(db: Session, payment_id: int) -> Payment:
    db.expire_all()
    found = db.scalars(select(Payment).where(Payment.id == payment_id)).one()
    return found


def test_the_officer_exports_uploads_the_answer_and_sees_each_line(
    s: Settlement, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P3 CLM-P5 GEN-6
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    pay = _requested(s, clock)
    pid, key = pay["id"], pay["idempotency_key"]
    client.headers.clear()
    client.cookies.clear()
    staff_login(client, "cashier")
    listed = client.get("/payments/batches")
    assert listed.status_code == 200
    assert 'href="/payments/batches"' in listed.text  # in the officer's navigation
    assert re.search(r'id="waiting" data-waiting="1"', listed.text)
    # Export: a new batch with the waiting transfer, and its page.
    token = form_token(client, "/payments/batches")
    done = client.post("/payments/batches", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303, done.text
    batch_id = int(done.headers["location"].rsplit("/", 1)[1])
    assert _payment(db, pid).status == "exported"
    page = client.get(f"/payments/batches/{batch_id}").text
    assert f'data-payment="{pid}" data-result=""' in page and "尚未回盘" in page
    # Nothing left to export: refused on the list, in place (409).
    token = form_token(client, "/payments/batches")
    again = client.post("/payments/batches", data={"csrf_token": token})
    assert again.status_code == 409 and 'id="export-refused"' in again.text
    assert "没有可导出的待支付款项" in again.text

    # A paid line without its voucher, on the file's 2nd row: refused beside the file.
    refused = _upload(client, batch_id, (HEADER + f"{pid},{key},paid,,\n").encode())
    assert refused.status_code == 422
    assert re.search(r'name="file"[^>]*aria-invalid="true"', refused.text)
    assert "回盘第 2 行的银行流水号（电子凭证）：不能为空" in _text(refused.text)
    assert _payment(db, pid).status == "exported"
    # Not text: refused, nothing recorded.
    unreadable = _upload(client, batch_id, b"\xff\xfe\x00bad")
    assert unreadable.status_code == 422 and "UTF-8" in unreadable.text
    assert _payment(db, pid).status == "exported"

    # An empty file, or its header only (SPEC GEN-6): no answer, refused beside the file.
    for content in (b"", HEADER.encode()):
        empty = _upload(client, batch_id, content)
        assert empty.status_code == 422
        assert re.search(r'name="file"[^>]*aria-invalid="true"', empty.text)
        assert "文件：银行回盘至少须有一行回盘记录" in _text(empty.text)
        assert _payment(db, pid).status == "exported"
        assert 'data-status="confirmed"' not in empty.text
    assert not db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "payment.batch_confirmed",
            AuditEntry.entity_id == str(batch_id),
        )
    ).first()

    # The answer (with a spreadsheet's BOM): paid with its voucher; each line's outcome.
    answer = "\ufeff" + HEADER + f"{pid},{key},paid,ICBC-2026-0100,\n"
    answered = _upload(client, batch_id, answer.encode("utf-8"))
    assert answered.status_code == 200, answered.text
    assert 'data-line="2" data-outcome="paid"' in answered.text
    payment = _payment(db, pid)
    assert (payment.status, payment.bank_reference) == ("paid", "ICBC-2026-0100")
    assert 'data-status="confirmed"' in answered.text and "已全部回盘" in answered.text
    # The claim page names the bank's voucher as what it is (CLM-P5).
    claim_page = _text(client.get(f"/claims/{payment.claim_id}").text)
    assert "银行流水号 ICBC-2026-0100" in claim_page
    # The same file again changes nothing: unchanged.
    same = _upload(client, batch_id, answer.encode("utf-8"))
    assert 'data-line="2" data-outcome="unchanged"' in same.text

    # Re-sent with another reference: a conflict, shown now and kept on the batch page.
    other = _upload(client, batch_id, (HEADER + f"{pid},{key},paid,ICBC-2026-0200,\n").encode())
    assert other.status_code == 200
    assert 'data-line="2" data-outcome="conflict"' in other.text
    assert "冲突：已凭其他流水号确认支付，未作任何变更" in _text(other.text)
    kept = client.get(f"/payments/batches/{batch_id}?lang=en").text
    conflicts = _text(kept[kept.index('id="conflicts"') :])
    assert "ICBC-2026-0100 ICBC-2026-0200 2" in conflicts
    assert "paid twice" in conflicts
    payment = _payment(db, pid)
    assert (payment.status, payment.bank_reference) == ("paid", "ICBC-2026-0100")
    # The list shows the batch answered.
    listed = client.get("/payments/batches?lang=en").text
    row = re.search(rf'<tr data-batch="{batch_id}">(.*?)</tr>', listed, re.S)
    assert row and "Every line answered" in row.group(1) and "¥4,000.00" in row.group(1)


def test_only_payment_officers_see_the_batches(
    s: Settlement, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC SEC-4: least privilege — an adjuster neither sees nor acts on bank batches.
    client.headers.clear()
    client.cookies.clear()
    staff_login(client, "adjuster")
    assert client.get("/payments/batches").status_code == 403
    home = client.get("/workbench").text
    assert 'href="/payments/batches"' not in home
