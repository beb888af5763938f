"""The adjuster's liability decision through the API (SPEC CLM-C1): a covered decision
states its items — the policy's product liabilities — and the ratio and deductible the
product and the assessment fix, stated by the service, never typed; a covered decision
with no items, or with an item the product does not have, is refused (422, zh-CN and
English, naming the field and the rule) and changes nothing; a not-covered decision
states the reason, the clause's text and the evidence."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import AdjustmentResult
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import (
    API,
    MEDICAL_25K_SI,
    PROPERTY_23500,
    Settlement,
    build_settlement,
    ok,
    walk_to_assessed,
)


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))


def _decide(s: Settlement, cid: int, body: dict[str, Any], lang: str = "") -> Any:
    return s.w.client.post(f"{API}/{cid}/adjustments{lang}", json=body, headers=s.w.h["adjuster"])


def _nothing_changed(s: Settlement, db: Session, cid: int, reserve: list[Any]) -> None:
    claim = ok(s.w.client.get(f"{API}/{cid}", headers=s.w.h["handler"]))
    assert claim["state"] == "assessed" and claim["adjustments"] == []
    assert claim["reserves"] == reserve
    assert "claim.adjusted" not in [e["action"] for e in claim["timeline"]]
    rows = select(func.count()).select_from(AdjustmentResult)
    assert db.scalar(rows.where(AdjustmentResult.claim_id == cid)) == 0


@pytest.mark.parametrize(
    ("items", "code", "field", "zh", "en"),
    [
        (
            [],
            "covered_items_required",
            "covered_items",
            "赔付项目：属保险责任的认定须列明赔付项目",
            "Covered items: a covered decision must state its items",
        ),
        (
            ["medical", "outpatient"],
            "covered_item_not_in_product",
            "covered_items.1",
            "“outpatient”不是本保单产品的保险责任（可选：一般医疗保险金（medical））",
            "“outpatient” is not a liability of the policy's product",
        ),
    ],
)
def test_a_covered_decision_must_state_items_of_the_product(
    s: Settlement,
    db: Session,
    clock: FrozenClock,
    items: list[str],
    code: str,
    field: str,
    zh: str,
    en: str,
) -> None:
    # SPEC CLM-C1 (the items are stated), GEN-6 (field and rule, both languages, nothing
    # changed): a covered decision with empty items used to be accepted
    cid = walk_to_assessed(s.w, clock, policy="MED-MILLION", assessment=MEDICAL_25K_SI)
    reserve = ok(s.w.client.get(f"{API}/{cid}", headers=s.w.h["handler"]))["reserves"]
    body = {"coverage_code": "medical", "liability": "covered", "covered_items": items}
    for lang, words in (("", zh), ("?lang=en", en)):
        refused = _decide(s, cid, body, lang)
        assert refused.status_code == 422, refused.text
        error = refused.json()["error"]
        assert (error["code"], error["field"]) == (code, field)
        assert words in error["message"]
    _nothing_changed(s, db, cid, reserve)


def test_a_covered_decision_states_the_products_ratio_and_deductible(
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-C1 (items, ratio, deductible stated), ADJ-MED (the same figures the
    # calculation applies): settled through social insurance, ratio 100%, the ¥10,000
    # deductible taken this time
    cid = walk_to_assessed(s.w, clock, policy="MED-MILLION", assessment=MEDICAL_25K_SI)
    body = {"coverage_code": "medical", "liability": "covered", "covered_items": ["medical"]}
    claim = ok(_decide(s, cid, body))
    (decision,) = claim["adjustments"]
    assert decision["covered_items"] == ["medical"]
    assert decision["covered_items_text"] == "一般医疗保险金"
    assert (decision["ratio"], decision["deductible"], decision["deductible_rate"]) == (
        "1.000000",
        "10000.00",
        None,
    )
    assert decision["payable"] == "14000.00"  # 25,000 − 1,000 − 10,000, × 100%
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "claim.adjusted", AuditEntry.entity_id == str(cid)
        )
    ).one()
    stated = json.loads(entry.details)
    assert (stated["items"], stated["ratio"], stated["deductible"]) == (
        ["medical"],
        "1.000000",
        "10000.00",
    )


def test_a_figure_sent_with_the_decision_is_checked_against_the_product(
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-C1, GEN-6: a ratio typed differently from the product's is refused
    cid = walk_to_assessed(s.w, clock, policy="MED-MILLION", assessment=MEDICAL_25K_SI)
    reserve = ok(s.w.client.get(f"{API}/{cid}", headers=s.w.h["handler"]))["reserves"]
    body = {
        "coverage_code": "medical",
        "liability": "covered",
        "covered_items": ["medical"],
        "ratio": "0.6",
    }
    refused = _decide(s, cid, body, "?lang=en")
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["field"]) == ("liability_term_mismatch", "ratio")
    assert error["message"] == (
        "Ratio: 60% differs from 100%, which the product and the assessment fix"
    )
    _nothing_changed(s, db, cid, reserve)
    ok(_decide(s, cid, {**body, "ratio": "1", "deductible": "10000"}))


def test_a_property_decision_states_the_liability_ratio_and_both_deductibles(
    s: Settlement, clock: FrozenClock
) -> None:
    # SPEC CLM-C1, ADJ-PRP: the insured's liability ratio, the ¥500 absolute deductible
    # and the rate (0) of the product — where the rate used to be stored as the ratio
    cid = walk_to_assessed(s.w, clock, policy="HOME-PROP", assessment=PROPERTY_23500)
    body = {"coverage_code": "property", "liability": "covered", "covered_items": ["property"]}
    (decision,) = ok(_decide(s, cid, body))["adjustments"]
    assert decision["covered_items_text"] == "房屋及室内财产"
    assert (decision["ratio"], decision["deductible"], decision["deductible_rate"]) == (
        "1.000000",
        "500.00",
        "0.000000",
    )


def test_a_not_covered_decision_states_reason_clause_and_evidence(
    s: Settlement, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-C1: not covered — the written reason with the clause text and the evidence
    cid = walk_to_assessed(s.w, clock, policy="MED-MILLION", assessment=MEDICAL_25K_SI)
    reserve = ok(s.w.client.get(f"{API}/{cid}", headers=s.w.h["handler"]))["reserves"]
    grounds = {
        "coverage_code": "medical",
        "liability": "not_covered",
        "rejection_clause": "第七条 责任免除：既往症",
        "rejection_evidence": "2024 年门诊病历",
    }
    refused = _decide(s, cid, grounds)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["field"]) == ("rejection_needs_clause", "rejection_reason")
    assert error["message"].startswith("拒赔理由：不属保险责任的认定须写明理由、合同条款原文及证据")
    _nothing_changed(s, db, cid, reserve)
    (decision,) = ok(_decide(s, cid, {**grounds, "rejection_reason": "既往症不在保险责任内"}))[
        "adjustments"
    ]
    assert (decision["liability"], decision["payable"], decision["reason"]) == (
        "not_covered",
        "0.00",
        "not_covered",
    )
    assert decision["rejection_reason"] == "既往症不在保险责任内"
    assert decision["rejection_clause"] == "第七条 责任免除：既往症"
    assert decision["rejection_evidence"] == "2024 年门诊病历"
    # Nothing is paid under any term: none is stated, no deductible counts for the year.
    assert (decision["covered_items"], decision["ratio"], decision["deductible"]) == (
        [],
        None,
        None,
    )
