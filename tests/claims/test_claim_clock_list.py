"""Every deadline of a claim in its clock list (SPEC GEN-4, CLM-Z3, CLM-X2): a dispute's
2-hour answer and the callbacks run on real clocks — started, stopped when met, breached
and escalated by the one breach job — and show their rule and basis like the others."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims import tasks
from claimdesk.claims.settlement.callbacks import open_callback
from claimdesk.models.claim import Claim
from claimdesk.models.clock import Clock
from claimdesk.models.job import OutboxMessage
from tests.claims.helpers import FrozenClock, World, build_world, local

API = "/api/v1"
SYSTEM = Principal.system("test")


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    return build_world(db, client)


def _claim(w: World) -> int:
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
    return int(r.json()["id"])


def _listed(w: World, cid: int, name: str) -> dict[str, Any]:
    r = w.client.get(f"{API}/claims/{cid}", headers=w.h["handler"])
    assert r.status_code == 200, r.text
    found = [c for c in r.json()["clocks"] if c["name"] == name]
    assert len(found) == 1, [c["name"] for c in r.json()["clocks"]]
    return found[0]


def _escalations_of(db: Session, clock_id: int) -> list[OutboxMessage]:
    return list(
        db.scalars(
            select(OutboxMessage).where(
                OutboxMessage.dedupe_key.like(f"clock:{clock_id}:escalated:%")
            )
        )
    )


def test_dispute_answer_clock_is_in_the_claim_list_and_breached_by_the_job(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-Z3 GEN-4: received 12 Oct 08:30 → answer due 10:30 (2 hours).
    w = world
    clock = FrozenClock(monkeypatch, local("2026-10-12T09:00:00"))
    cid = _claim(w)
    r = w.client.post(
        f"{API}/claims/{cid}/disputes",
        json={
            "description": "对免赔额计算有异议",
            "disputed_amount": "3000.00",
            "received_at": "2026-10-12T08:30:00+08:00",
        },
        headers=w.h["handler"],
    )
    assert r.status_code == 201, r.text
    dispute = r.json()
    shown = _listed(w, cid, "claim_dispute.response")
    assert shown["subject_type"] == "claim_dispute"
    assert (shown["rule_type"], shown["rule_n"], shown["rule_label"]) == ("hours", 2, "2 小时")
    assert shown["basis"] == "《保险理赔流程规范化操作手册》 四(三)：理赔争议2小时内由专人答复"
    assert shown["due_local"].startswith("2026-10-12T10:30:00")
    assert (shown["stopped"], shown["breached"]) == (False, False)
    assert dispute["response_clock"]["id"] == shown["id"]
    assert dispute["response_clock"]["rule_label"] == "2 小时"
    # GEN-4 GEN-6: asked in English (?lang=en, the request's language as its errors
    # take it), the rule and its basis are in English, no Chinese, no requirement ID
    english = w.client.get(f"{API}/claims/{cid}?lang=en", headers=w.h["handler"]).json()
    (shown_en,) = [c for c in english["clocks"] if c["name"] == "claim_dispute.response"]
    assert shown_en["rule_label"] == "2 hours"
    assert shown_en["basis"] == (
        "Claims Process Operations Manual §4(3): a named person answers within 2 hours"
    )

    tasks.run_breach_job(db, now=local("2026-10-12T10:31:00"))
    stored = db.get(Clock, shown["id"])
    assert stored is not None and stored.breached_at == local("2026-10-12T10:30:00")
    assert stored.escalated_at == local("2026-10-12T10:31:00")
    assert [m.recipient for m in _escalations_of(db, stored.id)] == [
        f"user:{w.users['supervisor']}"
    ]
    db.commit()
    assert _listed(w, cid, "claim_dispute.response")["breached"] is True

    clock.set("2026-10-12T10:45:00")
    r = w.client.post(
        f"{API}/claim-disputes/{dispute['id']}/answer",
        json={"answer": "已复核，向您说明计算过程"},
        headers=w.h["handler"],
    )
    assert r.status_code == 200, r.text
    answered = _listed(w, cid, "claim_dispute.response")
    assert (answered["stopped"], answered["met"]) == (True, False)


def test_paid_callback_clock_is_listed_breached_escalated_and_stopped(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-X2 GEN-4: paid Fri 9 Oct 15:00 → 3 working days: Sat 10 Oct (a working
    # day in 2026), Mon 12, Tue 13 Oct → due 13 Oct 23:59:59.
    w = world
    clock = FrozenClock(monkeypatch, local("2026-10-09T14:00:00"))
    cid = _claim(w)
    claim = db.get(Claim, cid)
    assert claim is not None
    callback = open_callback(
        db, actor=SYSTEM, claim=claim, kind="paid", source_id=1, at=local("2026-10-09T15:00:00")
    )
    db.commit()
    shown = _listed(w, cid, "claim.callback")
    assert shown["id"] == callback.clock_id and shown["subject_type"] == "claim_callback"
    assert (shown["rule_type"], shown["rule_n"], shown["rule_label"]) == (
        "working_days",
        3,
        "3 个工作日",
    )
    assert shown["basis"] == "《保险理赔流程规范化操作手册》 三(八)2：赔付后3个工作日内回访"
    assert shown["due_local"].startswith("2026-10-13T23:59:59")
    listed = w.client.get(f"{API}/claims/{cid}/callbacks", headers=w.h["handler"]).json()
    assert [c["clock"]["id"] for c in listed] == [shown["id"]]
    assert listed[0]["clock"]["rule_label"] == "3 个工作日"

    tasks.run_breach_job(db, now=local("2026-10-13T23:00:00"))
    assert db.get(Clock, shown["id"]).breached_at is None  # type: ignore[union-attr]
    tasks.run_breach_job(db, now=local("2026-10-14T09:00:00"))
    stored = db.get(Clock, shown["id"])
    assert stored is not None and stored.breached_at == local("2026-10-13T23:59:59")
    assert stored.escalated_at == local("2026-10-14T09:00:00")
    messages = _escalations_of(db, stored.id)
    assert [m.recipient for m in messages] == [f"user:{w.users['supervisor']}"]
    assert "赔付后回访" in messages[0].body  # the limit by what it is for (GEN-4)
    db.commit()

    clock.set("2026-10-14T10:00:00")
    r = w.client.post(
        f"{API}/claims/{cid}/callbacks/{callback.id}/complete",
        json={"outcome": "reached", "satisfaction": 4, "suggestions": "希望更快"},
        headers=w.h["handler"],
    )
    assert r.status_code == 200, r.text
    assert (r.json()["clock"]["stopped"], r.json()["clock"]["met"]) == (True, False)
    done = _listed(w, cid, "claim.callback")
    assert (done["stopped"], done["met"], done["breached"]) == (True, False, True)


def test_rejection_callback_runs_its_own_clock_and_is_met_in_time(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-X2 GEN-4: notice Mon 12 Oct 10:00 → 13, 14, 15 Oct → due 15 Oct 23:59:59.
    w = world
    clock = FrozenClock(monkeypatch, local("2026-10-12T09:00:00"))
    cid = _claim(w)
    claim = db.get(Claim, cid)
    assert claim is not None
    callback = open_callback(
        db,
        actor=SYSTEM,
        claim=claim,
        kind="rejected",
        source_id=1,
        at=local("2026-10-12T10:00:00"),
    )
    db.commit()
    shown = _listed(w, cid, "claim.rejection_callback")
    assert (shown["rule_type"], shown["rule_n"]) == ("working_days", 3)
    assert "CLM-X2" not in shown["basis"] and "调解、仲裁" in shown["basis"]
    assert shown["due_local"].startswith("2026-10-15T23:59:59")
    clock.set("2026-10-15T16:00:00")
    r = w.client.post(
        f"{API}/claims/{cid}/callbacks/{callback.id}/complete",
        json={"outcome": "reached", "options_explained": ["mediation", "arbitration"]},
        headers=w.h["handler"],
    )
    assert r.status_code == 200, r.text
    tasks.run_breach_job(db, now=local("2026-10-16T09:00:00"))
    assert db.get(Clock, shown["id"]).breached_at is None  # type: ignore[union-attr]
    done = _listed(w, cid, "claim.rejection_callback")
    assert (done["stopped"], done["met"], done["breached"]) == (True, True, False)
