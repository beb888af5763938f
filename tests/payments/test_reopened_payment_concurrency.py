"""A reopened claim under concurrency, on PostgreSQL with real commits (SPEC CLM-P5):
approvals and payment requests racing never pay more than the new decision in total."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from claimdesk.models.claim import Assessment, AssessmentItem
from claimdesk.models.payment import Payment
from tests.claims.settlement.test_reopened_payment import (
    MEDICAL_14K,
    _close,
    _pay_and_confirm,
)
from tests.claims.steps import API, approve, ok, walk_to_adjusted
from tests.payments.test_payment_concurrency import Real, _all_at_once, real  # noqa: F401

pytestmark = pytest.mark.postgres_only

ALL_CHECKS = {
    k: True
    for k in (
        "policy_in_force",
        "adequately_insured",
        "disclosure_and_exclusions",
        "materials_complete",
        "process_compliant",
        "amount_correct",
    )
}


def test_racing_approvals_and_payments_on_a_reopened_claim_pay_the_decision_once(
    real: Real,  # noqa: F811
) -> None:
    # SPEC CLM-P5
    s, clock = real.s, real.clock
    w, c = s.w, s.w.client
    cid = walk_to_adjusted(w, clock, policy="MED-MILLION", assessment=MEDICAL_14K)
    ok(c.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    approve(w, cid, "reviewer1")
    approve(w, cid, "reviewer2")
    clock.set("2026-10-09T10:00:00")
    assert _pay_and_confirm(s, cid, "race-first-pay-01")["amount"] == "14000.00"
    _close(s, cid)
    with real.factory() as db:  # new invoice after reopening: 19,000 payable
        assessment = db.scalars(
            select(Assessment).where(Assessment.claim_id == cid, Assessment.current.is_(True))
        ).one()
        item = db.scalars(
            select(AssessmentItem).where(AssessmentItem.assessment_id == assessment.id)
        ).one()
        item.amount = Decimal("30000.00")
        db.commit()
    clock.set("2026-10-20T10:00:00")
    r = c.post(f"{API}/{cid}/reopen", json={"reason": "新发票"}, headers=w.h["reviewer3"])
    assert r.status_code == 204
    ok(
        c.post(
            f"{API}/{cid}/adjustments",
            json={"coverage_code": "medical", "liability": "covered", "covered_items": ["medical"]},
            headers=w.h["adjuster"],
        )
    )
    ok(c.post(f"{API}/{cid}/adjustment/complete", json={}, headers=w.h["adjuster"]))
    ok(c.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    approve(w, cid, "reviewer1b")

    clients = [TestClient(c.app, raise_server_exceptions=False) for _ in range(6)]
    pay = {"payee_person_id": s.insured_id, "bank_account_id": s.account_id}

    def approval(client: TestClient, who: str) -> object:
        return client.post(
            f"{API}/{cid}/review/decisions",
            json={"decision": "approve", "checklist": ALL_CHECKS},
            headers=w.h[who],
        )

    def payment(client: TestClient, key: str) -> object:
        return client.post(
            f"{API}/{cid}/payments", json=pay, headers={**w.h["cashier"], "Idempotency-Key": key}
        )

    calls = [
        lambda: approval(clients[0], "reviewer2"),
        lambda: approval(clients[1], "reviewer2b"),
        *[(lambda i=i: payment(clients[2 + i], f"race-top-up-{i}-abcdef")) for i in range(4)],
    ]
    responses = _all_at_once(calls)
    codes = [resp.status_code for resp in responses]  # type: ignore[attr-defined]
    assert all(code in (200, 201, 403, 409) for code in codes), codes
    assert codes[:2].count(200) == 1  # one tier-2 approval
    # At most one racing request created the top-up (201); the others found it (200) or
    # ran before the approval committed (409). One more request finds that top-up, or —
    # when every racer came before the approval — creates the one top-up itself.
    created = codes[2:].count(201)
    assert created <= 1, codes
    final = payment(clients[0], "race-top-up-final")
    top_up = ok(final, 200 if created else 201)  # type: ignore[arg-type]
    assert top_up["amount"] == "5000.00"
    with real.factory() as db:
        payments = db.scalars(select(Payment).where(Payment.claim_id == cid)).all()
        assert sorted(p.amount for p in payments) == [Decimal("5000.00"), Decimal("14000.00")]
        assert sum((p.amount for p in payments), Decimal("0")) == Decimal("19000.00")
