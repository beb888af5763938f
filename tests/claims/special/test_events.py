"""Mass events through the HTTP API: grouping, green channel, priority, public guide
(SPEC CLM-Z2)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.models.event import MassEvent
from tests.claims.helpers import FrozenClock, World, build_world, local

API = "/api/v1"


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    return build_world(db, client)


def _report(w: World, amount: str, loss_date: str = "2026-09-28") -> dict[str, Any]:
    payload = {
        "channel": "hotline",
        "policy_number": w.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
        "claimant_name": "李四",
        "contact_phone": "13912345678",
        "loss_date": loss_date,
        "loss_place": "四川省",
        "loss_cause": "accident",
        "loss_overview": "地震受伤住院",
        "estimated_amount": amount,
    }
    r = w.client.post(f"{API}/claims", json=payload, headers=w.h["handler"])
    assert r.status_code == 201, r.text
    return r.json()


EVENT = {
    "name": "9·27 地震",
    "event_type": "earthquake",
    "region": "四川省",
    "starts_on": "2026-09-27",
    "ends_on": "2026-09-30",
    "deferrable_materials": ["medical_record", "expense_invoices"],
    "small_loss_amount": "5000.00",
    "guide_zh": "受灾客户请拨打热线报案，身份证明与理赔申请书先行提交，病历与发票可后补。",
    "guide_en": "Affected customers call the hotline; ID and claim form first, records later.",
    "hotline": "95500",
}


def test_event_green_channel_priority_and_public_guide(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-Z2 CLM-A1 GEN-6
    w = world
    FrozenClock(monkeypatch, local("2026-09-29T10:00:00"))
    # Only supervisors set events up; bad input names the field and changes nothing.
    assert (
        w.client.post(f"{API}/claim-events", json=EVENT, headers=w.h["handler"]).status_code == 403
    )
    r = w.client.post(
        f"{API}/claim-events",
        json={**EVENT, "deferrable_materials": ["medical_record", "horoscope"]},
        headers=w.h["supervisor"],
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "deferrable_materials.1"
    r = w.client.post(
        f"{API}/claim-events", json={**EVENT, "ends_on": "2026-09-01"}, headers=w.h["supervisor"]
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "event_dates_out_of_order"
    assert db.query(MassEvent).count() == 0
    r = w.client.post(f"{API}/claim-events", json=EVENT, headers=w.h["supervisor"])
    assert r.status_code == 201, r.text
    event_id = r.json()["id"]
    r = w.client.post(
        f"{API}/claim-events/{event_id}/team",
        json={"user_id": w.users["adjuster"], "duty": "专项理算"},
        headers=w.h["supervisor"],
    )
    assert r.status_code == 200 and r.json()["team"] == [
        {"user_id": w.users["adjuster"], "duty": "专项理算"}
    ]
    r = w.client.post(
        f"{API}/claim-events/{event_id}/team",
        json={"user_id": w.users["customer"]},
        headers=w.h["supervisor"],
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_active_staff"

    ordinary = _report(w, "3000.00")  # reported first: earliest deadline, not in the event
    large = _report(w, "20000.00")
    small = _report(w, "4000.00")
    outside = _report(w, "1000.00", loss_date="2026-09-20")
    for claim in (large, small):
        r = w.client.post(
            f"{API}/claims/{claim['id']}/event", json={"event_id": event_id}, headers=w.h["handler"]
        )
        assert r.status_code == 200, r.text
    statuses = {item["code"]: item["status"] for item in r.json()}
    assert statuses == {
        "claim_form": "missing",
        "identity_proof": "missing",
        "medical_record": "deferred",
        "expense_invoices": "deferred",
    }
    r = w.client.post(
        f"{API}/claims/{small['id']}/event", json={"event_id": event_id}, headers=w.h["handler"]
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "claim_already_in_event"
    r = w.client.post(
        f"{API}/claims/{outside['id']}/event", json={"event_id": event_id}, headers=w.h["handler"]
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "loss_outside_event"

    # Priority: small event losses, then other event claims, then the rest by deadline.
    queue = w.client.get(f"{API}/claims/queue", headers=w.h["handler"]).json()["items"]
    assert [c["id"] for c in queue] == [small["id"], large["id"], ordinary["id"], outside["id"]]

    # Simplified materials: the small claim is accepted with the deferred items to come.
    for claim in (small, ordinary):
        for code in ("claim_form", "identity_proof"):
            r = w.client.post(
                f"{API}/claims/{claim['id']}/materials/receive",
                json={"code": code},
                headers=w.h["handler"],
            )
            assert r.status_code == 200
    r = w.client.post(f"{API}/claims/{small['id']}/accept", json={}, headers=w.h["handler"])
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    r = w.client.post(f"{API}/claims/{ordinary['id']}/accept", json={}, headers=w.h["handler"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "checklist_incomplete"
    r = w.client.get(f"{API}/claims/{small['id']}/green-channel", headers=w.h["handler"])
    assert [i["status"] for i in r.json()] == ["received", "received", "deferred", "deferred"]
    # A deferred item that arrives later is received like any other.
    w.client.post(
        f"{API}/claims/{small['id']}/materials/receive",
        json={"code": "medical_record"},
        headers=w.h["handler"],
    )
    r = w.client.get(f"{API}/claims/{small['id']}/green-channel", headers=w.h["handler"])
    assert [i["status"] for i in r.json()][2:] == ["received", "deferred"]

    detail = w.client.get(f"{API}/claim-events/{event_id}", headers=w.h["handler"]).json()
    assert [(c["claim_id"], c["small_loss"]) for c in detail["claims"]] == [
        (small["id"], True),
        (large["id"], False),
    ]
    timeline = w.client.get(f"{API}/claims/{small['id']}", headers=w.h["handler"]).json()[
        "timeline"
    ]
    linked = next(e for e in timeline if e["action"] == "claim.event_linked")
    assert linked["details"]["deferred"] == ["medical_record", "expense_invoices"]

    # The public guide: no login, no claim or staff data.
    guide = w.client.get(f"{API}/public/events/{event_id}/guide")
    assert guide.status_code == 200
    body = guide.json()
    assert body["guide_zh"] == EVENT["guide_zh"] and body["hotline"] == "95500"
    assert [m["code"] for m in body["materials_later"]] == ["medical_record", "expense_invoices"]
    assert "claims" not in body and "team" not in body
    assert w.client.get(f"{API}/public/events/999999/guide").status_code == 404

    # A closed event takes no more claims.
    r = w.client.post(
        f"{API}/claim-events/{event_id}/close",
        json={"reason": "救灾结束"},
        headers=w.h["supervisor"],
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = w.client.post(
        f"{API}/claims/{ordinary['id']}/event", json={"event_id": event_id}, headers=w.h["handler"]
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "event_closed"


def test_event_detail_lists_only_the_claims_the_reader_may_see(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-F2 SEC-4: an event groups claims, but reading it never widens a role's view.
    w = world
    FrozenClock(monkeypatch, local("2026-09-29T10:00:00"))
    event_id = w.client.post(f"{API}/claim-events", json=EVENT, headers=w.h["supervisor"]).json()[
        "id"
    ]
    for amount in ("4000.00", "20000.00"):
        claim = _report(w, amount)
        r = w.client.post(
            f"{API}/claims/{claim['id']}/event", json={"event_id": event_id}, headers=w.h["handler"]
        )
        assert r.status_code == 200, r.text
    as_supervisor = w.client.get(f"{API}/claim-events/{event_id}", headers=w.h["supervisor"])
    assert len(as_supervisor.json()["claims"]) == 2
    # The surveyor is assigned to neither claim: the event shows none of them.
    as_surveyor = w.client.get(f"{API}/claim-events/{event_id}", headers=w.h["surveyor"])
    assert as_surveyor.status_code == 200
    assert as_surveyor.json()["claims"] == []
