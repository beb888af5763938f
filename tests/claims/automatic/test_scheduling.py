"""When the automatic path looks at a claim: at the end of the checks run on the claim's
current data, in that run's job and transaction — no job of its own polling for the
checks, no look on stale checks, a fixed number of jobs per claim.
# SPEC CLM-T2, CLM-F3"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from claimdesk.claims.automatic import service
from claimdesk.claims.settlement.decision_notices import PDF_TASK
from claimdesk.jobs.queue import enqueue, run_one
from claimdesk.jobs.worker import load_task_modules
from claimdesk.models.automatic import AutomaticDecision
from claimdesk.models.base import utcnow
from claimdesk.models.claim import Claim
from claimdesk.models.job import Job
from tests.claims.automatic.helpers import drain, make_e_bill_claim, upload

LATER = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _tasks() -> None:
    load_task_modules()  # the checks job and its follow-up, as a worker registers them


def _jobs(db: Session) -> list[tuple[str, str]]:
    db.expire_all()
    return [(j.kind, j.status) for j in db.scalars(select(Job).order_by(Job.id))]


def _decision(db: Session, cid: int) -> AutomaticDecision | None:
    db.expire_all()
    return db.scalars(select(AutomaticDecision).where(AutomaticDecision.claim_id == cid)).first()


def test_the_checks_run_on_the_latest_data_decides_in_the_same_job(
    world, clock, setup, db, session_factory
):
    # SPEC CLM-T2: the report, three uploads and the e-bill leave one checks run queued
    # (the runs for older data were dropped as the data changed); its end decides the
    # claim in the same job: one job for the claim, none polling.
    cid = make_e_bill_claim(world, clock, setup)
    assert _jobs(db) == [("checks.run", "queued")]
    assert run_one(session_factory, now=utcnow() + LATER) is True
    # The settlement notice's PDF is rendered by a job of its own, after the payment
    # (issue 13: off the decision's critical path).
    assert _jobs(db) == [("checks.run", "done"), (PDF_TASK, "queued")]
    decision = _decision(db, cid)
    assert decision is not None and decision.outcome == "paid"
    assert db.get_one(Claim, cid).state == "approved"
    assert run_one(session_factory, now=utcnow() + LATER) is True
    assert _jobs(db) == [("checks.run", "done"), (PDF_TASK, "done")]
    assert run_one(session_factory, now=utcnow() + LATER) is False


def test_a_look_before_the_checks_queues_nothing(world, clock, setup, db, session_factory):
    # SPEC CLM-T2, CLM-F3: while the checks of the current data are queued a look does
    # nothing — no decision, and no job of its own to look again later (no polling).
    cid = make_e_bill_claim(world, clock, setup)
    before = _jobs(db)
    with session_factory() as session, session.begin():
        assert service.process(session, claim_id=cid).status == "wait"
    assert _jobs(db) == before
    assert _decision(db, cid) is None
    drain(session_factory)
    assert _decision(db, cid).outcome == "paid"  # type: ignore[union-attr]


def test_a_run_on_data_that_changed_since_decides_nothing(world, clock, setup, db, session_factory):
    # SPEC CLM-F3, CLM-T2: a run taken for older data (a worker had it when new data
    # came) checks nothing and its look decides nothing; the run on the latest data does.
    cid = make_e_bill_claim(world, clock, setup)
    with session_factory() as session, session.begin():
        session.execute(update(Job).values(run_at=utcnow() + 2 * LATER))
        enqueue(
            session,
            kind="checks.run",
            payload={"claim_id": cid, "data_version": "older-data"},
            dedupe_key=f"checks.run:{cid}:older-data:taken",
        )
    assert run_one(session_factory, now=utcnow() + LATER) is True
    assert _decision(db, cid) is None
    assert db.get_one(Claim, cid).state == "reported"
    assert sorted(_jobs(db)) == [("checks.run", "done"), ("checks.run", "queued")]
    assert run_one(session_factory, now=utcnow() + 3 * LATER) is True
    assert _decision(db, cid).outcome == "paid"  # type: ignore[union-attr]


def test_new_data_drop_the_queued_run_for_the_old(world, clock, setup, db, session_factory):
    # SPEC CLM-F3: each change of the data queues a run for the new data; a run still
    # queued for the old data is dropped (it would only find them changed).
    cid = make_e_bill_claim(world, clock, setup, uploads=("claim_form", "identity_proof"))
    assert _jobs(db) == [("checks.run", "queued")]
    upload(world, cid, ("medical_record",))
    assert _jobs(db) == [("checks.run", "queued")]
    payload = db.scalars(select(Job.payload)).one()
    with session_factory() as session:
        claim = session.get_one(Claim, cid)
        from claimdesk.checks.repository import data_version

        assert data_version(session, claim=claim) in payload
    drain(session_factory)
    assert _decision(db, cid).outcome == "paid"  # type: ignore[union-attr]


def test_checks_that_cannot_run_send_the_claim_to_a_person(
    world, clock, setup, db, session_factory, monkeypatch
):
    # SPEC CLM-T2, CLM-F3: when the checks run is given up, its look refers the claim
    # with the reason — nobody waits for checks that will not come.
    import claimdesk.checks.tasks as checks_tasks

    def broken(*args, **kwargs):
        raise RuntimeError("checks broken")

    monkeypatch.setattr(checks_tasks, "run_checks", broken)
    cid = make_e_bill_claim(world, clock, setup)
    with session_factory() as session, session.begin():
        session.execute(update(Job).values(max_attempts=1))
    assert run_one(session_factory, now=utcnow() + LATER) is True
    assert _jobs(db) == [("checks.run", "failed")]
    decision = _decision(db, cid)
    assert decision is not None and decision.outcome == "referred"
    assert [r["code"] for r in decision.reasons] == ["checks_failed"]
    assert db.get_one(Claim, cid).state == "reported"


def test_a_look_that_fails_is_retried_as_its_own_job(
    world, clock, setup, db, session_factory, monkeypatch
):
    # SPEC CLM-T2: the checks' results stand; the look is undone and queued as a
    # claims.automatic job, which decides when it runs.
    import claimdesk.claims.automatic.tasks as automatic_tasks

    real = automatic_tasks.process
    calls = []

    def fails_once(session, *, claim_id):
        calls.append(claim_id)
        if len(calls) == 1:
            service.process(session, claim_id=claim_id)  # work that must be undone
            raise RuntimeError("database blip")
        return real(session, claim_id=claim_id)

    monkeypatch.setattr(automatic_tasks, "process", fails_once)
    cid = make_e_bill_claim(world, clock, setup)
    assert run_one(session_factory, now=utcnow() + LATER) is True
    assert _jobs(db) == [("checks.run", "done"), ("claims.automatic", "queued")]
    assert _decision(db, cid) is None
    assert db.get_one(Claim, cid).state == "reported"
    assert db.scalar(select(func.count()).select_from(Job)) == 2
    assert run_one(session_factory, now=utcnow() + LATER) is True
    assert _decision(db, cid).outcome == "paid"  # type: ignore[union-attr]
    assert db.get_one(Claim, cid).state == "approved"
