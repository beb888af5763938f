"""A foreseeable payment delay told to the customer in advance (SPEC CLM-P4, GEN-1,
GEN-2, GEN-5, GEN-6): the customer reads the kind of delay in words and what staff wrote
for them, never the staff's internal note (which the audit trail keeps); the date as the
customer writes it; once per expected date. Both databases."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.claims import notify
from claimdesk.code_labels import PAYMENT_DELAY_REASONS
from claimdesk.models.audit import AuditEntry
from claimdesk.models.job import OutboxMessage
from claimdesk.payments.schemas import DelayReason
from tests.claims.helpers import FrozenClock, local, report_body
from tests.claims.steps import API, Settlement, build_settlement, ok

NOTE = "国庆节假期银行暂停处理，内部：财务 10/8 复核"


@pytest.fixture
def s(
    settlement_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> Settlement:
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    return build_settlement(db, client)


def _claim(s: Settlement, *, phone: str | None = "13912345678") -> int:
    body = {**report_body(s.w.policies["MED-MILLION"].number), "contact_phone": phone}  # type: ignore[attr-defined]
    return int(ok(s.w.client.post(API, json=body, headers=s.w.h["handler"]), 201)["id"])


def _delay(s: Settlement, cid: int, lang: str = "en", **fields: Any) -> Any:
    body = {"reason": NOTE, "expected_arrival": "2026-10-09", **fields}
    return s.w.client.post(
        f"{API}/{cid}/payment-delay-notice?lang={lang}", json=body, headers=s.w.h["cashier"]
    )


def _told(db: Session, cid: int) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(
        OutboxMessage.template == "claim.payment_delay", OutboxMessage.related_id == str(cid)
    )
    return list(db.scalars(query))


def test_the_customer_reads_the_kind_of_delay_and_staffs_words_for_them_not_the_note(
    s: Settlement, db: Session
) -> None:
    # SPEC CLM-P4 GEN-2 GEN-5
    cid = _claim(s)
    for _ in range(2):  # a retried request tells the customer once
        r = _delay(s, cid, reason_code="holidays", customer_note="银行国庆假期后第一个工作日处理")
        assert r.status_code == 204, r.text
    [told] = _told(db, cid)
    assert told.body == (
        f"报案号 {s.w.client.get(f'{API}/{cid}', headers=s.w.h['handler']).json()['number']}："
        "赔款将晚于通常时间支付（节假日），预计 2026年10月9日 前到账，敬请谅解。"
        "说明：银行国庆假期后第一个工作日处理"
    )
    assert (told.channel, told.recipient, told.language) == ("sms", "13912345678", "zh-CN")
    assert NOTE not in told.body and "2026-10-09" not in told.body
    db.commit()  # audit entries are chained at commit
    [entry] = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "claim.payment_delay_notified",
            AuditEntry.entity_id == str(cid),
        )
    ).all()
    assert entry.reason == NOTE
    assert json.loads(entry.details)["reason_code"] == "holidays"


def test_other_reasons_need_the_words_the_customer_reads(s: Settlement, db: Session) -> None:
    # SPEC CLM-P4 GEN-6: "other reasons" alone tells the customer nothing; refused, named
    cid = _claim(s)
    for lang, words in (("en", "explanation the customer reads"), ("zh-CN", "告知客户的说明")):
        r = _delay(s, cid, lang, reason_code="other")
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert (error["code"], error["field"]) == ("delay_explanation_required", "customer_note")
        assert words in error["message"]
    unknown = _delay(s, cid, reason_code="typhoon")
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "reason_code"
    assert _told(db, cid) == []
    assert (
        _delay(s, cid, reason_code="other", customer_note="需等待医院补开发票").status_code == 204
    )
    [told] = _told(db, cid)
    assert "（其他原因）" in told.body and told.body.endswith("说明：需等待医院补开发票")


def test_without_a_contact_phone_the_delay_goes_to_the_portal(s: Settlement, db: Session) -> None:
    # SPEC CLM-P4: told in advance whether or not the report left a phone
    cid = _claim(s, phone=None)
    assert _delay(s, cid, reason_code="remote_case").status_code == 204
    [told] = _told(db, cid)
    assert (told.channel, told.recipient) == ("app", f"person:{s.insured_id}")
    assert "异地案件，需外地机构协助办理" in told.body


def test_every_kind_of_delay_has_words_in_both_languages() -> None:
    # SPEC CLM-P4 GEN-6: the API's list is the labels' list; the English text is English
    assert get_args(DelayReason) == tuple(PAYMENT_DELAY_REASONS)
    params = {"number": "BA1", "reason": "Public holidays", "expected": dt.date(2026, 10, 9)}
    english = notify.render("claim.payment_delay", params, "en")
    assert "(Public holidays) and should arrive by 9 Oct 2026" in english
