"""The job queue: dedupe, exactly-once runs, retries with backoff, periodic scheduling.
# SPEC CLM-P5 (exactly once), SEC-3, GEN-5"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import Counter

import pytest
from psycopg.errors import DeadlockDetected, LockNotAvailable
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.config import reset_settings_cache
from claimdesk.db import make_engine, unit_of_work
from claimdesk.jobs import worker
from claimdesk.jobs.outbox import send_message
from claimdesk.jobs.queue import (
    KindTimes,
    bucket_start,
    enqueue,
    follow_up,
    periodic,
    run_one,
    schedule_periodic,
    task,
    transient,
    transient_backoff,
)
from claimdesk.jobs.worker import run_worker
from claimdesk.models.audit import AuditEntry
from claimdesk.models.base import utcnow
from claimdesk.models.job import Job, OutboxMessage
from tests.waits import run_in_threads

SYSTEM = Principal.system("test-worker")


@task("test.audit_once")
def _audit_once(session, payload, *, now):
    record(
        session, actor=SYSTEM, action="test.handled", entity_type="job_test", entity_id=payload["n"]
    )


@task("test.fail_after_work")
def _fail_after_work(session, payload, *, now):
    # Work that must be rolled back with the failure.
    send_message(session, channel="sms", recipient="13900000000", template="t", body="x")
    record(session, actor=SYSTEM, action="test.half_done", entity_type="job_test")
    session.flush()
    raise RuntimeError("gateway down")


@task("test.first")
def _first(session, payload, *, now):
    if payload.get("fail"):
        raise RuntimeError("first failed")
    record(
        session, actor=SYSTEM, action="test.first", entity_type="job_test", entity_id=payload["n"]
    )


@follow_up("test.first", kind="test.second")
def _second(session, payload, *, now):
    # The follow-up sees the first job as this transaction left it (done, or failed).
    status = session.scalar(select(Job.status).where(Job.dedupe_key == f"first:{payload['n']}"))
    record(
        session,
        actor=SYSTEM,
        action="test.second",
        entity_type="job_test",
        entity_id=payload["n"],
        details={"first": status},
    )
    session.flush()
    if payload.get("second_fails"):
        raise RuntimeError("second failed")


@periodic("test.tick", every=dt.timedelta(minutes=10))
def _tick(session, payload, *, now):
    pass


@pytest.fixture
def factory(fresh_db_url):
    engine = make_engine(fresh_db_url)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


def test_dedupe_key_inserts_once(db):  # SPEC CLM-P5
    first = enqueue(db, kind="test.audit_once", payload={"n": 1}, dedupe_key="renewal:term-7")
    again = enqueue(db, kind="test.audit_once", payload={"n": 2}, dedupe_key="renewal:term-7")
    plain = enqueue(db, kind="test.audit_once", payload={"n": 3})
    assert first is not None and first.status == "queued" and first.attempts == 0
    assert again is None
    assert plain is not None and plain.id != first.id
    jobs = db.scalars(select(Job).order_by(Job.id)).all()
    assert [j.payload for j in jobs] == ['{"n": 1}', '{"n": 3}']


def test_run_one_commits_handler_work_and_marks_done(factory):  # SPEC GEN-5
    with unit_of_work(factory) as session:
        job_id = enqueue(session, kind="test.audit_once", payload={"n": 5}).id
    assert run_one(factory) is True
    assert run_one(factory) is False  # nothing else due
    with factory() as session:
        job = session.get(Job, job_id)
        assert (job.status, job.attempts, job.last_error) == ("done", 1, None)
        assert job.finished_at is not None
        entries = session.scalars(select(AuditEntry)).all()
        assert [(e.action, e.entity_id, e.actor) for e in entries] == [
            ("test.handled", "5", "test-worker")
        ]


def test_future_job_waits_for_its_time(factory):
    later = utcnow() + dt.timedelta(hours=1)
    with unit_of_work(factory) as session:
        enqueue(session, kind="test.audit_once", payload={"n": 1}, run_at=later)
    assert run_one(factory) is False
    assert run_one(factory, now=later + dt.timedelta(seconds=1)) is True


def test_failure_rolls_back_work_then_backs_off_and_gives_up(factory):  # SPEC GEN-5
    with unit_of_work(factory) as session:
        job_id = enqueue(session, kind="test.fail_after_work", payload={}, max_attempts=3).id
    now = utcnow()
    assert run_one(factory, now=now) is True
    with factory() as session:
        job = session.get(Job, job_id)
        assert (job.status, job.attempts) == ("queued", 1)
        assert "RuntimeError: gateway down" in job.last_error
        assert job.run_at >= now + dt.timedelta(seconds=30)
        # The handler's message and audit entry went with the rollback.
        assert session.scalars(select(OutboxMessage)).all() == []
        assert session.scalars(select(AuditEntry)).all() == []
    assert run_one(factory, now=now) is False  # backing off
    for step in (1, 2):
        assert run_one(factory, now=now + dt.timedelta(hours=step)) is True
    with factory() as session:
        job = session.get(Job, job_id)
        assert (job.status, job.attempts) == ("failed", 3)
        assert job.finished_at is not None
    assert run_one(factory, now=now + dt.timedelta(hours=5)) is False


def test_unknown_kind_is_recorded_not_crashing(factory):
    with unit_of_work(factory) as session:
        job_id = enqueue(session, kind="test.nobody_handles_this", payload={}).id
    assert run_one(factory) is True
    with factory() as session:
        assert "no handler registered" in session.get(Job, job_id).last_error


def test_periodic_run_is_scheduled_once_per_period(factory):  # SPEC SEC-3
    now = dt.datetime(2026, 3, 2, 8, 7, 30, tzinfo=dt.UTC)
    start = bucket_start(now, dt.timedelta(minutes=10))
    assert start == dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    for _ in range(3):  # three workers wake up in the same period
        with unit_of_work(factory) as session:
            schedule_periodic(session, now=now)
    with unit_of_work(factory) as session:
        schedule_periodic(session, now=now + dt.timedelta(minutes=10))
    with factory() as session:
        keys = session.scalars(
            select(Job.dedupe_key).where(Job.kind == "test.tick").order_by(Job.id)
        ).all()
    assert keys == ["test.tick@2026-03-02T08:00:00Z", "test.tick@2026-03-02T08:10:00Z"]


def test_worker_runs_daily_audit_verification(factory):  # SPEC SEC-3, GEN-5
    with unit_of_work(factory) as session:
        record(session, actor=SYSTEM, action="test.before", entity_type="job_test")
    stats = run_worker(factory, stop_after=1, poll_interval=0)
    assert stats.loops == 1 and stats.jobs >= 1
    with factory() as session:
        job = session.scalars(select(Job).where(Job.kind == "audit.verify")).one()
        assert job.status == "done"
        verified = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "audit.verified")
        ).one()
        result = json.loads(verified.details)
        assert result["ok"] is True and result["entries_checked"] >= 1
        assert result["first_broken_seq"] is None


def test_an_idle_worker_schedules_periodic_runs_once_per_interval(factory, monkeypatch):
    # SPEC CLM-T2 (latency): an idle worker polling every 0.1 s must not send the
    # periodic tasks' INSERTs on every loop (a hundred statements a second per worker,
    # competing with the jobs in issue 13's benchmark).
    calls = []
    real = worker.schedule_periodic

    def counted(session, *, now):
        calls.append(now)
        return real(session, now=now)

    monkeypatch.setattr(worker, "schedule_periodic", counted)
    monkeypatch.setattr(worker, "SCHEDULE_EVERY", 3600.0)
    stats = run_worker(factory, stop_after=4, poll_interval=0.01)
    assert stats.loops == 4 and len(calls) == 1
    monkeypatch.setattr(worker, "SCHEDULE_EVERY", 0.0)
    run_worker(factory, stop_after=3, poll_interval=0.01)
    assert len(calls) == 4


class _NoTimedWait(threading.Event):
    """A stop event that refuses a timed wait: under a faked date (faketime '2028-12-22
    10:00:00') ``Event.wait(t)`` never times out, so a worker relying on it never polls
    again."""

    def wait(self, timeout: float | None = None) -> bool:
        raise AssertionError(f"timed Event.wait({timeout}) never times out under faketime")


def test_an_idle_worker_polls_again_without_a_timed_wait(factory, monkeypatch):
    # SPEC GEN-3 (no behaviour depends on today's date), CLM-P5: nothing to do (no periodic
    # runs either), three loops with a poll interval's wait between them, then a job
    # queued meanwhile is taken
    monkeypatch.setattr(worker, "schedule_periodic", lambda session, *, now: None)
    stop = _NoTimedWait()
    started = time.monotonic()
    stats = run_worker(factory, stop_after=3, poll_interval=0.05, stop=stop)
    assert stats.loops == 3 and stats.jobs == 0
    assert time.monotonic() - started >= 0.1  # it did wait between polls
    with unit_of_work(factory) as session:
        enqueue(session, kind="test.audit_once", payload={"n": 1})
    assert run_worker(factory, stop_after=1, poll_interval=0.05, stop=stop).jobs == 1


def test_a_stop_ends_an_idle_wait_at_once():
    # SPEC GEN-3: the idle wait checks the stop event between its short sleeps
    stop = _NoTimedWait()
    stop.set()
    started = time.monotonic()
    worker._idle(stop, 60.0)
    assert time.monotonic() - started < 5.0


@pytest.mark.postgres_only
def test_two_workers_handle_each_of_200_jobs_exactly_once(factory):  # SPEC CLM-P5
    with unit_of_work(factory) as session:
        for n in range(200):
            enqueue(session, kind="test.audit_once", payload={"n": n})
    results = []

    def work():
        results.append(run_worker(factory, stop_after=1, poll_interval=0))

    run_in_threads([work, work])
    test_jobs = 200
    assert sum(r.jobs for r in results) >= test_jobs  # plus any periodic runs
    with factory() as session:
        handled = Counter(
            session.scalars(
                select(AuditEntry.entity_id).where(AuditEntry.action == "test.handled")
            ).all()
        )
        statuses = Counter(
            session.scalars(select(Job.status).where(Job.kind == "test.audit_once")).all()
        )
        attempts = set(
            session.scalars(select(Job.attempts).where(Job.kind == "test.audit_once")).all()
        )
    assert len(handled) == test_jobs and set(handled.values()) == {1}
    assert statuses == {"done": test_jobs} and attempts == {1}


def _queue_first(factory, payload, *, max_attempts=5):
    with unit_of_work(factory) as session:
        enqueue(
            session,
            kind="test.first",
            payload=payload,
            dedupe_key=f"first:{payload['n']}",
            max_attempts=max_attempts,
        )


def _actions(session):
    return [
        (e.action, e.entity_id, json.loads(e.details or "{}").get("first"))
        for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))
    ]


def test_follow_up_runs_in_the_same_job_and_transaction(factory):
    # SPEC CLM-T2: work that must follow a job at once (the automatic look after the
    # checks) costs no second job: it commits with the first, which it reads as done.
    _queue_first(factory, {"n": 1})
    timings: dict[str, KindTimes] = {}
    assert run_one(factory, timings=timings) is True
    assert run_one(factory) is False  # nothing was queued for the follow-up
    with factory() as session:
        assert _actions(session) == [("test.first", "1", None), ("test.second", "1", "done")]
        assert [j.kind for j in session.scalars(select(Job))] == ["test.first"]
    assert timings["test.first"].jobs == 1 and timings["test.first"].seconds > 0
    # The follow-up's time is also counted apart (it is inside the first job's).
    assert timings["test.second@test.first"].jobs == 1


def test_a_failing_follow_up_is_undone_and_queued_as_its_own_job(factory):
    # SPEC CLM-T2, GEN-5: the first job's work stands; the follow-up's is undone (its
    # audit entry with it) and retried as a job of its own kind.
    _queue_first(factory, {"n": 2, "second_fails": True})
    assert run_one(factory) is True
    with factory() as session:
        jobs = session.scalars(select(Job).order_by(Job.id)).all()
        assert [(j.kind, j.status) for j in jobs] == [
            ("test.first", "done"),
            ("test.second", "queued"),
        ]
        assert json.loads(jobs[1].payload) == {"n": 2, "second_fails": True}
        assert [a for a, _e, _f in _actions(session)] == ["test.first"]


def test_a_job_given_up_still_runs_its_follow_up(factory):
    # SPEC CLM-T2: what waits on a job learns that it failed for good (the automatic
    # path refers the claim when its checks cannot run).
    _queue_first(factory, {"n": 3, "fail": True}, max_attempts=2)
    now = utcnow()
    assert run_one(factory, now=now) is True
    with factory() as session:
        assert _actions(session) == []  # a retry is coming: nothing follows yet
    assert run_one(factory, now=now + dt.timedelta(hours=1)) is True
    with factory() as session:
        assert session.scalar(select(Job.status).where(Job.kind == "test.first")) == "failed"
        assert _actions(session) == [("test.second", "3", "failed")]


class _Deadlock(Exception):
    sqlstate = "40P01"  # what psycopg's DeadlockDetected carries


_LOST_RACES: list[int] = []


@task("test.loses_a_race")
def _loses_a_race(session, payload, *, now):
    record(session, actor=SYSTEM, action="test.raced", entity_type="job_test")
    session.flush()
    if len(_LOST_RACES) < payload["losses"]:
        _LOST_RACES.append(1)
        raise OperationalError("SELECT … FOR UPDATE", {}, _Deadlock("deadlock detected"))


def test_a_deadlock_is_retried_not_counted_as_a_failure(factory):
    # SPEC GEN-5 CLM-F3: a deadlock picks one transaction to give way; its job runs again
    # soon (1 s, then doubling), its work undone, its attempt not counted — the lost
    # races are counted apart.
    _LOST_RACES.clear()
    with unit_of_work(factory) as session:
        job_id = enqueue(
            session, kind="test.loses_a_race", payload={"losses": 3}, max_attempts=1
        ).id
    now = utcnow()
    at = now
    for step in range(3):
        assert run_one(factory, now=at) is True
        with factory() as session:
            job = session.get(Job, job_id)
            assert (job.status, job.attempts, job.transient_retries) == ("queued", 0, step + 1)
            assert "deadlock detected" in job.last_error
            assert job.run_at == at + dt.timedelta(seconds=2**step)
            assert session.scalars(select(AuditEntry)).all() == []  # rolled back
            at = job.run_at
    assert run_one(factory, now=at) is True
    with factory() as session:
        job = session.get(Job, job_id)
        assert (job.status, job.attempts, job.last_error) == ("done", 1, None)
        assert [e.action for e in session.scalars(select(AuditEntry))] == ["test.raced"]


@task("test.always_deadlocks")
def _always_deadlocks(session, payload, *, now):
    record(session, actor=SYSTEM, action="test.raced", entity_type="job_test")
    session.flush()
    errors = {"deadlock": DeadlockDetected, "lock_timeout": LockNotAvailable}
    raise OperationalError("UPDATE claims …", {}, errors[payload["error"]]("lost"))


@follow_up("test.always_deadlocks", kind="test.after_deadlocks")
def _after_deadlocks(session, payload, *, now):
    status = session.scalar(select(Job.status).where(Job.kind == "test.always_deadlocks"))
    record(
        session,
        actor=SYSTEM,
        action="test.after_deadlocks",
        entity_type="job_test",
        details={"first": status},
    )


@pytest.fixture
def transient_retries(monkeypatch):
    """Set CLAIMDESK_JOB_MAX_TRANSIENT_RETRIES for one test."""

    def configure(limit: int) -> None:
        monkeypatch.setenv("CLAIMDESK_JOB_MAX_TRANSIENT_RETRIES", str(limit))
        reset_settings_cache()

    yield configure
    monkeypatch.delenv("CLAIMDESK_JOB_MAX_TRANSIENT_RETRIES", raising=False)
    reset_settings_cache()


def _run_until_idle(factory, job_id, *, limit=100):
    """Run the job each time it is due (its own run_at); the runs it took."""
    runs = 0
    while runs < limit:
        with factory() as session:
            job = session.get(Job, job_id)
            if job.status != "queued":
                return runs
            due = job.run_at
        assert run_one(factory, now=due) is True
        runs += 1
    raise AssertionError(f"job {job_id} still queued after {limit} runs")


@pytest.mark.parametrize("error", ["deadlock", "lock_timeout"])
def test_a_job_that_always_loses_its_race_is_given_up_after_its_retries(
    factory, transient_retries, error
):
    # SPEC GEN-5: bounded — 3 lost races retried apart, then each counts as an attempt,
    # and after max_attempts the job is failed (visible, its follow-up told) with the
    # error kept, instead of running for ever.
    transient_retries(3)
    with unit_of_work(factory) as session:
        job_id = enqueue(
            session, kind="test.always_deadlocks", payload={"error": error}, max_attempts=2
        ).id
    assert _run_until_idle(factory, job_id) == 3 + 2
    with factory() as session:
        job = session.get(Job, job_id)
        assert (job.status, job.attempts, job.transient_retries) == ("failed", 2, 3)
        assert job.finished_at is not None and "lost" in job.last_error
        assert "OperationalError" in job.last_error
        entries = session.scalars(select(AuditEntry)).all()
        # Every run's own work rolled back; the follow-up read the failure.
        assert [(e.action, json.loads(e.details)) for e in entries] == [
            ("test.after_deadlocks", {"first": "failed"})
        ]
    assert run_one(factory, now=utcnow() + dt.timedelta(days=30)) is False


def test_lost_races_back_off_and_the_count_is_configurable(factory, transient_retries):
    # SPEC GEN-5: 0 allowed — the first lost race counts as an attempt, with the
    # ordinary backoff (30 s); the transient backoff doubles and stops at a minute.
    transient_retries(0)
    with unit_of_work(factory) as session:
        job_id = enqueue(
            session, kind="test.always_deadlocks", payload={"error": "deadlock"}, max_attempts=5
        ).id
    now = utcnow()
    assert run_one(factory, now=now) is True
    with factory() as session:
        job = session.get(Job, job_id)
        assert (job.status, job.attempts, job.transient_retries) == ("queued", 1, 0)
        assert job.run_at == now + dt.timedelta(seconds=30)
    assert [transient_backoff(n).total_seconds() for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert transient_backoff(10_000) == dt.timedelta(minutes=1)


def test_an_ordinary_error_is_not_taken_for_a_transient_one():  # SPEC GEN-5
    assert transient(OperationalError("x", {}, _Deadlock("deadlock detected")))
    assert not transient(OperationalError("x", {}, RuntimeError("no such table: jobs")))
    assert not transient(RuntimeError("gateway down"))
