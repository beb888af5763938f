"""The automatic path waits for every checks job still queued on the claim, not only the
run on its current data (SPEC CLM-T2, CLM-F3, CLM-F1, CLM-P5).

A series re-check (``checks.series``, queued when another claim's run found this one
held) or a copy's re-run (``checks.run:<id>:copy_of:…``) records a hit on this claim
when it runs. Paying before it would pay past a check on its way: the look waits, and
the end of that job looks again — so the claim is paid once the checks are clean, and
exactly once; referred when the re-check finds something or could not run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.checks import repository as checks_repository
from claimdesk.jobs.queue import enqueue, run_one
from claimdesk.jobs.worker import load_task_modules
from claimdesk.models.automatic import AutomaticDecision
from claimdesk.models.base import utcnow
from claimdesk.models.check import CheckHit
from claimdesk.models.claim import Claim
from claimdesk.models.job import Job
from claimdesk.models.payment import Payment
from tests.claims.automatic.helpers import DAY, PAYABLE, drain, make_e_bill_claim, report
from tests.claims.helpers import World

SERIES = "checks.series"
RUN = "checks.run"


def _version(db: Session, cid: int) -> str:
    db.expire_all()
    return checks_repository.data_version(db, claim=db.get_one(Claim, cid))


def _run_job(factory: sessionmaker[Session], db: Session, job_id: int) -> None:
    """Run due jobs, as a worker would, until job ``job_id`` is no longer queued."""
    load_task_modules()
    for _ in range(100):
        db.expire_all()
        if db.get_one(Job, job_id).status != "queued":
            return
        assert run_one(factory, now=utcnow() + dt.timedelta(hours=1))
    raise AssertionError(f"job {job_id} never ran")


def _current_run(db: Session, cid: int) -> Job:
    return db.scalars(select(Job).where(Job.dedupe_key == f"{RUN}:{cid}:{_version(db, cid)}")).one()


def _queue(db: Session, kind: str, key: str, payload: dict) -> int:  # type: ignore[type-arg]
    job = enqueue(db, kind=kind, payload=payload, dedupe_key=key)
    assert job is not None
    db.commit()
    return job.id


def _payments(db: Session, cid: int) -> list[Payment]:
    return list(db.scalars(select(Payment).where(Payment.claim_id == cid)))


def _decision(db: Session, cid: int) -> AutomaticDecision | None:
    return db.scalars(select(AutomaticDecision).where(AutomaticDecision.claim_id == cid)).first()


def _not_paid_yet(db: Session, cid: int) -> None:
    db.expire_all()
    assert db.get_one(Claim, cid).state == "reported"
    assert _payments(db, cid) == []
    assert _decision(db, cid) is None  # waiting, not referred: nobody is asked yet


def _paid_once(db: Session, cid: int) -> None:
    db.expire_all()
    assert db.get_one(Claim, cid).state == "approved"
    payments = _payments(db, cid)
    assert [p.amount for p in payments] == [Decimal(PAYABLE)]
    decision = _decision(db, cid)
    assert decision is not None and decision.outcome == "paid" and decision.reasons == []


def test_a_queued_series_recheck_holds_the_payment_until_it_has_run(
    world: World, clock, setup, db: Session, session_factory
) -> None:
    # SPEC CLM-T2 CLM-F3: the checks on the claim's data are clean, but a series re-check
    # of the claim is still queued: no payment until it has run; then paid, once.
    cid = make_e_bill_claim(world, clock, setup)
    clock.set(f"{DAY}T10:10:05")
    # The re-check another claim's run queued for this one; its hit has since gone (the
    # series was cleared), so it will find nothing to record: a clean re-check.
    series = _queue(db, SERIES, f"{SERIES}:{cid}:999999", {"claim_id": cid, "hit_id": 999999})
    _run_job(session_factory, db, _current_run(db, cid).id)
    assert db.get_one(Job, series).status == "queued"
    _not_paid_yet(db, cid)
    _run_job(session_factory, db, series)  # its end looks at the claim again
    _paid_once(db, cid)
    drain(session_factory)
    _paid_once(db, cid)


def test_a_queued_copy_rerun_holds_the_payment_until_it_has_run(
    world: World, clock, setup, db: Session, session_factory
) -> None:
    # SPEC CLM-T2 CLM-F3: an earlier claim's run found this one held and queued a re-run
    # of its checks (never stale); the payment waits for it, then goes, once.
    cid = make_e_bill_claim(world, clock, setup)
    clock.set(f"{DAY}T10:10:05")
    copy = _queue(db, RUN, f"{RUN}:{cid}:copy_of:1:v", {"claim_id": cid})
    _run_job(session_factory, db, _current_run(db, cid).id)
    _not_paid_yet(db, cid)
    _run_job(session_factory, db, copy)
    _paid_once(db, cid)
    drain(session_factory)
    _paid_once(db, cid)


def test_a_series_recheck_that_finds_the_series_sends_the_claim_to_a_person(
    world: World, clock, setup, db: Session, session_factory
) -> None:
    # SPEC CLM-F3 CLM-F1 CLM-T2: the re-check records the series' hit on this claim before
    # any payment — the claim is referred or held, never paid automatically.
    cid = make_e_bill_claim(world, clock, setup)
    other = report(world, clock, setup)
    config = checks_repository.current_configs(db)["claim_frequency"]
    hit = CheckHit(
        claim_id=other,
        check_code="claim_frequency",
        config_version=config.version,
        action=config.action,
        reason_zh="同一被保险人短期内多次出险",
        reason_en="The insured claimed often in a short time",
        evidence={"claim_ids": [cid, other]},
        finding_key="series-test",
        data_version="v",
        found_at=utcnow(),
    )
    db.add(hit)
    db.flush()
    series = _queue(db, SERIES, f"{SERIES}:{cid}:{hit.id}", {"claim_id": cid, "hit_id": hit.id})
    _run_job(session_factory, db, _current_run(db, cid).id)
    _not_paid_yet(db, cid)
    _run_job(session_factory, db, series)
    drain(session_factory)
    db.expire_all()
    assert _payments(db, cid) == []
    decision = _decision(db, cid)
    assert decision is not None and decision.outcome == "referred"
    codes = {r["code"] for r in decision.reasons}
    assert codes & {"check_hit:claim_frequency", "fraud_flag"}, codes


def test_a_series_recheck_given_up_sends_the_claim_to_a_person(
    world: World, clock, setup, db: Session, session_factory
) -> None:
    # SPEC CLM-T2 CLM-F3: a re-check that could not run is a check that did not run —
    # a person decides, with the reason, instead of a payment past it.
    cid = make_e_bill_claim(world, clock, setup)
    series = _queue(db, SERIES, f"{SERIES}:{cid}:999999", {"claim_id": cid, "hit_id": 999999})
    db.get_one(Job, series).status = "failed"
    db.commit()
    drain(session_factory)
    db.expire_all()
    assert _payments(db, cid) == []
    decision = _decision(db, cid)
    assert decision is not None and decision.outcome == "referred"
    assert [r["code"] for r in decision.reasons] == ["checks_failed"]
