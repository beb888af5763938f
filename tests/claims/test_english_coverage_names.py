"""English readers read coverages by their English names where a text is built from the
product (SPEC GEN-6, PRD-3, CLM-V3, CLM-C1): the decision notice's message, the portal's
notice page (a notice issued before the English name was stored with it too), the claim
page's covered items and the adjuster's refusals; the Chinese name where there is none,
and an issued notice's PDF never changes."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.models.job import OutboxMessage
from claimdesk.models.review import DecisionNotice
from claimdesk.people import service as people
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import (
    API,
    Settlement,
    approve,
    build_settlement,
    ok,
    walk_to_adjusted,
    walk_to_assessed,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
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


def _decided(s: Settlement, clock: FrozenClock) -> int:
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
    return cid


def _message(db: Session, cid: int) -> OutboxMessage:
    return db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.template == "claim.decision_notice",
            OutboxMessage.related_id == str(cid),
        )
    ).one()


def test_the_english_decision_message_names_the_coverage_in_english(  # SPEC CLM-V3 GEN-6
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    people.set_preferred_language(
        db, actor=Principal.system("test"), person_id=s.insured_id, language="en"
    )
    db.commit()
    cid = _decided(s, clock)
    message = _message(db, cid)
    assert "General medical benefit: claimed ¥8,000.00" in message.body
    assert not CJK.search(message.body), message.body
    # the notice keeps both names as issued
    notice = db.scalars(select(DecisionNotice).where(DecisionNotice.claim_id == cid)).one()
    [row] = notice.calculation["coverages"]
    assert (row["coverage_name"], row["coverage_name_en"]) == (
        "一般医疗保险金",
        "General medical benefit",
    )


def test_the_chinese_decision_message_keeps_the_chinese_name(  # SPEC CLM-V3 GEN-6
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    cid = _decided(s, clock)
    assert "一般医疗保险金：申请 ¥8,000.00" in _message(db, cid).body


def test_an_old_notice_reads_the_english_name_on_the_portal_and_its_pdf_stays(  # SPEC GEN-6 CLM-C3
    s: Settlement, db: Session, client: TestClient, clock: FrozenClock
) -> None:
    from tests.web.helpers import customer_login

    cid = _decided(s, clock)
    notice = db.scalars(select(DecisionNotice).where(DecisionNotice.claim_id == cid)).one()
    # issued before the English name was stored with it
    calculation = dict(notice.calculation)
    calculation["coverages"] = [
        {k: v for k, v in r.items() if k != "coverage_name_en"} for r in calculation["coverages"]
    ]
    notice.calculation = calculation
    db.commit()
    client.headers.clear()
    customer_login(client, db, "customer", "13812345678")
    pdf_before = client.get(f"/portal/claims/{cid}/notice.pdf").content
    english = client.get(f"/portal/claims/{cid}/notice?lang=en").text
    assert "General medical benefit" in english and "一般医疗保险金" not in english
    chinese = client.get(f"/portal/claims/{cid}/notice?lang=zh-CN").text
    assert "一般医疗保险金" in chinese
    # no English name at all: the Chinese one on the English page
    from claimdesk.models.product import Coverage

    for coverage in db.scalars(select(Coverage).where(Coverage.code == "medical")):
        coverage.name_en = None
    db.commit()
    fallback = client.get(f"/portal/claims/{cid}/notice?lang=en").text
    assert "一般医疗保险金" in fallback
    assert client.get(f"/portal/claims/{cid}/notice.pdf").content == pdf_before
    db.refresh(notice)
    assert notice.pdf == pdf_before


def test_the_claim_page_says_the_covered_items_in_the_readers_language(  # SPEC CLM-C1 GEN-6
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    w = s.w
    cid = walk_to_adjusted(
        w,
        clock,
        policy="MED-MILLION",
        assessment=BELOW_DEDUCTIBLE,
        report={"estimated_amount": "8000.00"},
    )
    english = w.client.get(f"/claims/{cid}?lang=en", headers=w.h["adjuster"]).text
    items = re.search(r'id="liability-medical">(.*?)</dl>', english, re.S)
    assert items is not None and "General medical benefit" in items.group(1)
    assert "一般医疗保险金" not in items.group(1)
    chinese = w.client.get(f"/claims/{cid}?lang=zh-CN", headers=w.h["adjuster"]).text
    items = re.search(r'id="liability-medical">(.*?)</dl>', chinese, re.S)
    assert items is not None and "一般医疗保险金" in items.group(1)


def test_the_adjusters_refusal_lists_the_liabilities_in_english(  # SPEC CLM-C1 GEN-6
    s: Settlement, clock: FrozenClock
) -> None:
    w = s.w
    cid = walk_to_assessed(w, clock, policy="MED-MILLION", assessment=BELOW_DEDUCTIBLE)
    body = {"coverage_code": "medical", "liability": "covered", "covered_items": ["dental"]}
    english = w.client.post(f"{API}/{cid}/adjustments?lang=en", json=body, headers=w.h["adjuster"])
    assert english.status_code == 422, english.text
    message = english.json()["error"]["message"]
    assert "General medical benefit (medical)" in message and not CJK.search(message), message
    chinese = w.client.post(f"{API}/{cid}/adjustments", json=body, headers=w.h["adjuster"])
    assert "一般医疗保险金（medical）" in chinese.json()["error"]["message"]
