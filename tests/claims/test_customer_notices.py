"""What the customer is told about a claim, and where (SPEC CLM-R3, CLM-A4, CLM-P2,
CLM-P4, CLM-V3, GEN-2): every message goes to notify.customer_address — an SMS to the
claim's contact phone, else the insured's portal messages — so a claim reported without
a phone still tells its customer; once per business event (the outbox's dedupe key)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.claims import notify
from claimdesk.models.claim import Claim
from claimdesk.models.job import OutboxMessage
from tests.claims.helpers import FrozenClock, local, report_body
from tests.claims.steps import API, Settlement, build_settlement, ok


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient, clock: FrozenClock) -> Settlement:
    return build_settlement(db, client)


def _report(s: Settlement, *, phone: str | None) -> dict[str, Any]:
    body = {**report_body(s.w.policies["MED-MILLION"].number), "contact_phone": phone}  # type: ignore[attr-defined]
    return ok(s.w.client.post(API, json=body, headers=s.w.h["handler"]), 201)


def _told(db: Session, cid: int, template: str) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(
        OutboxMessage.template == template, OutboxMessage.related_id == str(cid)
    )
    return list(db.scalars(query.order_by(OutboxMessage.id)))


def test_a_claim_without_a_contact_phone_tells_the_insured_in_the_portal(
    s: Settlement, db: Session
) -> None:
    # SPEC CLM-R3 (the customer is told at once, by SMS/app), CLM-A4 (ONE written notice
    # of what is missing): without a phone both used to be skipped silently
    claim = _report(s, phone=None)
    cid = int(claim["id"])
    [reported] = _told(db, cid, "claim.reported")
    assert (reported.channel, reported.recipient) == ("app", f"person:{s.insured_id}")
    assert reported.person_id == s.insured_id and claim["number"] in reported.body
    assert reported.dedupe_key == f"claim:{cid}:claim.reported"
    ok(s.w.client.post(f"{API}/{cid}/materials-notice", json={}, headers=s.w.h["handler"]))
    [notice] = _told(db, cid, "claim.materials_missing")
    assert (notice.channel, notice.recipient) == ("app", f"person:{s.insured_id}")
    assert "2026年10月30日" in notice.body


def test_a_claim_with_a_contact_phone_is_told_by_sms_once(s: Settlement, db: Session) -> None:
    # SPEC CLM-R3: the SMS goes to the number the report gave; a retried notice is not
    # sent twice (the dedupe key per claim and template)
    cid = int(_report(s, phone="13912345678")["id"])
    [reported] = _told(db, cid, "claim.reported")
    assert (reported.channel, reported.recipient, reported.language) == (
        "sms",
        "13912345678",
        "zh-CN",
    )
    claim = db.get_one(Claim, cid)
    assert notify.tell_customer(db, claim=claim, template="claim.reported", params={}) is None
    assert len(_told(db, cid, "claim.reported")) == 1


def test_every_customer_message_opens_with_the_report_number() -> None:
    # SPEC CLM-R3 GEN-1 GEN-2: the customer quotes the same words for the same thing in
    # every message; amounts and dates as they write them, in both languages
    customer = [t for t in notify.TEMPLATES if t.startswith("claim.") and "escalation" not in t]
    for template in customer:
        zh, en = notify.TEMPLATES[template]
        tails = ("claim.payment_delay.note", "claim.dispute_resolved.amount")
        if template in tails or template == "claim.deadline_breached":
            continue  # a tail of another message; the staff's breach message
        assert zh.startswith("报案号 {number}："), template
        assert en.startswith("Claim {number}: "), template
        assert "元" not in zh and "CNY" not in en, template
    params = {"number": "BA1", "amount": Decimal("1500"), "arrival": dt.date(2026, 10, 9)}
    offline = "claim.payment_notice.offline"
    assert "赔款 ¥1,500.00 将以现金/线下方式支付，预计 2026年10月9日 前支付" in notify.render(
        offline, params
    )
    assert "indemnity of ¥1,500.00 will be paid in cash/offline by 9 Oct 2026" in notify.render(
        offline, params, "en"
    )
