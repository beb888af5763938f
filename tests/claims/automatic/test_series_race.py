"""The race between another claim's checks run finding a series and the automatic look
at a claim of that series (SPEC CLM-T2, CLM-F3, CLM-F1), on PostgreSQL with real commits.

Claim Y's run has read the insured's claims and found that X belongs to a series (claim
frequency, amounts just under a limit: one insured's claims). Meanwhile X's look takes
X's row. The run skips a claim another transaction holds (458390d: waiting for it could
deadlock two runs) and queues X's re-check by job instead (``checks.series``), in its own
transaction; the look had read the jobs table before that commit, found nothing queued
and paid — the re-check then recorded its hit after the payment. Both now take the
insured's row too (``checks.repository.lock_insured``), the run before it reads anything,
the look before it reads the jobs: the look waits for the run, sees the re-check queued
and waits for it."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from claimdesk.checks import repository as checks_repository
from claimdesk.checks import service as checks_service
from claimdesk.claims.automatic import service as automatic
from claimdesk.db import make_engine
from claimdesk.jobs import queue
from claimdesk.jobs.queue import run_one
from claimdesk.jobs.worker import load_task_modules
from claimdesk.models.automatic import AutomaticDecision
from claimdesk.models.check import CheckHit
from claimdesk.models.job import Job
from claimdesk.models.payment import Payment
from claimdesk.rules.checks.rules import RULES
from claimdesk.rules.checks.types import CheckInput, Hit
from tests.claims.automatic.helpers import DAY, drain, make_e_bill_claim, report, small_policy
from tests.claims.helpers import FrozenClock, build_world, local
from tests.waits import run_in_threads, wait_for

pytestmark = pytest.mark.postgres_only

# Seconds. The run waits this long for the look to reach its decision: a look that does
# not get there (it waits for the run's insured lock) lets the run go on after it.
LOOK_REACHED = 5.0
STEP = 60.0  # a step that never comes fails the test instead of hanging it


def test_a_series_found_while_the_look_decides_is_not_paid_past(
    fresh_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-T2 CLM-F3 CLM-F1: X's own checks are clean. Y's run has found the series
    # (X and Y, one insured) when X's look begins; X must not be paid past it.
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
            x = make_e_bill_claim(world, clock, setup)
            y = report(world, clock, setup)
            db.close()
        # The checks of both claims, without the look that follows a run: the race below
        # starts X's look itself, and runs Y's checks again.
        follow_ups = queue._FOLLOW_UPS.pop("checks.run")
        try:
            while run_one(factory):
                pass
        finally:
            queue._FOLLOW_UPS["checks.run"] = follow_ups
        with factory() as session:
            assert session.scalar(select(AutomaticDecision.id)) is None
            assert session.scalars(select(CheckHit).where(CheckHit.claim_id == x)).all() == []

        # Y's run finds the frequency series of X and Y (the rule stubbed: the race is
        # about what the run does with the hit, not how the rule finds it).
        frequency = RULES["claim_frequency"]

        def series(inp: CheckInput, params: Any) -> list[Hit]:
            if inp.claim.claim_id != y:
                return []
            return [
                Hit(
                    "claim_frequency",
                    "同一被保险人短期内多次出险",
                    "The insured claimed often in a short time",
                    {"claim_ids": [x, y]},
                )
            ]

        monkeypatch.setitem(RULES, "claim_frequency", dataclasses.replace(frequency, run=series))
        gathered, looked = threading.Event(), threading.Event()
        run_done = threading.Event()
        real_gather, real_evaluate = checks_repository.gather, automatic.evaluate

        def gather(session: Any, *, claim: Any) -> CheckInput:
            facts = real_gather(session, claim=claim)
            if claim.id == y:
                gathered.set()  # Y's run has read the insured's claims: X's look starts
                wait_for(looked, LOOK_REACHED)
            return facts

        def evaluate(*args: Any, **kwargs: Any) -> Any:
            looked.set()  # the look has read the jobs and holds X's row
            assert wait_for(run_done, STEP)
            return real_evaluate(*args, **kwargs)

        monkeypatch.setattr(checks_repository, "gather", gather)
        monkeypatch.setattr(automatic, "evaluate", evaluate)
        failures: list[BaseException] = []

        def other_run() -> None:
            try:
                with factory() as session, session.begin():
                    checks_service.run_checks(
                        session, claim_id=y, actor=checks_service.system_actor()
                    )
            except BaseException as error:
                failures.append(error)
            finally:
                run_done.set()

        def look() -> None:
            try:
                assert wait_for(gathered, STEP)
                with factory() as session, session.begin():
                    automatic.process(session, claim_id=x)
            except BaseException as error:
                failures.append(error)

        run_in_threads([other_run, look], seconds=STEP * 2)
        assert failures == []
        monkeypatch.setattr(checks_repository, "gather", real_gather)
        monkeypatch.setattr(automatic, "evaluate", real_evaluate)
        with factory() as session:
            series_jobs = session.scalars(
                select(Job.status).where(Job.kind == checks_service.SERIES_JOB_KIND)
            ).all()
            paid_before = session.scalars(select(Payment).where(Payment.claim_id == x)).all()
        # The run found X held by the look: X's re-check went to a job of its own.
        assert series_jobs == ["queued"]
        assert paid_before == []  # the look saw it queued, and waited
        drain(factory)
        with factory() as session:
            payments = session.scalars(select(Payment).where(Payment.claim_id == x)).all()
            hits = session.scalars(select(CheckHit).where(CheckHit.claim_id == x)).all()
            decision = session.scalars(
                select(AutomaticDecision).where(AutomaticDecision.claim_id == x)
            ).one()
        assert [h.check_code for h in hits] == ["claim_frequency"]
        # A person decides, with the series' hit: never paid past it.
        assert payments == [] and decision.outcome == "referred"
    finally:
        engine.dispose()
