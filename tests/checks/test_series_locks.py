"""Two checks runs on two claims of one series at once, on PostgreSQL with real commits:
each holds its own claim and never waits for the other's, so neither deadlocks; a series
claim held elsewhere is re-checked by a job of its own — nothing lost, nothing twice
(SPEC CLM-F3, CLM-F1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.checks import repository, service
from claimdesk.checks.schemas import CheckConfigIn
from claimdesk.db import make_engine
from claimdesk.jobs.queue import run_one
from claimdesk.jobs.worker import load_task_modules
from claimdesk.models.check import CheckHit
from claimdesk.models.claim import Claim, FraudFlag
from claimdesk.models.job import Job
from tests.builders import demo_version, issue_policy, make_person, resident_id
from tests.checks.helpers import report
from tests.claims.helpers import FrozenClock, World, build_world, local
from tests.waits import Rendezvous, run_in_threads

pytestmark = pytest.mark.postgres_only

ORGANISER = "13799990000"  # a ring's phone, on every claim and nobody's record


@pytest.fixture
def factory(fresh_db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(fresh_db_url)
    load_task_modules()
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


def _ring_of_two(factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Two unrelated insureds' claims with the organiser's phone as contact, shared_contact
    the only check (hold); no job queued."""
    from claimdesk.app import create_app

    FrozenClock(monkeypatch, local("2026-06-10T10:00:00"))
    with TestClient(create_app(factory=factory), raise_server_exceptions=False) as client:
        db = factory()
        world: World = build_world(db, client)
        actor = service.system_actor()
        for row in service.configs(db):
            service.update_config(
                db,
                actor=actor,
                code=row.code,
                data=CheckConfigIn(
                    enabled=row.code == "shared_contact",
                    action="hold",
                    parameters={} if row.code == "shared_contact" else row.parameters,
                    reason="test set-up",
                ),
            )
        db.commit()
        ids = []
        for n in (1, 2):
            person = make_person(
                db,
                name=f"路人{n}",
                id_number=resident_id(birth="19750101", seq=f"7{n:02d}"),
                phone=f"137000000{n:02d}",
            )
            policy = issue_policy(
                db, version_id=demo_version(db, "MED-MILLION").id, policyholder_id=person.id
            )
            db.commit()
            ids.append(report(world, policy_number=policy.number, phone=ORGANISER)["id"])
        db.execute(delete(Job))  # the runs are started by hand below
        db.commit()
        db.close()
    return ids


def _hits(session: Session, claim_id: int) -> list[CheckHit]:
    return list(session.scalars(select(CheckHit).where(CheckHit.claim_id == claim_id)))


def _drain(factory: sessionmaker[Session]) -> None:
    while run_one(factory):
        pass


def test_two_runs_on_one_series_at_once_both_finish(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
):  # SPEC CLM-F3 CLM-F1
    first, second = _ring_of_two(factory, monkeypatch)
    # Each run has locked its own claim before either looks at the other's: the order in
    # which the bench's stream deadlocked (job A holds X and re-checks Y, B holds Y…).
    both_locked = Rendezvous(2, seconds=30)
    gather = repository.gather

    def gather_when_both_locked(session: Session, *, claim: Claim) -> Any:
        both_locked.wait()
        return gather(session, claim=claim)

    monkeypatch.setattr(repository, "gather", gather_when_both_locked)
    errors: list[BaseException] = []

    def run(claim_id: int) -> None:
        with factory() as session:
            try:
                # The old code waited here for the other's claim; fail rather than hang.
                session.execute(text("SET LOCAL lock_timeout = '20s'"))
                service.run_checks(session, claim_id=claim_id, actor=service.system_actor())
                session.commit()
            except BaseException as error:  # reported by the assertion below
                errors.append(error)

    run_in_threads([lambda: run(first), lambda: run(second)])
    assert errors == []
    monkeypatch.setattr(repository, "gather", gather)
    with factory() as session:
        deferred = session.scalars(select(Job).where(Job.kind == service.SERIES_JOB_KIND)).all()
    # The first to look found the other's claim held and left its series re-check to a
    # job; the second may find the first committed (and its own hit there: skipped).
    named = [int(j.dedupe_key.split(":")[1]) for j in deferred]
    assert 1 <= len(named) <= 2 and set(named) <= {first, second}
    _drain(factory)
    with factory() as session:
        for cid, other in ((first, second), (second, first)):
            hits = _hits(session, cid)
            # Its own hit, once: the deferred re-check found it and added nothing.
            assert [(h.check_code, h.evidence["claim_ids"]) for h in hits] == [
                ("shared_contact", [other])
            ]
            assert "series_of" not in hits[0].evidence
            assert session.get_one(Claim, cid).state == "suspended"
            flags = session.scalars(select(FraudFlag).where(FraudFlag.claim_id == cid)).all()
            assert len(flags) == 1
        statuses = session.scalars(
            select(Job.status).where(Job.kind == service.SERIES_JOB_KIND)
        ).all()
        assert statuses == ["done"] * len(named)


def test_a_series_claim_held_elsewhere_is_rechecked_by_its_own_job(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
):  # SPEC CLM-F3 CLM-F1: nothing lost, nothing twice
    first, second = _ring_of_two(factory, monkeypatch)
    with factory() as session:
        # The first claim's own run, before the second reached the ring's phone, found
        # nothing: it stands for that run — no hit on the first claim yet.
        holder = factory()
        holder.execute(select(Claim).where(Claim.id == first).with_for_update())
        try:
            session.execute(text("SET LOCAL lock_timeout = '20s'"))
            result = service.run_checks(session, claim_id=second, actor=service.system_actor())
            session.commit()
        finally:
            holder.rollback()
            holder.close()
    assert [h.check_code for h in result.new_hits] == ["shared_contact"] and result.held
    with factory() as session:
        assert _hits(session, first) == []  # not waited for, not lost:
        job = session.scalars(select(Job).where(Job.kind == service.SERIES_JOB_KIND)).one()
        assert job.status == "queued"
        assert (job.dedupe_key, job.payload) == (
            f"{service.SERIES_JOB_KIND}:{first}:{result.new_hits[0].id}",
            f'{{"claim_id": {first}, "hit_id": {result.new_hits[0].id}}}',
        )
    _drain(factory)
    with factory() as session:
        hits = _hits(session, first)
        assert len(hits) == 1 and hits[0].evidence["series_of"] == "shared_contact"
        assert hits[0].evidence["found_on_claim_id"] == second
        assert hits[0].evidence["after_decision"] is False
        assert session.get_one(Claim, first).state == "suspended"
        # Run again (a retried job): the series is recorded once.
        hit_id = result.new_hits[0].id
        assert not service.recheck_series_later(
            session, claim_id=first, hit_id=hit_id, actor=service.system_actor()
        )
        session.commit()
        assert len(_hits(session, first)) == 1
        assert len(session.scalars(select(FraudFlag).where(FraudFlag.claim_id == first)).all()) == 1


def test_a_copy_held_elsewhere_gets_its_checks_run_by_a_job(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
):  # SPEC CLM-F3 CLM-F1: the original's run passes the hit on without waiting for the copy
    from claimdesk.checks import receipts
    from tests.checks.helpers import ReceiptBook

    original, copy = _ring_of_two(factory, monkeypatch)  # reported in this order
    book = ReceiptBook()
    receipts.register_receipt_source(book)
    try:
        with factory() as session:
            for row in service.configs(session):
                service.update_config(
                    session,
                    actor=service.system_actor(),
                    code=row.code,
                    data=CheckConfigIn(
                        enabled=row.code == "duplicate_receipt",
                        action="hold",
                        parameters={} if row.code == "duplicate_receipt" else row.parameters,
                        reason="test set-up",
                    ),
                )
            session.commit()
        book.add(claim_id=original, number="0000000042")  # billed first too
        book.add(claim_id=copy, number="0000000042")
        with factory() as session:
            holder = factory()
            holder.execute(select(Claim).where(Claim.id == copy).with_for_update())
            try:
                session.execute(text("SET LOCAL lock_timeout = '20s'"))
                result = service.run_checks(
                    session, claim_id=original, actor=service.system_actor()
                )
                session.commit()
            finally:
                holder.rollback()
                holder.close()
        assert result.new_hits == [] and not result.held  # the original goes on
        with factory() as session:
            assert _hits(session, copy) == []
            job = session.scalars(
                select(Job).where(Job.dedupe_key.like(f"checks.run:{copy}:copy_of:{original}:%"))
            ).one()
            assert json_payload(job) == {"claim_id": copy}
        _drain(factory)
        with factory() as session:
            [hit] = _hits(session, copy)
            assert hit.check_code == "duplicate_receipt"
            assert hit.evidence["other_claim_ids"] == [original]
            assert session.get_one(Claim, copy).state == "suspended"
            assert _hits(session, original) == []
            assert session.get_one(Claim, original).state != "suspended"
    finally:
        receipts.register_receipt_source(None)


def json_payload(job: Job) -> Any:
    import json

    return json.loads(job.payload)
