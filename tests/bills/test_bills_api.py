"""Bills as data through the HTTP API, on SQLite and PostgreSQL (SPEC CLM-T1)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from claimdesk.bills.repository import find_receipts
from claimdesk.field_labels import field_label
from claimdesk.models.audit import AuditEntry
from claimdesk.models.bill import Bill
from tests.bills.helpers import API, DAY, bill, credit_code, ok, report, walk_to_surveyed
from tests.builders import login_headers, make_person, make_user, resident_id
from tests.claims.helpers import FrozenClock, World, build_world, local


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    return build_world(db, client)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local(f"{DAY}T10:00:00"))


def _post(w: World, cid: int, body: dict[str, Any], who: str = "customer") -> Any:
    return w.client.post(f"{API}/{cid}/bills", json=body, headers=w.h[who])


def test_customer_submits_a_receipt_and_its_lines_are_stored(world, clock, db):
    # SPEC CLM-T1: the customer's e-bill is stored line by line, the original kept.
    cid = report(world, clock)
    body = bill()
    created = ok(_post(world, cid, body), 201)
    assert created["source"] == "customer" and created["auth_method"] == "password+sms"
    assert created["total"] == "28000.00" and created["fund_pay_sumamt"] == "8000.00"
    assert [line["catalog"] for line in created["lines"]] == ["A", "B", "C", "C"]
    assert Decimal(created["lines"][1]["self_pay_ratio"]) == Decimal("0.1")
    assert created["lines"][2]["category"] == "cosmetic"

    listed = ok(world.client.get(f"{API}/{cid}/bills", headers=world.h["assessor"]))
    assert [b["receipt_number"] for b in listed] == ["0012345678"]
    stored = db.scalars(select(Bill).where(Bill.claim_id == cid)).one()
    assert stored.original.startswith("{") and "0012345678" in stored.original
    # SEC-1: the original and the item names are ciphertext in the table.
    raw = db.execute(text("SELECT original FROM claim_bills WHERE claim_id = :c"), {"c": cid})
    assert "阑尾切除术" not in raw.scalar_one()
    raw_name = db.execute(text("SELECT name FROM claim_bill_lines ORDER BY id LIMIT 1"))
    assert "阑尾切除术" not in raw_name.scalar_one()


def test_the_e_bill_ticks_the_invoices_on_the_checklist(world, clock, db):
    # SPEC CLM-A1, CLM-T1: the invoices are in, electronically (no paper counted).
    cid = report(world, clock)
    ok(_post(world, cid, bill()), 201)
    claim = ok(world.client.get(f"{API}/{cid}", headers=world.h["handler"]))
    invoices = next(m for m in claim["checklist"] if m["code"] == "expense_invoices")
    assert invoices["received"] is True and invoices["paper_count"] == 0
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "claim.bill_submitted")).one()
    details = json.loads(entry.details)
    assert details["material"] == "expense_invoices" and details["electronic"] is True


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = body
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is _DROP:
            del node[last]
        else:
            node[int(last) if last.isdigit() else last] = value

    return change


_DROP = object()

# 主诊断 of the worked example: acute appendicitis, an inpatient stay (21 普通住院).
DIAGNOSIS = {"dise_codg": "K35.800", "dise_name": "急性阑尾炎", "med_type": "21"}


def _diagnosis(**changes: Any) -> Callable[[dict[str, Any]], None]:
    """The settlement statement with its 主诊断, one part changed (None: left out)."""

    def change(body: dict[str, Any]) -> None:
        given = {**DIAGNOSIS, **changes}
        body["settlement"].update({k: v for k, v in given.items() if v is not None})

    return change


# (what breaks, the change, the field the refusal must name, the error code)
INVALID = [
    (
        "receipt code not 8 digits",
        _set("receipt.receipt_code", "1106012"),
        "receipt.receipt_code",
        "bill_invalid",
    ),
    (
        "receipt number not 10 digits",
        _set("receipt.receipt_number", "00123456X8"),
        "receipt.receipt_number",
        "bill_invalid",
    ),
    (
        "check code not 6 alphanumerics",
        _set("receipt.check_code", "a1b2c"),
        "receipt.check_code",
        "bill_invalid",
    ),
    (
        "credit code check char",
        _set("receipt.issuer.credit_code", "121100004000007160"),
        "receipt.issuer.credit_code",
        "bill_invalid",
    ),
    (
        "credit code alphabet",
        _set("receipt.issuer.credit_code", "12110000400000716I"),
        "receipt.issuer.credit_code",
        "bill_invalid",
    ),
    (
        "issue date in the future",
        _set("receipt.issue_date", "2026-10-01"),
        "receipt.issue_date",
        "bill_invalid",
    ),
    (
        "payer not the insured",
        _set("receipt.payer.name", "王五"),
        "receipt.payer.name",
        "bill_payer_not_insured",
    ),
    (
        "item code format",
        _set("receipt.items.0.code", "中文编码"),
        "receipt.items.0.code",
        "bill_invalid",
    ),
    (
        "quantity x price != amount",
        _set("receipt.items.1.amount", "4567.91"),
        "receipt.items.1.amount",
        "bill_invalid",
    ),
    (
        "B without self-pay ratio",
        _set("receipt.items.1.self_pay_ratio", _DROP),
        "receipt.items.1.self_pay_ratio",
        "bill_invalid",
    ),
    (
        "A with a self-pay ratio",
        _set("receipt.items.0.self_pay_ratio", "0.2"),
        "receipt.items.0.self_pay_ratio",
        "bill_invalid",
    ),
    (
        "unknown item level",
        _set("receipt.items.0.chrgitm_lv", "4"),
        "receipt.items.0.chrgitm_lv",
        "validation_failed",
    ),
    (
        "amount with 3 places",
        _set("receipt.items.0.amount", "18000.001"),
        "receipt.items.0.amount",
        "validation_failed",
    ),
    (
        "negative price",
        _set("receipt.items.0.unit_price", "-1"),
        "receipt.items.0.unit_price",
        "validation_failed",
    ),
    (
        "zero quantity",
        _set("receipt.items.0.quantity", "0"),
        "receipt.items.0.quantity",
        "validation_failed",
    ),
    ("no items", _set("receipt.items", []), "receipt.items", "validation_failed"),
    ("missing payer", _set("receipt.payer", _DROP), "receipt.payer", "validation_failed"),
    ("unknown field", _set("receipt.discount", "1.00"), "receipt.discount", "validation_failed"),
    ("total != sum of items", _set("receipt.total", "28000.01"), "receipt.total", "bill_invalid"),
    (
        "settlement id format",
        _set("settlement.setl_id", "结算-1"),
        "settlement.setl_id",
        "bill_invalid",
    ),
    (
        "settlement in the future",
        _set("settlement.setl_time", "2026-10-01T08:00:00"),
        "settlement.setl_time",
        "bill_invalid",
    ),
    (
        "medfee != receipt total",
        _set("settlement.medfee_sumamt", "27000.00"),
        "settlement.medfee_sumamt",
        "bill_invalid",
    ),
    (
        "payers do not add up",
        _set("settlement.psn_cash_pay", "18700.00"),
        "settlement.psn_cash_pay",
        "bill_invalid",
    ),
    (
        "scope parts do not add up",
        _set("settlement.inscp_scp_amt", "22111.00"),
        "settlement.inscp_scp_amt",
        "bill_invalid",
    ),
    (
        "fund pays beyond scope",
        _set("settlement.fund_pay_sumamt", "22200.00"),
        "settlement.fund_pay_sumamt",
        "bill_invalid",
    ),
    (
        "issue date before 2000",
        _set("receipt.issue_date", "1999-12-31"),
        "receipt.issue_date",
        "bill_invalid",
    ),
    (
        "settlement at the calendar's edge",
        _set("settlement.setl_time", "0001-01-01T00:00:00+14:00"),
        "settlement.setl_time",
        "bill_invalid",
    ),
    (
        "quantity no column holds",
        _set("receipt.items.0.quantity", "12345678901234"),
        "receipt.items.0.quantity",
        "validation_failed",
    ),
    (
        "amount no column holds",
        _set("receipt.total", "123456789012345678"),
        "receipt.total",
        "validation_failed",
    ),
    (
        "diagnosis code not ICD-10",
        _diagnosis(dise_codg="k35.800"),
        "settlement.dise_codg",
        "bill_invalid",
    ),
    (
        "diagnosis code without its category",
        _diagnosis(dise_codg="K3"),
        "settlement.dise_codg",
        "bill_invalid",
    ),
    (
        "diagnosis without its name",
        _diagnosis(dise_name=None),
        "settlement.dise_name",
        "bill_invalid",
    ),
    (
        "diagnosis without its medical type",
        _diagnosis(med_type=None),
        "settlement.med_type",
        "bill_invalid",
    ),
    (
        "medical type not digits",
        _diagnosis(med_type="住院"),
        "settlement.med_type",
        "bill_invalid",
    ),
    ("blank diagnosis name", _diagnosis(dise_name="  "), "settlement.dise_name", "bill_invalid"),
    (
        "diagnosis code too long for the column",
        _diagnosis(dise_codg="K35." + "8" * 40),
        "settlement.dise_codg",
        "validation_failed",
    ),
]


@pytest.mark.parametrize(
    ("change", "field", "code"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID]
)
def test_each_rule_is_refused_naming_the_field(world, clock, db, change, field, code):
    # SPEC CLM-T1, GEN-6: every field is validated; the error names the field and the
    # rule in the user's language, and nothing is written.
    cid = report(world, clock)
    body = bill()
    change(body)
    if field == "settlement.fund_pay_sumamt":
        # Keep the payers' sum right so that only the scope rule is broken.
        body["settlement"]["psn_cash_pay"] = "4600.00"
    response = _post(world, cid, body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field and error["code"] == code
    # zh-CN by default; the field is named by its label where it has one, else its path
    assert (field_label(field, "zh-CN") or field) in error["message"]
    english = world.client.post(
        f"{API}/{cid}/bills?lang=en", json=body, headers=world.h["customer"]
    ).json()["error"]
    assert (field_label(field, "en") or field) in english["message"]
    assert english["message"] != error["message"]
    assert db.scalar(select(Bill.id).where(Bill.claim_id == cid)) is None


def test_the_main_diagnosis_is_stored_encrypted_with_its_group(world, clock, db):
    # SPEC CLM-T1 (主诊断 dise_codg / dise_name, 医疗类别 med_type), CLM-F3 (the amount
    # check groups bills by ICD-10 category and setting), SEC-1 (medical details encrypted)
    from claimdesk.crypto.indexes import PURPOSE_DIAGNOSIS_GROUP
    from claimdesk.crypto.keyring import blind_index

    cid = report(world, clock)
    body = bill()
    body["settlement"].update(DIAGNOSIS)
    created = ok(_post(world, cid, body), 201)
    assert (created["dise_codg"], created["dise_name"], created["med_type"]) == (
        "K35.800",
        "急性阑尾炎",
        "21",
    )
    stored = db.scalars(select(Bill).where(Bill.claim_id == cid)).one()
    assert stored.dise_group == "K35:inpatient" and stored.setting == "inpatient"
    assert stored.dise_group_hash == blind_index("K35:inpatient", PURPOSE_DIAGNOSIS_GROUP)
    raw = db.execute(
        text("SELECT dise_codg, dise_name, dise_group FROM claim_bills WHERE claim_id = :c"),
        {"c": cid},
    ).one()
    assert "K35" not in raw[0] and "阑尾" not in raw[1] and "K35" not in raw[2]


def test_a_bill_without_a_diagnosis_keeps_working(world, clock, db):
    # SPEC CLM-T1: the 主诊断 is optional; bills stored before it existed have none.
    cid = report(world, clock)
    created = ok(_post(world, cid, bill()), 201)
    assert created["dise_codg"] is None and created["med_type"] is None
    stored = db.scalars(select(Bill).where(Bill.claim_id == cid)).one()
    assert stored.dise_group is None and stored.dise_group_hash is None
    assert stored.setting is None


def test_a_bill_without_a_settlement_statement_is_accepted(world, clock):
    # SPEC CLM-T1: a claimant who did not settle through social insurance has no statement.
    cid = report(world, clock)
    created = ok(_post(world, cid, {"receipt": bill()["receipt"]}), 201)
    assert created["settled"] is False and created["fund_pay_sumamt"] is None


def test_duplicate_receipt_on_the_same_claim_is_409(world, clock, db):
    # SPEC CLM-T1: the same receipt (code + number) twice on one claim is refused.
    cid = report(world, clock)
    ok(_post(world, cid, bill()), 201)
    again = _post(world, cid, bill(check_code="zzzzzz"), who="handler")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "duplicate_receipt"
    assert again.json()["error"]["field"] == "receipt.receipt_number"
    # Another receipt number is another receipt.
    ok(_post(world, cid, bill(receipt_number="0012345679")), 201)
    # The cross-claim check (CLM-F3) finds every claim carrying a receipt.
    other = report(world, clock)
    ok(_post(world, other, bill(), who="handler"), 201)
    found = find_receipts(db, code="11060126", number="0012345678")
    assert sorted(b.claim_id for b in found) == [cid, other]


def test_customer_of_another_claim_cannot_submit_or_read(world, clock, db, client):
    # SPEC CLM-T1, SEC-4: a customer reaches only their own claims.
    cid = report(world, clock)
    stranger = make_person(db, name="王五", id_number=resident_id(birth="19920202", seq="333"))
    make_user(db, username="stranger", roles=["customer"], person_id=stranger.id)
    db.commit()
    headers = login_headers(client, "stranger")
    assert client.post(f"{API}/{cid}/bills", json=bill(), headers=headers).status_code == 404
    assert client.get(f"{API}/{cid}/bills", headers=headers).status_code == 404
    # A surveyor may read the claim but not submit bills (least privilege).
    assert _post(world, cid, bill(), who="surveyor").status_code == 403
    assert db.scalar(select(Bill.id)) is None


def test_no_bill_after_the_assessment(world, clock):
    # SPEC CLM-T1: bills come with the materials; an assessed claim takes none (409).
    cid = report(world, clock)
    ok(_post(world, cid, bill()), 201)
    walk_to_surveyed(world, clock, cid)
    ok(
        world.client.post(
            f"{API}/{cid}/assessment/from-bills", json={}, headers=world.h["assessor"]
        )
    )
    ok(world.client.post(f"{API}/{cid}/assessment/complete", json={}, headers=world.h["assessor"]))
    late = _post(world, cid, bill(receipt_number="0012345679"))
    assert late.status_code == 409 and late.json()["error"]["code"] == "bills_closed"


def test_assessment_from_bills_gives_the_hand_worked_adj_med_figure(world, clock, db):
    # SPEC ADJ-MED, CLM-L3, CLM-T1: MED-MILLION (all_necessary, deductible 10,000,
    # ratio 100 % when settled through social insurance, cosmetic excluded).
    # Lines: 18,000.00 + 4,567.89 + 2,432.11 count in full; the 3,000.00 cosmetic line is
    # removed with its reason. Eligible 25,000.00; minus the fund payment 8,000.00 (the
    # 1,200.00 personal account is the insured's own money) = 17,000.00; minus the
    # deductible 10,000.00 = 7,000.00; × 1.00 = 7,000.00 payable.
    cid = report(world, clock)
    ok(_post(world, cid, bill()), 201)
    walk_to_surveyed(world, clock, cid)
    clock.set(f"{DAY}T14:00:00")
    c = world.client
    assessed = ok(
        c.post(f"{API}/{cid}/assessment/from-bills", json={}, headers=world.h["assessor"])
    )
    assert assessed["state"] == "surveyed" and assessed["coverage_code"] == "medical"
    lines = assessed["lines"]
    assert [(i["amount"], i["catalog"], i["removed"]) for i in lines] == [
        ("18000.00", "A", False),
        ("4567.89", "B", False),
        ("3000.00", "C", True),
        ("2432.11", "C", False),
    ]
    assert "cosmetic" in lines[2]["removal_reason"]
    assert assessed["social_insurance_paid"] == "8000.00"
    assert assessed["settled_with_social_insurance"] is True
    assert lines[1]["description"] == "头孢呋辛酯片（XA01ABD075A002010100483）"
    ok(c.post(f"{API}/{cid}/assessment/complete", json={}, headers=world.h["assessor"]))
    clock.set(f"{DAY}T15:00:00")
    ok(
        c.post(
            f"{API}/{cid}/adjustments",
            json={"coverage_code": "medical", "liability": "covered", "covered_items": ["medical"]},
            headers=world.h["adjuster"],
        )
    )
    done = ok(c.post(f"{API}/{cid}/adjustment/complete", json={}, headers=world.h["adjuster"]))
    assert Decimal(done["payable_total"]) == Decimal("7000.00")


def test_assessment_from_bills_needs_a_bill_and_the_assessor(world, clock):
    # SPEC CLM-T1: without an e-bill the assessor types the lines (manual path).
    cid = report(world, clock)
    ok(_post(world, cid, bill(), who="handler"), 201)
    walk_to_surveyed(world, clock, cid)
    refused = world.client.post(
        f"{API}/{cid}/assessment/from-bills", json={}, headers=world.h["handler"]
    )
    assert refused.status_code == 403
    other = report(world, clock)
    ok(
        world.client.post(
            f"{API}/{other}/materials/receive",
            json={"code": "expense_invoices"},
            headers=world.h["handler"],
        )
    )
    walk_to_surveyed(world, clock, other)
    missing = world.client.post(
        f"{API}/{other}/assessment/from-bills", json={}, headers=world.h["assessor"]
    )
    assert missing.status_code == 409 and missing.json()["error"]["code"] == "bills_missing"
    wrong = world.client.post(
        f"{API}/{cid}/assessment/from-bills",
        json={"coverage_code": "nope"},
        headers=world.h["assessor"],
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "coverage_code"


def test_a_staff_bill_records_its_source(world, clock):
    # SPEC CLM-T1: staff may submit the bill (a hospital system role does not exist yet).
    cid = report(world, clock)
    created = ok(_post(world, cid, bill(), who="handler"), 201)
    assert created["source"] == "staff" and created["auth_method"] == "password"


def test_credit_code_helper_makes_valid_codes():
    # SPEC CLM-T1: the check character follows GB 32100-2015 (a published code).
    from claimdesk.rules.bills import credit_check_char

    assert credit_check_char("91350100M000100Y4") == "3"
    assert credit_code().startswith("12110000400000716")
