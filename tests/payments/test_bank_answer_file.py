"""The bank's answer file (SPEC CLM-P3, CLM-P5, GEN-6): every refusal names the file's row
as a spreadsheet shows it (the header is row 1), whichever line is wrong and whatever is
wrong with it; the API's JSON lines keep their position. A refused file changes nothing.
Both databases."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import Settlement, build_settlement
from tests.payments.test_payment_means import BATCHES, exported, nothing_paid

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
        ("999999,{key},paid,BK-9,", "payment_id", "回盘第 3 行 支付", "line 3, payment"),
        # a result the bank does not give
        ("{pid},{key},done,BK-9,", "result", "回盘第 3 行 结果", "line 3, result"),
        # the key of another payment
        (
            "{pid},not-the-key,paid,BK-9,",
            "idempotency_key",
            "回盘第 3 行 请求编号",
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
    assert "回盘第 4 行 银行流水号" in errors["zh-CN"]["message"]
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
    assert "回盘第 2 行 支付" in errors["zh-CN"]["message"]
    nothing_paid(db, cid, pay["id"])
