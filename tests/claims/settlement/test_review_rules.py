"""Review rules through the HTTP API: four eyes, rejection needing the next tier, the
rejection notice and its 3-day clock, POL-6, payee authorisation, fraud hold at export
(SPEC CLM-V1 CLM-V3 POL-6 CLM-P1 CLM-F1 CLM-X2)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.jobs.outbox import deliver_pending
from claimdesk.models.claim import FraudFlag
from claimdesk.models.job import OutboxMessage
from claimdesk.models.policy import Policy
from claimdesk.payments import tasks as payment_tasks
from tests.claims.helpers import PDF, FrozenClock, local
from tests.claims.settlement.review_steps import submitted_for_review
from tests.claims.steps import (
    ALL_CHECKS,
    API,
    MEDICAL_4K,
    MEDICAL_50K,
    Settlement,
    approve,
    build_settlement,
    ok,
    walk_to_adjusted,
)


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


def _clock(body: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in body["clocks"] if c["name"] == name)


def _decide(s: Settlement, cid: int, who: str, **body: Any) -> Any:
    return s.w.client.post(f"{API}/{cid}/review/decisions", json=body, headers=s.w.h[who])


def test_four_eyes_refusals(s: Settlement, monkeypatch: pytest.MonkeyPatch) -> None:
    # SPEC CLM-V1
    w, c = s.w, s.w.client
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    # The handler who accepted the claim also holds the tier-1 role.
    w.h["handler"], saved = w.h["handler_reviewer"], w.h["handler"]
    cid = walk_to_adjusted(w, clock, policy="MED-MILLION", assessment=MEDICAL_50K)
    w.h["handler"] = saved
    ok(c.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    r = _decide(s, cid, "handler_reviewer", decision="approve", checklist=ALL_CHECKS)
    assert r.status_code == 403 and r.json()["error"]["code"] == "reviewer_handled_claim"
    # One person holding tiers 1 and 2 decides tier 1, then may not decide tier 2.
    approve(w, cid, "dual")
    r = _decide(s, cid, "dual", decision="approve", checklist=ALL_CHECKS)
    assert r.status_code == 409 and r.json()["error"]["code"] == "reviewer_already_approved_tier"
    review = ok(c.get(f"{API}/{cid}/review", headers=w.h["reviewer2"]))
    assert review["state"] == "in_review" and review["next_tier"] == 2
    assert len(review["decisions"]) == 1
    assert approve(w, cid, "reviewer2")["state"] == "approved"


def test_rejection_needs_next_tier_then_notice_pdf_and_clock(
    s: Settlement,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
    session_factory: sessionmaker[Session],
) -> None:
    # SPEC CLM-V3 CLM-X2 GEN-4
    w, c = s.w, s.w.client
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = walk_to_adjusted(
        w,
        clock,
        policy="MED-MILLION",
        assessment=MEDICAL_4K,
        report={"estimated_amount": "4000.00"},
    )
    review = ok(c.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    assert review["rounds"][0]["tiers_required"] == 1
    r = _decide(s, cid, "reviewer1", decision="reject", rejection_ground="exclusion")
    assert r.status_code == 422 and r.json()["error"]["field"] == "rejection_clause"
    clock.set("2026-09-30T17:00:00")
    review = ok(
        _decide(
            s,
            cid,
            "reviewer1",
            decision="reject",
            rejection_ground="exclusion",
            rejection_clause="第七条 责任免除：既往症",
            rejection_facts="病历显示投保前已确诊",
        )
    )
    # Still in review: the rejection waits for tier 2, who may not approve instead.
    assert review["state"] == "in_review" and review["next_tier"] == 2
    assert review["answering_rejection_of_tier"] == 1
    r = _decide(s, cid, "reviewer2", decision="approve", checklist=ALL_CHECKS)
    assert r.status_code == 409 and r.json()["error"]["code"] == "rejection_pending"
    clock.set("2026-10-01T09:00:00")
    review = ok(_decide(s, cid, "reviewer2", decision="reject", reason="同意拒赔"))
    assert review["state"] == "rejected" and review["rejection_notice_id"]
    body = ok(c.get(f"{API}/{cid}", headers=w.h["reviewer2"]))
    # 3 days after 1 Oct is 4 Oct, a National Day holiday → end of 8 Oct (first working day).
    notice_clock = _clock(body, "claim.rejection_notice")
    assert notice_clock["due_local"].startswith("2026-10-08T23:59:59")
    assert notice_clock["stopped_at"] is None
    pdf = c.get(f"{API}/{cid}/rejection-notice.pdf", headers=w.h["reviewer2"])
    assert pdf.status_code == 200
    pages = PdfReader(io.BytesIO(pdf.content)).pages
    text = "".join(page.extract_text() for page in pages).replace("\n", "")
    for expected in (
        "拒赔通知书",
        "第七条 责任免除：既往症",
        "病历显示投保前已确诊",
        "调解",
        "仲裁",
        "人民法院",
        body["number"],
    ):
        assert expected in text
    # The notice leaves through the outbox; the worker's check stops the clock on sending.
    message = db.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "claim.rejection_notice")
    ).one()
    assert "第七条" in message.body
    sent_at = local("2026-10-01T09:05:00")
    message.next_attempt_at = sent_at
    db.commit()
    assert deliver_pending(session_factory, now=sent_at) >= 1
    db.expire_all()
    # The worker stamps its own wall clock; pretend it ran at the frozen moment.
    message = db.get(OutboxMessage, message.id)
    assert message is not None and message.status == "sent"
    message.sent_at = sent_at
    db.flush()
    payment_tasks.rejection_notices_sent(db, {}, now=sent_at)
    db.flush()
    body = ok(c.get(f"{API}/{cid}", headers=w.h["reviewer2"]))
    assert _clock(body, "claim.rejection_notice")["met"] is True
    # The explanation callback needs the options (mediation, arbitration).
    callback = ok(c.get(f"{API}/{cid}/callbacks", headers=w.h["agent"]))[0]
    assert callback["kind"] == "rejected"
    # SPEC CLM-X2 GEN-4: the rejection callback runs its own clock, listed with the claim's.
    assert callback["clock"]["name"] == "claim.rejection_callback"
    assert callback["clock"]["rule_type"] == "working_days" and callback["clock"]["rule_n"] == 3
    assert _clock(body, "claim.rejection_callback")["id"] == callback["clock"]["id"]
    r = c.post(
        f"{API}/{cid}/callbacks/{callback['id']}/complete",
        json={"outcome": "reached", "options_explained": ["mediation"]},
        headers=w.h["agent"],
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "options_required"
    ok(
        c.post(
            f"{API}/{cid}/callbacks/{callback['id']}/complete",
            json={"outcome": "reached", "options_explained": ["mediation", "arbitration"]},
            headers=w.h["agent"],
        )
    )
    done = _clock(ok(c.get(f"{API}/{cid}", headers=w.h["reviewer2"])), "claim.rejection_callback")
    assert done["stopped"] is True and done["met"] is not None
    archive = ok(c.post(f"{API}/{cid}/close", json={}, headers=w.h["reviewer3"]))
    assert "rejection_notice" in {r["kind"] for r in archive["records"]}
    # Reopening needs a reason and puts the claim back at adjustment.
    r = c.post(f"{API}/{cid}/reopen", json={}, headers=w.h["reviewer3"])
    assert r.status_code == 422 and r.json()["error"]["code"] == "reopen_reason_required"
    assert (
        c.post(
            f"{API}/{cid}/reopen", json={"reason": "客户提交新证据"}, headers=w.h["reviewer3"]
        ).status_code
        == 204
    )
    body = ok(c.get(f"{API}/{cid}", headers=w.h["reviewer3"]))
    assert body["state"] == "assessed"
    actions = [e["action"] for e in body["timeline"]]
    assert actions.index("claim.close") < actions.index("claim.reopen")
    assert actions.index("claim.reopen") < actions.index("claim.resume_adjustment")


def test_non_disclosure_rejection_of_incontestable_policy_refused(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC POL-6 CLM-V3
    w, c = s.w, s.w.client
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = submitted_for_review(s, clock, assessment=MEDICAL_4K, estimated="4000.00")
    policy = db.get(Policy, w.policies["MED-MILLION"].id)  # type: ignore[attr-defined]
    assert policy is not None
    policy.period_start = dt.date(2024, 3, 1)  # in force for more than two years
    db.commit()
    review = ok(c.get(f"{API}/{cid}/review", headers=w.h["reviewer1"]))
    assert review["incontestability"]["incontestable"] is True
    assert review["incontestability"]["incontestable_from"] == "2026-03-01"
    r = _decide(
        s,
        cid,
        "reviewer1",
        decision="reject",
        rejection_ground="non_disclosure",
        rejection_clause="第五条 如实告知",
        rejection_facts="未告知高血压",
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "policy_incontestable"
    assert "2026-03-01" in r.json()["error"]["message"]
    assert ok(c.get(f"{API}/{cid}/review", headers=w.h["reviewer1"]))["decisions"] == []
    # Return to adjustment with requirements instead (CLM-V3: where the adjuster signs).
    ok(_decide(s, cid, "reviewer1", decision="return", requirements="补充既往病历"))
    assert ok(c.get(f"{API}/{cid}", headers=w.h["reviewer1"]))["state"] == "assessed"


def test_payee_authorisation_and_fraud_hold_at_export(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P1 CLM-P4 CLM-F1 CLM-P5
    w, c = s.w, s.w.client
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = submitted_for_review(s, clock, assessment=MEDICAL_4K, estimated="4000.00")
    clock.set("2026-09-30T18:00:00")
    approve(w, cid, "reviewer1")
    body = ok(c.get(f"{API}/{cid}", headers=w.h["cashier"]))
    # Small claim (4,000 ≤ 5,000): paid within 24 hours of approval.
    assert _clock(body, "claim.payment_small")["due_local"].startswith("2026-10-01T18:00:00")
    pay = {"payee_person_id": s.stranger_id, "bank_account_id": s.stranger_account_id}
    headers = {**w.h["cashier"], "Idempotency-Key": "stranger-0001"}
    assert c.post(f"{API}/{cid}/payments", json=pay, headers=headers).status_code == 422
    letter = ok(
        c.post(
            f"{API}/{cid}/files",
            data={"purpose": "material"},
            files={"file": ("poa.pdf", PDF, "application/pdf")},
            headers=w.h["handler"],
        ),
        201,
    )
    ok(
        c.post(
            f"{API}/{cid}/payee-authorisations",
            json={
                "payee_person_id": s.stranger_id,
                "kind": "power_of_attorney",
                "file_id": letter["id"],
            },
            headers=w.h["cashier"],
        ),
        201,
    )
    # The insured's account is not the payee's.
    r = c.post(
        f"{API}/{cid}/payments", json={**pay, "bank_account_id": s.account_id}, headers=headers
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "bank_account_not_payees"
    payment = ok(c.post(f"{API}/{cid}/payments", json=pay, headers=headers), 201)
    assert payment["payee_basis"] == "authorised" and payment["amount"] == "4000.00"
    # A fraud flag suspends the claim: its payment cannot leave.
    ok(c.post(f"{API}/{cid}/fraud-flags", json={"description": "发票存疑"}, headers=w.h["handler"]))
    r = c.post("/api/v1/payments/batches", json={}, headers=w.h["cashier"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "nothing_to_export"
    flag_id = db.scalars(select(FraudFlag.id).where(FraudFlag.claim_id == cid)).one()
    ok(
        c.post(
            f"{API}/{cid}/fraud-flags/{flag_id}/resolve",
            json={"outcome": "cleared", "note": "发票为真"},
            headers=w.h["investigator"],
        )
    )
    batch = ok(c.post("/api/v1/payments/batches", json={}, headers=w.h["cashier"]), 201)
    assert batch["payment_count"] == 1
