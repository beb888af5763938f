"""A surveyor reassigned: the 1-hour contact limit runs from *assignment* (CLM-S1), so
the first surveyor's contact clock is closed at the reassignment, with the reason on its
audit entry, and the new surveyor gets a clock of their own from that moment — not a
clock left running (amber, then breached) for a surveyor who no longer has the claim.

# SPEC CLM-S1 (contact within 1 hour of assignment), GEN-4 (the clock list), GEN-5
# (the closing is audited with its reason)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.claims import timeutil
from claimdesk.clocks import service as clocks
from claimdesk.models.audit import AuditEntry
from claimdesk.models.clock import Clock
from tests.claims.helpers import FrozenClock, World, build_world, claim_in_state, local

API = "/api/v1/claims"
CONTACT = "claim.survey_contact"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient, clock: FrozenClock) -> World:
    return build_world(db, client)


def _assign(w: World, cid: int, who: str) -> dict[str, Any]:
    r = w.client.post(
        f"{API}/{cid}/survey/assign",
        json={"surveyor_id": w.users[who]},
        headers=w.h["handler"],
    )
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _contact_clocks(db: Session, cid: int) -> list[Clock]:
    db.expire_all()
    query = (
        select(Clock)
        .where(Clock.subject_type == "claim", Clock.subject_id == str(cid), Clock.name == CONTACT)
        .order_by(Clock.id)
    )
    return list(db.scalars(query))


def _listed(w: World, cid: int) -> list[dict[str, Any]]:
    r = w.client.get(f"{API}/{cid}", headers=w.h["handler"])
    assert r.status_code == 200, r.text
    return [c for c in r.json()["clocks"] if c["name"] == CONTACT]


def test_reassignment_closes_the_first_surveyors_contact_clock_and_starts_a_new_one(
    world: World, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-S1: assigned 10:00 → contact due 11:00; reassigned 10:40 → the first
    # clock closes at 10:40, the second is due 11:40 (1 hour from *its* assignment).
    w = world
    cid = claim_in_state(db, w, "accepted")
    _assign(w, cid, "surveyor")
    clock.set("2026-09-30T10:40:00")
    _assign(w, cid, "surveyor2")

    first, second = _contact_clocks(db, cid)
    assert first.stopped_at == local("2026-09-30T10:40:00")
    assert first.due_at == local("2026-09-30T11:00:00")
    assert second.started_at == local("2026-09-30T10:40:00")
    assert second.due_at == local("2026-09-30T11:40:00")
    assert second.stopped_at is None

    # The claim's list shows one running contact clock, the new surveyor's.
    running = [c for c in _listed(w, cid) if not c["stopped"]]
    assert [c["id"] for c in running] == [second.id]

    # SPEC GEN-5: the closing is audited with why (both languages).
    stopped = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "clock.stopped",
            AuditEntry.entity_type == "clock",
            AuditEntry.entity_id == str(first.id),
        )
    ).one()
    assert stopped.reason is not None
    assert "查勘改派" in stopped.reason and "surveyor reassigned" in stopped.reason

    # Past the first clock's deadline the breach job breaches nothing: the first clock
    # is closed and the second is not due yet (SPEC CLM-S1).
    clock.set("2026-09-30T11:20:00")
    assert clocks.mark_breaches(db, now=timeutil.now()) == []


def test_the_new_surveyors_contact_stops_the_new_clock(
    world: World, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-S1: the new surveyor's contact at 11:10 meets their limit (due 11:40).
    w = world
    cid = claim_in_state(db, w, "accepted")
    _assign(w, cid, "surveyor")
    clock.set("2026-09-30T10:40:00")
    _assign(w, cid, "surveyor2")
    clock.set("2026-09-30T11:10:00")
    r = w.client.post(
        f"{API}/{cid}/survey/contact",
        json={"note": "已电话联系客户"},
        headers=w.h["surveyor2"],
    )
    assert r.status_code == 200, r.text

    _first, second = _contact_clocks(db, cid)
    assert second.stopped_at == local("2026-09-30T11:10:00")
    assert clocks.clock_met(second) is True
    assert all(c["stopped"] for c in _listed(w, cid))


def test_a_contact_made_before_reassignment_is_not_reopened(
    world: World, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-S1: the first surveyor contacted at 10:20 (met); reassigned at 10:40 the
    # met clock keeps its stop time and the new surveyor's clock starts.
    w = world
    cid = claim_in_state(db, w, "accepted")
    _assign(w, cid, "surveyor")
    clock.set("2026-09-30T10:20:00")
    r = w.client.post(
        f"{API}/{cid}/survey/contact", json={"note": "已联系"}, headers=w.h["surveyor"]
    )
    assert r.status_code == 200, r.text
    clock.set("2026-09-30T10:40:00")
    _assign(w, cid, "surveyor2")

    first, second = _contact_clocks(db, cid)
    assert first.stopped_at == local("2026-09-30T10:20:00")
    assert clocks.clock_met(first) is True
    assert (second.started_at, second.stopped_at) == (local("2026-09-30T10:40:00"), None)


def test_reassigning_the_same_surveyor_is_refused_and_keeps_the_running_clock(
    world: World, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-S1: "reassigning" the surveyor who has the claim would close their clock
    # at 10:55 and start a new hour — a limit about to be missed, reset. Refused (409),
    # naming the field, and nothing changes: the 11:00 deadline stands.
    w = world
    cid = claim_in_state(db, w, "accepted")
    _assign(w, cid, "surveyor")
    clock.set("2026-09-30T10:55:00")
    r = w.client.post(
        f"{API}/{cid}/survey/assign",
        json={"surveyor_id": w.users["surveyor"]},
        headers=w.h["handler"],
    )
    assert r.status_code == 409, r.text
    body = r.json()["error"]
    assert body["code"] == "surveyor_already_assigned" and body["field"] == "surveyor_id"
    (only,) = _contact_clocks(db, cid)
    assert only.stopped_at is None and only.due_at == local("2026-09-30T11:00:00")
