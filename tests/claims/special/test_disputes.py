"""Claim disputes through the HTTP API: the 2-hour answer by a named person, the path by
size, the outcome, and the breach escalation of a late answer (SPEC CLM-Z3, GEN-4)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.claims import tasks
from claimdesk.models.event import ClaimDispute
from claimdesk.models.job import OutboxMessage
from tests.claims.helpers import FrozenClock, World, build_world, local

API = "/api/v1"


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    return build_world(db, client)


def _claim(w: World) -> dict[str, Any]:
    payload = {
        "channel": "hotline",
        "policy_number": w.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
        "claimant_name": "李四",
        "contact_phone": "13912345678",
        "loss_date": "2026-09-28",
        "loss_place": "北京",
        "loss_cause": "illness",
        "loss_overview": "住院",
        "estimated_amount": "4000.00",
    }
    r = w.client.post(f"{API}/claims", json=payload, headers=w.h["handler"])
    assert r.status_code == 201, r.text
    return r.json()


def test_small_dispute_answered_in_time_by_the_named_person_then_negotiated(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-Z3 GEN-4 GEN-6
    w = world
    clock = FrozenClock(monkeypatch, local("2026-10-12T09:00:00"))
    cid = _claim(w)["id"]
    r = w.client.post(
        f"{API}/claims/{cid}/disputes",
        json={
            "description": "对免赔额计算有异议",
            "disputed_amount": "3000.00",
            "responder_id": w.users["customer"],
        },
        headers=w.h["handler"],
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "responder_not_staff"
    assert db.scalars(select(ClaimDispute)).all() == []
    r = w.client.post(
        f"{API}/claims/{cid}/disputes",
        json={
            "description": "对免赔额计算有异议",
            "disputed_amount": "3000.00",
            "responder_id": w.users["supervisor"],
        },
        headers=w.h["handler"],
    )
    assert r.status_code == 201, r.text
    dispute = r.json()
    did = dispute["id"]
    assert dispute["size"] == "small" and dispute["status"] == "open"
    assert dispute["response_due_at"].startswith("2026-10-12T03:00:00")  # 11:00 local
    sms = db.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "claim.dispute_received")
    ).all()
    assert len(sms) == 1 and "2 小时内" in sms[0].body and "supervisor" in sms[0].body

    # The path comes after the answer; only the named person answers.
    r = w.client.post(
        f"{API}/claim-disputes/{did}/escalate",
        json={"path": "negotiation", "note": "协商"},
        headers=w.h["handler"],
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "dispute_not_answered"
    r = w.client.post(
        f"{API}/claim-disputes/{did}/answer", json={"answer": "已复核"}, headers=w.h["handler"]
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_the_responder"
    clock.set("2026-10-12T10:30:00")
    r = w.client.post(
        f"{API}/claim-disputes/{did}/answer",
        json={"answer": "免赔额按保单年度累计，已向您说明计算过程"},
        headers=w.h["supervisor"],
    )
    assert r.status_code == 200 and r.json()["response_met"] is True
    # A small dispute goes to re-review or negotiation, not to court.
    r = w.client.post(
        f"{API}/claim-disputes/{did}/escalate",
        json={"path": "court", "note": "起诉"},
        headers=w.h["handler"],
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "dispute_path_not_allowed"
    # GEN-6: the paths allowed in words, listed as Chinese lists them (not "re_review, …")
    assert "小额争议只能走 重新审核、协商" in r.json()["error"]["message"], r.json()
    r = w.client.post(
        f"{API}/claim-disputes/{did}/escalate",
        json={"path": "negotiation", "note": "约客户面谈"},
        headers=w.h["handler"],
    )
    assert r.status_code == 200 and r.json()["path"] == "negotiation"
    r = w.client.post(
        f"{API}/claim-disputes/{did}/resolve",
        json={"outcome": "settled", "note": "协商一致，补付 500 元", "amount": "500.00"},
        headers=w.h["supervisor"],
    )
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "resolved" and body["outcome"] == "settled"
    assert [s["path"] for s in body["steps"]] == ["negotiation"]
    # The customer reads the outcome in words and the amount agreed; the note is staff's.
    [told] = db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.template == "claim.dispute_resolved",
            OutboxMessage.related_id == str(cid),
        )
    )
    assert told.body.endswith("结果：已和解（约定金额 ¥500.00）。"), told.body
    assert "协商一致" not in told.body
    r = w.client.post(
        f"{API}/claim-disputes/{did}/escalate",
        json={"path": "re_review", "note": "x"},
        headers=w.h["handler"],
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "dispute_resolved"
    actions = [
        e["action"]
        for e in w.client.get(f"{API}/claims/{cid}", headers=w.h["handler"]).json()["timeline"]
    ]
    for expected in (
        "claim.dispute_filed",
        "claim.dispute_answered",
        "claim.dispute_escalated",
        "claim.dispute_resolved",
    ):
        assert expected in actions
    # Customers read their claim's disputes (row rules of the claim).
    mine = w.client.get(f"{API}/claims/{cid}/disputes", headers=w.h["customer"])
    assert mine.status_code == 200 and [d["id"] for d in mine.json()] == [did]


def test_large_dispute_unanswered_in_two_hours_is_escalated(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-Z3 GEN-4
    w = world
    clock = FrozenClock(monkeypatch, local("2026-10-12T09:00:00"))
    cid = _claim(w)["id"]
    r = w.client.post(
        f"{API}/claims/{cid}/disputes",
        json={
            "description": "拒赔不合理",
            "disputed_amount": "80000.00",
            "received_at": "2026-10-12T08:30:00+08:00",
        },
        headers=w.h["handler"],
    )
    assert r.status_code == 201, r.text
    dispute = r.json()
    # No responder named: the person filing it answers; large → the outside paths.
    assert dispute["size"] == "large" and dispute["responder_id"] == w.users["handler"]
    assert tasks.run_breach_job(db, now=local("2026-10-12T10:00:00"))["marked"] == 0
    assert tasks.run_breach_job(db, now=local("2026-10-12T10:31:00")) == {
        "marked": 1,
        "escalated": 1,
    }
    escalations = db.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "claim.deadline_breached")
    ).all()
    assert [m.recipient for m in escalations] == [f"user:{w.users['supervisor']}"]
    assert "时限“答复理赔争议”" in escalations[0].body  # the deadline in words, not its code
    clock.set("2026-10-12T10:45:00")
    r = w.client.post(
        f"{API}/claim-disputes/{dispute['id']}/answer",
        json={"answer": "已受理，将提交调解"},
        headers=w.h["handler"],
    )
    assert r.status_code == 200 and r.json()["response_met"] is False
    r = w.client.post(
        f"{API}/claim-disputes/{dispute['id']}/escalate",
        json={"path": "negotiation", "note": "x"},
        headers=w.h["handler"],
    )
    assert r.status_code == 422
    r = w.client.post(
        f"{API}/claim-disputes/{dispute['id']}/escalate",
        json={"path": "association_mediation", "note": "提交保险行业协会调解"},
        headers=w.h["handler"],
    )
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
