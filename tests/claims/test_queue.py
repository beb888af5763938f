"""The handler's work queue and the claim's derived next deadline (claims.next_due_at).

next_due_at is the earliest due_at of the claim's running, unpaused clocks; clocks.service
keeps it on every start/pause/resume/stop, and the queue sorts by it (SPEC CLM-V4 clocks,
CLM-Z2 priority, CLM-F2 rows). Timing is measured by `python -m bench claims`, not here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims.repository import queue
from claimdesk.claims.workflow import OPEN_STATES, SUSPENDED
from claimdesk.clocks import service as clocks
from claimdesk.db import make_engine
from claimdesk.migrate import alembic_config, upgrade
from claimdesk.models.claim import QUEUE_STATES, Claim
from claimdesk.models.clock import Clock
from claimdesk.rules.deadlines import Rule
from tests.builders import (
    demo_version,
    issue_policy,
    make_claim,
    make_person,
    resident_id,
    seed_calendar,
)
from tests.claims.helpers import FrozenClock, World, build_world, local

API = "/api/v1/claims"
SYSTEM = Principal.system("test")


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    return build_world(db, client)


def _report(w: World, amount: str = "3000.00") -> dict[str, Any]:
    payload = {
        "channel": "app",
        "policy_number": w.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
        "claimant_name": "李四",
        "loss_date": "2026-09-28",
        "loss_place": "北京",
        "loss_cause": "illness",
        "loss_overview": "住院",
        "estimated_amount": amount,
    }
    r = w.client.post(API, json=payload, headers=w.h["handler"])
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def _stored_next_due(db: Session, claim_id: int) -> dt.datetime | None:
    db.expire_all()  # read the row, not the identity map
    return db.scalar(select(Claim.next_due_at).where(Claim.id == claim_id))


def _running_min(db: Session, claim_id: int) -> dt.datetime | None:
    """The old definition, straight from the clocks table."""
    dues = [
        c.due_at
        for c in clocks.clocks_for(db, subject_type="claim", subject_id=claim_id)
        if c.stopped_at is None and c.paused_at is None
    ]
    return min(dues, default=None)


def _clock(db: Session, claim_id: int, name: str) -> Clock:
    return next(
        c
        for c in clocks.clocks_for(db, subject_type="claim", subject_id=claim_id)
        if c.name == name
    )


def test_queue_states_match_the_workflow() -> None:
    # SPEC CLM-F2: the partial index covers exactly the states the queue shows.
    assert set(QUEUE_STATES) == {*OPEN_STATES, SUSPENDED}


def test_next_due_at_follows_pause_resume_and_stop(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-V4 GEN-4
    frozen = FrozenClock(monkeypatch, local("2026-09-28T10:00:00"))
    cid = _report(world)["id"]
    review = _clock(db, cid, "claim.review")
    determination = _clock(db, cid, "claim.determination")
    assert review.due_at < determination.due_at
    # Reported: the review clock (3 working days) is the earliest running one.
    assert _stored_next_due(db, cid) == review.due_at == _running_min(db, cid)

    review = _clock(db, cid, "claim.review")
    clocks.pause_clock(db, clock=review, at=local("2026-09-28T11:00:00"), reason="t", actor=SYSTEM)
    assert _stored_next_due(db, cid) == _clock(db, cid, "claim.determination").due_at

    determination = _clock(db, cid, "claim.determination")
    clocks.pause_clock(
        db, clock=determination, at=local("2026-09-28T11:00:00"), reason="t", actor=SYSTEM
    )
    assert _stored_next_due(db, cid) is None  # nothing running

    # Resumed after the National Day holiday: a later review deadline, taken at once.
    review = _clock(db, cid, "claim.review")
    old_due = review.due_at
    clocks.resume_clock(db, clock=review, at=local("2026-10-09T09:00:00"), actor=SYSTEM)
    review = _clock(db, cid, "claim.review")
    assert review.due_at > old_due
    assert _stored_next_due(db, cid) == review.due_at == _running_min(db, cid)

    clocks.stop_clock(db, clock=review, at=local("2026-10-09T10:00:00"), actor=SYSTEM)
    assert _stored_next_due(db, cid) is None

    determination = _clock(db, cid, "claim.determination")
    clocks.resume_clock(db, clock=determination, at=local("2026-10-09T10:00:00"), actor=SYSTEM)
    assert _stored_next_due(db, cid) == _clock(db, cid, "claim.determination").due_at

    # A new clock earlier than the rest becomes the next deadline.
    frozen.set("2026-10-09T10:30:00")
    contact = clocks.start_clock(
        db,
        subject_type="claim",
        subject_id=cid,
        name="claim.survey_contact",
        rule=Rule("hours", 1),
        started_at=local("2026-10-09T10:30:00"),
        basis="CLM-S1",
        actor=SYSTEM,
    )
    assert _stored_next_due(db, cid) == contact.due_at == local("2026-10-09T11:30:00")

    # A claim loaded in the session sees the value too (no stale identity map).
    claim = db.get(Claim, cid)
    assert claim is not None
    clocks.stop_clock(db, clock=contact, at=local("2026-10-09T11:00:00"), actor=SYSTEM)
    assert claim.next_due_at == _clock(db, cid, "claim.determination").due_at


def test_workflow_moves_keep_next_due_and_the_queue(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-A4 (the notice pauses the review clocks) CLM-V4 CLM-F2
    w = world
    FrozenClock(monkeypatch, local("2026-09-28T10:00:00"))
    first = _report(w)["id"]
    second = _report(w)["id"]
    queue_ids = [
        c["id"] for c in w.client.get(f"{API}/queue", headers=w.h["handler"]).json()["items"]
    ]
    assert queue_ids == [first, second]  # same deadlines: by id

    # The missing-materials notice pauses both review clocks: no running deadline, last.
    r = w.client.post(f"{API}/{first}/materials-notice", json={}, headers=w.h["handler"])
    assert r.status_code == 200, r.text
    assert _stored_next_due(db, first) is None
    body = w.client.get(f"{API}/queue", headers=w.h["handler"]).json()["items"]
    assert [c["id"] for c in body] == [second, first]
    assert body[1]["next_due"] is None and body[0]["next_due"] is not None
    assert dt.datetime.fromisoformat(body[0]["next_due"]) == _running_min(db, second)

    # Withdrawn: every clock stops and the claim leaves the queue.
    r = w.client.post(f"{API}/{second}/transitions/withdraw", json={}, headers=w.h["customer"])
    assert r.status_code == 200, r.text
    assert _stored_next_due(db, second) is None
    listed = w.client.get(f"{API}/queue", headers=w.h["handler"]).json()["items"]
    assert [c["id"] for c in listed] == [first]
    # Row-level rules still apply: a surveyor with no assigned claim sees none.
    assert w.client.get(f"{API}/queue", headers=w.h["surveyor"]).json()["items"] == []


def test_queue_order_is_next_due_then_id_with_limit(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-V4 CLM-Z2
    frozen = FrozenClock(monkeypatch, local("2026-09-28T10:00:00"))
    ids = []
    for hour in ("15", "11", "13", "11"):  # received at different times: different deadlines
        frozen.set(f"2026-09-28T{hour}:00:00")
        ids.append(_report(world)["id"])
    handler = Principal.system("test")
    rows = queue(db, actor=handler)
    expected = sorted(ids, key=lambda i: (_running_min(db, i), i))
    assert [c.id for c, _ in rows] == expected
    assert [due for _, due in rows] == [_running_min(db, i) for i in expected]
    assert [c.id for c, _ in queue(db, actor=handler, limit=2)] == expected[:2]


def test_migration_backfills_next_due_from_clocks(fresh_db_url: str) -> None:
    # SPEC GEN-4: claims that existed before 0010 get their next deadline from their clocks.
    engine = make_engine(fresh_db_url)
    with Session(engine) as session:
        seed_calendar(session, years=(2025, 2026))
        person = make_person(session, name="王五", id_number=resident_id(seq="771"))
        version = demo_version(session, "MED-MILLION")
        policy = issue_policy(session, version_id=version.id, policyholder_id=person.id)
        at = dt.datetime(2026, 9, 28, 2, tzinfo=dt.UTC)
        claims = [
            make_claim(
                session,
                number=number,
                policy=policy,
                state="accepted",
                loss_overview="住院",
                received_at="2026-09-28T02:00:00+00:00",
            )
            for number in ("BA20260928000901", "BA20260928000902")
        ]
        running = [
            clocks.start_clock(
                session,
                subject_type="claim",
                subject_id=claims[0].id,
                name=name,
                rule=rule,
                started_at=at,
                basis="t",
                actor=SYSTEM,
            )
            for name, rule in (("claim.review", Rule("hours", 72)), ("claim.x", Rule("hours", 5)))
        ]
        clocks.stop_clock(session, clock=running[1], at=at, actor=SYSTEM)
        session.commit()
        ids = [c.id for c in claims]
        expected = running[0].due_at
    engine.dispose()

    command.downgrade(alembic_config(fresh_db_url), "0009_merge")
    upgrade(fresh_db_url)

    engine = make_engine(fresh_db_url)
    with Session(engine) as session:
        rows = session.execute(select(Claim.id, Claim.next_due_at).where(Claim.id.in_(ids)))
        stored = {claim_id: due for claim_id, due in rows}
    engine.dispose()
    assert stored == {ids[0]: expected, ids[1]: None}
