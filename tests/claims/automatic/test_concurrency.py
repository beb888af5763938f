"""Two workers racing on one claim pay it once (SPEC CLM-T2, CLM-P5), on PostgreSQL
with real commits and SKIP LOCKED."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from claimdesk.claims.automatic.service import JOB_KIND
from claimdesk.db import make_engine
from claimdesk.jobs import queue
from claimdesk.jobs.queue import enqueue, run_one
from claimdesk.jobs.worker import load_task_modules
from claimdesk.models.automatic import AutomaticDecision
from claimdesk.models.claim import ClaimTransition
from claimdesk.models.job import Job
from claimdesk.models.payment import Payment
from tests.claims.automatic.helpers import DAY, make_e_bill_claim, small_policy
from tests.claims.helpers import FrozenClock, build_world, local
from tests.waits import Rendezvous, run_in_threads

pytestmark = pytest.mark.postgres_only


def test_two_workers_racing_pay_once(fresh_db_url, monkeypatch):
    # SPEC CLM-T2, CLM-P5: two automatic jobs for the same claim, taken at the same
    # moment by two workers; the claim's row lock lets one pay, the other finds it paid.
    from claimdesk.app import create_app

    engine = make_engine(fresh_db_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    load_task_modules()
    clock = FrozenClock(monkeypatch, local(f"{DAY}T10:00:00"))
    try:
        with TestClient(create_app(factory=factory), raise_server_exceptions=False) as client:
            db = factory()
            world = build_world(db, client)
            setup = small_policy(db, world)
            cid = make_e_bill_claim(world, clock, setup)
            db.close()
        # The checks first, without their automatic look (a follow-up of the run), so
        # that both looks queued below are ready to decide when the race starts.
        follow_ups = queue._FOLLOW_UPS.pop("checks.run")
        try:
            while run_one(factory):
                pass
        finally:
            queue._FOLLOW_UPS["checks.run"] = follow_ups
        with factory() as session, session.begin():
            assert session.scalar(select(AutomaticDecision.id)) is None
            for twin in ("a", "b"):
                enqueue(
                    session,
                    kind=JOB_KIND,
                    payload={"claim_id": cid},
                    dedupe_key=f"{JOB_KIND}:{cid}:{twin}",
                )
            waiting = session.scalars(
                select(Job.id).where(Job.kind == JOB_KIND, Job.status == "queued")
            ).all()
        assert len(waiting) >= 2
        start = Rendezvous(2)
        taken: list[bool] = []

        def work() -> None:
            start.wait()
            taken.append(run_one(factory))

        run_in_threads([work, work])
        assert taken == [True, True]
        while run_one(factory):  # any look left over finds the claim decided
            pass
        with factory() as session:
            statuses = session.scalars(select(Job.status).where(Job.kind == JOB_KIND)).all()
            payments = session.scalars(select(Payment).where(Payment.claim_id == cid)).all()
            decisions = session.scalars(
                select(AutomaticDecision).where(AutomaticDecision.claim_id == cid)
            ).all()
            approvals = session.scalars(
                select(ClaimTransition).where(
                    ClaimTransition.claim_id == cid, ClaimTransition.action == "approve"
                )
            ).all()
        assert set(statuses) == {"done"} and len(statuses) == len(waiting)
        assert len(payments) == 1 and len(decisions) == 1 and len(approvals) == 1
        assert decisions[0].outcome == "paid" and decisions[0].payment_id == payments[0].id
    finally:
        engine.dispose()
