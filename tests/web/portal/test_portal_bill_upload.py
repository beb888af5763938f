"""The customer sends the e-bill of their claim from the portal as two JSON files; a
wrong file or field is said beside the file in words — the receipt line and the field by
name, never the JSON path — in zh-CN and English, and nothing is written (SPEC CLM-T1,
GEN-6)."""

from __future__ import annotations

import copy
import html
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.bill import Bill
from claimdesk.models.claim import Material
from tests.bills.helpers import DAY, RECEIPT, SETTLEMENT, report
from tests.claims.helpers import FrozenClock, World, build_world, local


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    return build_world(db, client)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local(f"{DAY}T10:00:00"))


def files(receipt: Any = None, settlement: Any = None) -> dict[str, Any]:
    sent: dict[str, Any] = {
        "receipt_file": (
            "receipt.json",
            json.dumps(RECEIPT if receipt is None else receipt, ensure_ascii=False).encode(),
            "application/json",
        )
    }
    if settlement is not False:
        body = SETTLEMENT if settlement is None else settlement
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent["settlement_file"] = ("settlement.json", raw, "application/json")
    return sent


def _bills(db: Session, cid: int) -> list[Bill]:
    db.expire_all()
    return list(db.scalars(select(Bill).where(Bill.claim_id == cid)))


def test_customer_sends_receipt_and_statement_files(
    world: World, clock: FrozenClock, db: Session
) -> None:
    # SPEC CLM-T1: the two files become the claim's bill, the invoices ticked
    cid = report(world, clock)
    page = world.client.get(f"/portal/claims/{cid}", headers=world.h["customer"])
    assert f'href="/portal/claims/{cid}/bills"' in page.text
    form = world.client.get(f"/portal/claims/{cid}/bills", headers=world.h["customer"])
    assert form.status_code == 200 and 'id="bill-form"' in form.text
    sent = world.client.post(
        f"/portal/claims/{cid}/bills",
        files=files(),
        headers=world.h["customer"],
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == f"/portal/claims/{cid}?bill=1"
    [stored] = _bills(db, cid)
    assert (stored.source, stored.auth_method, stored.total) == ("customer", "password+sms", 28000)
    assert stored.settled and stored.fund_pay_sumamt == 8000
    # The original keeps both files exactly as uploaded, as one JSON document.
    original = json.loads(stored.original)
    assert original["receipt_file"]["receipt_number"] == "0012345678"
    assert original["settlement_file"]["setl_id"] == SETTLEMENT["setl_id"]
    invoices = db.scalars(
        select(Material).where(Material.claim_id == cid, Material.code == "expense_invoices")
    ).one()
    assert invoices.received
    after = world.client.get(f"/portal/claims/{cid}?bill=1", headers=world.h["customer"])
    assert 'id="ebill-received"' in after.text


def test_a_whole_api_body_in_one_file_is_taken_too(
    world: World, clock: FrozenClock, db: Session
) -> None:
    # SPEC CLM-T1: the format of docs/bills.md as one file (receipt + settlement)
    cid = report(world, clock)
    sent = world.client.post(
        f"/portal/claims/{cid}/bills",
        files=files(receipt={"receipt": RECEIPT, "settlement": SETTLEMENT}, settlement=False),
        headers=world.h["customer"],
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert [b.settled for b in _bills(db, cid)] == [True]


def _line_amount_wrong() -> dict[str, Any]:
    receipt = copy.deepcopy(RECEIPT)
    receipt["items"][1]["amount"] = "4500.00"
    receipt["total"] = "27932.11"
    return receipt


def _cash_wrong() -> dict[str, Any]:
    settlement = copy.deepcopy(SETTLEMENT)
    settlement["psn_cash_pay"] = "18000.00"
    return settlement


@pytest.mark.parametrize(
    ("sent", "field", "zh", "en"),
    [
        (files(receipt=_line_amount_wrong()), "receipt_file", "第 2 行的金额", "Line 2, amount"),
        (files(settlement=_cash_wrong()), "settlement_file", "个人现金支付", "Paid in cash"),
        (files(settlement=b"{not json"), "settlement_file", "JSON", "JSON"),
        (
            files(receipt={**RECEIPT, "payer": {"name": "王五"}}),
            "receipt_file",
            "交款人",
            "Payer",
        ),
        (
            files(receipt={**RECEIPT, "receipt_code": "1106"}),
            "receipt_file",
            "票据代码",
            "Receipt code",
        ),
    ],
)
def test_refusal_beside_the_file_in_words(
    world: World,
    clock: FrozenClock,
    db: Session,
    sent: dict[str, Any],
    field: str,
    zh: str,
    en: str,
) -> None:
    # SPEC CLM-T1, GEN-6: which line and field, in words, no JSON path; nothing written
    cid = report(world, clock)
    for lang, words in (("zh-CN", zh), ("en", en)):
        refused = world.client.post(
            f"/portal/claims/{cid}/bills?lang={lang}", files=sent, headers=world.h["customer"]
        )
        assert refused.status_code == 422, refused.text
        shown = refused.text.split(f'id="{field}-error"', 1)[1].split("</p>", 1)[0]
        assert words in shown, shown
        for code in ("receipt.", "settlement.", "psn_cash_pay", "payer.name", "_file", "CLM-"):
            assert code not in shown, shown
    assert _bills(db, cid) == []


def test_another_customers_claim_is_not_found(
    world: World, clock: FrozenClock, db: Session, client: TestClient
) -> None:
    # SPEC CLM-T1, SEC-4: a customer reaches only their own claims
    from tests.builders import login_headers, make_person, make_user

    cid = report(world, clock)
    other = make_person(db, name="王五")
    make_user(db, username="other", roles=["customer"], person_id=other.id)
    db.commit()
    headers = login_headers(client, "other")
    assert client.get(f"/portal/claims/{cid}/bills", headers=headers).status_code == 404
    sent = client.post(f"/portal/claims/{cid}/bills", files=files(), headers=headers)
    assert sent.status_code == 404 and _bills(db, cid) == []


def test_a_claim_held_on_its_report_still_takes_the_customers_e_bill(
    world: World, clock: FrozenClock, db: Session
) -> None:
    # SPEC CLM-F1, CLM-T1: a hold stops the money, not the evidence — the customer still
    # sends the e-bill and the missing materials, is told where the claim is in the
    # words of its report, and is not told of the hold (CLM-F2)
    cid = report(world, clock)
    held = world.client.post(
        f"/api/v1/claims/{cid}/fraud-flags",
        json={"description": "联系电话与他人共用"},
        headers=world.h["handler"],
    )
    assert held.status_code == 200 and held.json()["state"] == "suspended", held.text
    page = world.client.get(f"/portal/claims/{cid}?lang=en", headers=world.h["customer"])
    assert f'href="/portal/claims/{cid}/bills"' in page.text
    assert 'id="upload-form"' in page.text
    assert "Report received. A claims handler will contact you soon." in page.text
    assert "Materials are complete" not in page.text and "fraud" not in page.text.lower()
    sent = world.client.post(
        f"/portal/claims/{cid}/bills",
        files=files(),
        headers=world.h["customer"],
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    [stored] = _bills(db, cid)
    assert stored.source == "customer" and stored.total == 28000


@pytest.mark.parametrize(
    ("sent", "field", "zh", "en"),
    [
        (
            files(receipt={**RECEIPT, "total": "abc"}, settlement=False),
            "receipt_file",
            "合计金额：",
            "Total amount: ",
        ),
        (
            files(receipt={**RECEIPT, "payer": {"name": "王五"}}),
            "receipt_file",
            "交款人：须为本案被保险人",
            "Payer: must be the claim's insured",
        ),
        (
            files(settlement=b"{not json"),
            "settlement_file",
            "医保结算单文件：不是有效的 JSON 数据文件",
            "Settlement statement file: not a valid JSON data file",
        ),
    ],
)
def test_a_refusal_names_its_field_once_with_the_pages_colon(
    world: World,
    clock: FrozenClock,
    db: Session,
    sent: dict[str, Any],
    field: str,
    zh: str,
    en: str,
) -> None:
    # SPEC GEN-6 CLM-T1: the field named once, first; "：" on Chinese pages, ": " on English
    cid = report(world, clock)
    for lang, words in (("zh-CN", zh), ("en", en)):
        refused = world.client.post(
            f"/portal/claims/{cid}/bills?lang={lang}", files=sent, headers=world.h["customer"]
        )
        assert refused.status_code == 422, refused.text
        shown = refused.text.split(f'id="{field}-error"', 1)[1].split(">", 1)[1]
        shown = html.unescape(shown.split("</p>", 1)[0].strip())
        assert shown.startswith(words), shown
        label = words.split("：" if lang == "zh-CN" else ": ", 1)[0]
        assert shown.count(label) == 1, shown
        assert ("：" in shown) is (lang == "zh-CN"), shown
    assert _bills(db, cid) == []


def test_each_upload_is_its_own_entry_saying_what_it_was(
    world: World, clock: FrozenClock, db: Session
) -> None:
    # SPEC CLM-A2 CLM-T1 GEN-6: a photo, a PDF and an e-bill: three entries, in both languages
    from tests.claims.helpers import PDF, PNG

    cid = report(world, clock)
    for name, content, kind, code in (
        ("photo.png", PNG, "image/png", "identity_proof"),
        ("scan.pdf", PDF, "application/pdf", "claim_form"),
    ):
        sent = world.client.post(
            f"/api/v1/claims/{cid}/files",
            data={"purpose": "material", "material_code": code},
            files={"file": (name, content, kind)},
            headers=world.h["customer"],
        )
        assert sent.status_code == 201, sent.text
    bill = world.client.post(
        f"/portal/claims/{cid}/bills",
        files=files(),
        headers=world.h["customer"],
        follow_redirects=False,
    )
    assert bill.status_code == 303, bill.text
    zh = world.client.get(f"/portal/claims/{cid}?lang=zh-CN", headers=world.h["customer"]).text
    progress = zh[zh.index('id="plain-timeline"') :]
    assert "已上传照片：身份证明。" in progress
    assert "已上传 PDF 文件：理赔申请书。" in progress
    assert "已收到电子医疗票据及医保结算单（合计 ¥28,000.00）" in progress
    assert "已上传一份文件" not in progress
    en = world.client.get(f"/portal/claims/{cid}?lang=en", headers=world.h["customer"]).text
    timeline = en[en.index('id="plain-timeline"') :]
    assert "A photo was uploaded: Identity proof." in timeline
    assert "A PDF document was uploaded: Claim form." in timeline
    assert "An electronic medical bill was received, with its settlement statement" in timeline
    assert "(total ¥28,000.00)" in timeline and "A file was uploaded" not in timeline
    assert "已上传" not in timeline  # nothing of the other language
