"""A customer reads their notices in the language on their record (SPEC CLM-R3, CLM-A4,
CLM-V3, CLM-P2, GEN-1, GEN-2, GEN-6): the person's ``preferred_language`` decides every
SMS and portal message about their claim — the outbox row's ``language`` says which —
and a person who chose none reads zh-CN, as before. The dedupe keys do not change."""

from __future__ import annotations

import re
import string
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims import notify
from claimdesk.models.job import OutboxMessage
from claimdesk.people import service as people
from tests.claims.helpers import FrozenClock, local, report_body
from tests.claims.steps import (
    API,
    CARD,
    MEDICAL_50K,
    Settlement,
    approve,
    build_settlement,
    ok,
    walk_to_adjusted,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
# Below the million medical product's ¥10,000 deductible: decided with nothing to pay.
BELOW_DEDUCTIBLE = {
    "coverage_code": "medical",
    "settled_with_social_insurance": True,
    "social_insurance_paid": "1000.00",
    "lines": [{"description": "门诊费", "amount": "8000.00"}],
}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient, clock: FrozenClock) -> Settlement:
    return build_settlement(db, client)


def _english(db: Session, s: Settlement) -> None:
    people.set_preferred_language(
        db, actor=Principal.system("test"), person_id=s.insured_id, language="en"
    )
    db.commit()


def _told(db: Session, cid: int, template: str) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(
        OutboxMessage.template == template, OutboxMessage.related_id == str(cid)
    )
    return list(db.scalars(query.order_by(OutboxMessage.id)))


def _report(s: Settlement) -> dict[str, Any]:
    body = report_body(s.w.policies["MED-MILLION"].number)  # type: ignore[attr-defined]
    return ok(s.w.client.post(API, json=body, headers=s.w.h["handler"]), 201)


def test_an_english_customer_is_told_of_the_report_and_missing_materials_in_english(
    s: Settlement, db: Session
) -> None:
    # SPEC CLM-R3 CLM-A4 GEN-2: the same messages, the same keys, in English
    _english(db, s)
    claim = _report(s)
    cid, number = int(claim["id"]), claim["number"]
    [reported] = _told(db, cid, "claim.reported")
    assert (reported.channel, reported.language) == ("sms", "en")
    assert reported.body == (
        f"Claim {number}: your report has been accepted; a claims handler will contact you soon."
    )
    assert reported.dedupe_key == f"claim:{cid}:claim.reported"
    ok(s.w.client.post(f"{API}/{cid}/materials-notice", json={}, headers=s.w.h["handler"]))
    [notice] = _told(db, cid, "claim.materials_missing")
    assert notice.language == "en" and notice.body.startswith(f"Claim {number}: please provide")
    assert "by 30 Oct 2026" in notice.body and "Claim form" in notice.body
    assert not CJK.search(notice.body), notice.body  # the items too, not only the frame


def test_a_customer_without_a_choice_is_still_told_in_chinese(s: Settlement, db: Session) -> None:
    # SPEC CLM-R3 CLM-A4: nobody chose, so zh-CN, word for word as before
    claim = _report(s)
    cid, number = int(claim["id"]), claim["number"]
    [reported] = _told(db, cid, "claim.reported")
    assert reported.language == "zh-CN"
    assert reported.body == f"报案号 {number}：您的报案已受理，理赔人员将尽快与您联系。"
    ok(s.w.client.post(f"{API}/{cid}/materials-notice", json={}, headers=s.w.h["handler"]))
    [notice] = _told(db, cid, "claim.materials_missing")
    assert notice.language == "zh-CN" and "请于 2026年10月30日 前补充" in notice.body
    assert "理赔申请书" in notice.body


def test_an_english_customer_reads_the_decision_notice_message_in_english(
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-V3 GEN-1: the calculation per coverage and how to object, in English
    _english(db, s)
    w = s.w
    cid = walk_to_adjusted(
        w,
        clock,
        policy="MED-MILLION",
        assessment=BELOW_DEDUCTIBLE,
        report={"estimated_amount": "8000.00"},
    )
    ok(w.client.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    clock.set("2026-09-30T16:00:00")
    assert approve(w, cid, "reviewer1")["state"] == "decided"
    [message] = _told(db, cid, "claim.decision_notice")
    assert message.language == "en"
    assert message.body.startswith("Decision notice, claim ")
    assert "the amount payable on the claim is ¥0.00" in message.body
    assert "claimed ¥8,000.00" in message.body and "deductible ¥7,000.00" in message.body
    assert "arbitration" in message.body and f"/portal/claims/{cid}/notice" in message.body
    assert message.dedupe_key.startswith(f"claim:{cid}:decision_notice:")


def test_an_english_customer_reads_the_payment_and_settlement_notices_in_english(
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-P2 GEN-1 GEN-2: amount, arrival and masked account, as an English reader
    # writes them; the settlement notice's summary in English
    _english(db, s)
    w = s.w
    cid = walk_to_adjusted(w, clock, policy="MED-MILLION", assessment=MEDICAL_50K)
    clock.set("2026-09-30T16:00:00")
    ok(w.client.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    clock.set("2026-09-30T17:00:00")
    approve(w, cid, "reviewer1")
    clock.set("2026-10-09T10:00:00")
    assert approve(w, cid, "reviewer2")["state"] == "approved"
    clock.set("2026-10-09T11:00:00")
    ok(
        w.client.post(
            f"{API}/{cid}/payments",
            json={"payee_person_id": s.insured_id, "bank_account_id": s.account_id},
            headers={**w.h["cashier"], "Idempotency-Key": "pay-english-01"},
        ),
        201,
    )
    [payment] = _told(db, cid, "claim.payment_notice")
    assert payment.language == "en"
    assert "the indemnity of ¥50,000.00 will be paid to account" in payment.body
    assert CARD[-4:] in payment.body and "should arrive by 13 Oct 2026" in payment.body
    assert not CJK.search(payment.body), payment.body
    [settlement] = _told(db, cid, "claim.settlement_notice")
    assert settlement.language == "en" and settlement.body.startswith("Decision notice, claim ")
    assert "¥50,000.00" in settlement.body and "13 Oct 2026" in settlement.body
    assert not CJK.search(settlement.body), settlement.body


def test_every_customer_text_says_the_same_things_in_both_languages() -> None:
    # SPEC GEN-6 CLM-V3: a pair's two texts take the same parameters, so a customer with
    # English on record misses nothing a Chinese reader is told
    for template, (zh, en) in notify.TEMPLATES.items():
        names = {n for _, n, _, _ in string.Formatter().parse(zh) if n}
        assert names == {n for _, n, _, _ in string.Formatter().parse(en) if n}, template
    params = {
        "number": "BA1",
        "clause": "第七条",
        "facts": "既往症",
        "appeal": lambda language: "APPEAL-" + language,
    }
    assert notify.render("notice.rejection", params, "en") == (
        "Rejection notice, claim BA1: under 第七条, 既往症. APPEAL-en"
    )
    assert (
        notify.render("notice.rejection", params)
        == "拒赔通知书 报案号 BA1：依据第七条，既往症。APPEAL-zh-CN"
    )
