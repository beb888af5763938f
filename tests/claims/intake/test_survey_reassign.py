"""A surveyor reassigned: the 1-hour contact limit runs from *assignment* (CLM-S1), so
the first surveyor's contact clock is closed at the reassignment, with the reason on its
audit entry, and the new surveyor gets a clock of their own from that moment — not a
clock left running (amber, then breached) for a surveyor who no longer has the claim.

# SPEC CLM-S1 (contact within 1 hour of assignment), GEN-4 (the clock list), GEN-5
# (the closing is audited with its reason)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.claims import timeutil, workflow
from claimdesk.clocks import service as clocks
from claimdesk.models.audit import AuditEntry
from claimdesk.models.clock import Clock
from claimdesk.models.states import ClockClosedReason
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


def _assigned(w: World, db: Session) -> int:
    """An accepted claim with the first surveyor assigned at 10:00 (contact due 11:00)."""
    cid = claim_in_state(db, w, "accepted")
    _assign(w, cid, "surveyor")
    return cid


def _reassigned(w: World, db: Session, clock: FrozenClock, *, at: str) -> int:
    """The same claim, reassigned to the second surveyor at `at`."""
    cid = _assigned(w, db)
    clock.set(at)
    _assign(w, cid, "surveyor2")
    return cid


def _contact(w: World, cid: int, who: str, note: str = "已联系") -> None:
    r = w.client.post(f"{API}/{cid}/survey/contact", json={"note": note}, headers=w.h[who])
    assert r.status_code == 200, r.text


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
    cid = _reassigned(w, db, clock, at="2026-09-30T10:40:00")

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
    cid = _reassigned(w, db, clock, at="2026-09-30T10:40:00")
    clock.set("2026-09-30T11:10:00")
    _contact(w, cid, "surveyor2", "已电话联系客户")

    _first, second = _contact_clocks(db, cid)
    assert second.stopped_at == local("2026-09-30T11:10:00")
    assert clocks.clock_met(clock=second) is True
    assert all(c["stopped"] for c in _listed(w, cid))


def test_a_contact_made_before_reassignment_is_not_reopened(
    world: World, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-S1: the first surveyor contacted at 10:20 (met); reassigned at 10:40 the
    # met clock keeps its stop time and the new surveyor's clock starts.
    w = world
    cid = _assigned(w, db)
    clock.set("2026-09-30T10:20:00")
    _contact(w, cid, "surveyor", "已联系")
    clock.set("2026-09-30T10:40:00")
    _assign(w, cid, "surveyor2")

    first, second = _contact_clocks(db, cid)
    assert first.stopped_at == local("2026-09-30T10:20:00")
    assert clocks.clock_met(clock=first) is True
    assert (second.started_at, second.stopped_at) == (local("2026-09-30T10:40:00"), None)


def test_reassigning_the_same_surveyor_is_refused_and_keeps_the_running_clock(
    world: World, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-S1: "reassigning" the surveyor who has the claim would close their clock
    # at 10:55 and start a new hour — a limit about to be missed, reset. Refused (409),
    # naming the field, and nothing changes: the 11:00 deadline stands.
    w = world
    cid = _assigned(w, db)
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


def _scorecard(db: Session) -> dict[str, tuple[object, ...]]:
    from claimdesk.dashboards import queries

    filters = queries.Filters(dt.date(2026, 9, 1), dt.date(2026, 9, 30), now=timeutil.now())
    return {row[0]: row[1:] for row in queries.claims_deadlines(db, filters).rows}


def test_a_reassignment_inside_the_hour_credits_nobody_with_a_contact(
    world: World, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-S1, GEN-7: the first surveyor, reassigned at 10:40 without having called,
    # made no contact: the closed clock is "reassigned", met by nobody — on the clock
    # list, the deadline scorecard (API, page, CSV: one query) and the SLA report — and
    # shown apart; the new surveyor's contact at 11:10 is the one met.
    w = world
    cid = _reassigned(w, db, clock, at="2026-09-30T10:40:00")

    first, _second = _contact_clocks(db, cid)
    assert first.closed_reason == ClockClosedReason.REASSIGNED
    assert (
        clocks.clock_outcome(clock=first) == "ended_early" and clocks.clock_met(clock=first) is None
    )
    listed = {c["id"]: c for c in _listed(w, cid)}
    assert (listed[first.id]["closed_reason"], listed[first.id]["met"]) == ("reassigned", None)
    # governed, met, missed, pending, ended early, share met
    assert _scorecard(db)[CONTACT] == (1, 0, 0, 1, 1, None)

    clock.set("2026-09-30T11:10:00")
    _contact(w, cid, "surveyor2", "已电话联系客户")
    assert _scorecard(db)[CONTACT] == (1, 1, 0, 0, 1, Decimal("100.00"))
    from claimdesk.claims import analytics

    db.expire_all()
    (row,) = [s for s in analytics.sla(db) if s["clock"] == CONTACT]
    assert (row["governed"], row["met"], row["breached"], row["ended_early"]) == (1, 1, 0, 1)


def test_a_reassignment_after_the_hour_is_still_a_missed_contact(
    world: World, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-S1, GEN-7: reassigned at 11:30, the first surveyor's 11:00 limit had been
    # missed: closing it for the reassignment does not hide the miss — missed on the
    # scorecard, breached by the breach job.
    w = world
    cid = _reassigned(w, db, clock, at="2026-09-30T11:30:00")

    first, _second = _contact_clocks(db, cid)
    assert first.closed_reason == ClockClosedReason.REASSIGNED
    assert clocks.clock_outcome(clock=first) == "missed" and clocks.clock_met(clock=first) is False
    assert _scorecard(db)[CONTACT] == (2, 0, 1, 1, 0, Decimal("0.00"))
    assert [c.id for c in clocks.mark_breaches(db, now=timeutil.now())] == [first.id]


def test_a_contact_made_is_completed_and_a_skipped_survey_cancels_the_contact(
    world: World, db: Session, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-S1, GEN-7: a contact recorded completes the clock (met); a claim whose
    # survey is skipped after an assignment owes no contact: cancelled, not met.
    w = world
    cid = _assigned(w, db)
    clock.set("2026-09-30T10:20:00")
    _contact(w, cid, "surveyor", "已联系")
    (contacted,) = _contact_clocks(db, cid)
    assert contacted.closed_reason == ClockClosedReason.COMPLETED

    other = _assigned(w, db)
    clock.set("2026-09-30T10:30:00")
    # The skip rule (small health claim, materials complete) is tested elsewhere.
    monkeypatch.setitem(workflow.GUARDS, "survey_skippable", lambda session, claim: None)
    r = w.client.post(f"{API}/{other}/survey/skip", json={}, headers=w.h["handler"])
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "surveyed"
    (skipped,) = _contact_clocks(db, other)
    assert skipped.closed_reason == ClockClosedReason.CANCELLED
    assert skipped.stopped_at == local("2026-09-30T10:30:00")
    assert clocks.clock_met(clock=skipped) is None


def test_a_withdrawn_claim_cancels_its_running_clocks(
    world: World, db: Session, clock: FrozenClock
) -> None:
    # SPEC GEN-7, CLM-V4, CLM-S1: withdrawn at 10:30, the claim's review, determination
    # and contact clocks stop without their steps: cancelled, not met, and not governed
    # by the scorecard (ended early).
    w = world
    cid = _assigned(w, db)
    clock.set("2026-09-30T10:30:00")
    r = w.client.post(f"{API}/{cid}/transitions/withdraw", json={}, headers=w.h["customer"])
    assert r.status_code == 200, r.text
    db.expire_all()
    stopped = {
        c.name: c.closed_reason
        for c in db.scalars(
            select(Clock).where(Clock.subject_type == "claim", Clock.subject_id == str(cid))
        )
    }
    assert stopped == {
        "claim.report_entry": ClockClosedReason.COMPLETED,
        "claim.review": ClockClosedReason.CANCELLED,
        "claim.determination": ClockClosedReason.CANCELLED,
        CONTACT: ClockClosedReason.CANCELLED,
    }
    board = _scorecard(db)
    assert board[CONTACT] == (0, 0, 0, 0, 1, None)
    assert board["claim.review"][1] == 0 and board["claim.review"][4] == 1
