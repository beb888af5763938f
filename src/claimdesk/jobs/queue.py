"""A job queue in the database: the only coordination between workers (scale rule).

Any number of worker processes on any number of machines may run ``run_one``; a job is
picked by one of them with ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL) or under
SQLite's write lock, and its handler's work commits in the same transaction that marks
it done — so a job's effects happen exactly once.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, Required, TypedDict, Unpack

from sqlalchemy import CursorResult, Insert, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.audit.service import pending_count, write_pending
from claimdesk.config import get_settings
from claimdesk.db import Deduped
from claimdesk.jobs import repository
from claimdesk.models.base import utcnow
from claimdesk.models.job import Job

log = logging.getLogger(__name__)

MAX_BACKOFF = dt.timedelta(hours=1)


class Handler(Protocol):
    def __call__(self, session: Session, payload: dict[str, Any], *, now: dt.datetime) -> None: ...


@dataclass(frozen=True)
class Periodic:
    kind: str
    every: dt.timedelta


_TASKS: dict[str, Handler] = {}
_PERIODIC: dict[str, Periodic] = {}
# kind → follow-up job kinds run in the same transaction after each done job of kind.
_FOLLOW_UPS: dict[str, list[str]] = {}


def task(kind: str) -> Callable[[Handler], Handler]:
    """Register ``handler(session, payload, *, now)`` for jobs of ``kind``."""

    def decorate(handler: Handler) -> Handler:
        _TASKS[kind] = handler
        return handler

    return decorate


def periodic(kind: str, *, every: dt.timedelta) -> Callable[[Handler], Handler]:
    """Make the workers run ``kind`` once per ``every`` (periods aligned to the epoch).

    Registers the schedule at once, so it works both as a decorator on the handler and
    as a plain call next to an ``@task(kind)`` handler."""
    if every <= dt.timedelta(0):
        raise ValueError("every must be positive")
    _PERIODIC[kind] = Periodic(kind, every)

    def decorate(handler: Handler) -> Handler:
        _TASKS[kind] = handler
        return handler

    return decorate


def follow_up(after: str, *, kind: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` as the task ``kind`` and run it right after every job of
    kind ``after`` that its handler completed, in that job's transaction (a savepoint)
    with that job's payload: work that must follow another job at once costs no second
    job and no wait in the queue. The follow-up reads the first job as done (flushed);
    when that job is given up after its last attempt, the follow-up still runs, in the
    transaction that records the failure, and reads it as failed. If the follow-up
    raises, its savepoint (and its audit entries) are undone, the first job still
    commits, and a ``kind`` job with the same payload is queued instead (retried like
    any job). The follow-up must be idempotent, as any task."""

    def decorate(handler: Handler) -> Handler:
        _TASKS[kind] = handler
        kinds = _FOLLOW_UPS.setdefault(after, [])
        if kind not in kinds:
            kinds.append(kind)
        return handler

    return decorate


def handler_for(kind: str) -> Handler | None:
    return _TASKS.get(kind)


def periodic_tasks() -> list[Periodic]:
    return list(_PERIODIC.values())


def dialect_insert(session: Session, model: type[Any]) -> Insert:
    """INSERT that can say ON CONFLICT DO NOTHING on both databases."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


_DEDUPED: dict[tuple[str, str], Insert] = {}


def insert_deduped(session: Session, model: type[Any]) -> Insert:
    """``INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`` into ``model``'s
    table, built once per dialect: the row's values are bound when it is executed, so a
    call builds no statement and computes no cache key (the report path, issue 14)."""
    dialect = session.get_bind().dialect.name
    found = _DEDUPED.get((dialect, model.__tablename__))
    if found is None:
        table = model.__table__
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        found = (
            insert(table)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(table.c.id)
        )
        _DEDUPED[(dialect, model.__tablename__)] = found
    return found


class JobSpec(TypedDict, total=False):
    """A job to queue: kind and payload are required."""

    kind: Required[str]
    payload: Required[dict[str, Any]]
    run_at: dt.datetime | None
    dedupe_key: str | None
    max_attempts: int


def enqueue(session: Session, **job: Unpack[JobSpec]) -> Job | None:
    """Queue a job in the caller's transaction. With ``dedupe_key``, a second job with
    the same key is not inserted and None is returned."""
    job_id = enqueue_id(session, **job)
    return None if job_id is None else session.get(Job, job_id)


def enqueue_id(session: Session, **job: Unpack[JobSpec]) -> int | None:
    """:func:`enqueue` for a caller that needs no job back (one statement, no read):
    the new job's id, None when ``dedupe_key`` was used before."""
    statement = insert_deduped(session, Job)
    return session.connection().execute(statement, job_row(**job)).scalar_one_or_none()


def job_row(**job: Unpack[JobSpec]) -> dict[str, Any]:
    """The row :func:`enqueue_id` writes for a job (column key → value)."""
    return {
        "kind": job["kind"],
        "payload": json.dumps(job["payload"], ensure_ascii=False, sort_keys=True, default=str),
        "status": "queued",
        "run_at": job.get("run_at") or utcnow(),
        "attempts": 0,
        "transient_retries": 0,
        "max_attempts": job.get("max_attempts", 5),
        "dedupe_key": job.get("dedupe_key"),
        "created_at": utcnow(),
    }


def enqueue_with_audit(session: Session, jobs: Sequence[JobSpec]) -> None:
    """Queue jobs (with their ``dedupe_key``: a key used before is skipped, as
    :func:`enqueue_id` does) in the statement that writes the transaction's pending
    audit entries (audit.service.write_pending), for a ``before_commit`` hook: one round
    trip at commit where there were two (a report's checks job, issue 14). Nothing is
    read back."""
    rows = [job_row(**job) for job in jobs]
    write_pending(session, deduped=Deduped(Job, rows, "dedupe_key"))


def supersede(session: Session, *, kind: str, key_prefix: str, keep: str | None = None) -> int:
    """Delete the queued jobs of ``kind`` whose dedupe key starts with ``key_prefix`` and
    that no worker has taken (a taken one is locked and skipped): for work whose newer
    job makes the older ones pointless (a checks run on data that changed since). In
    the caller's transaction; the job keyed ``keep`` stays. Returns how many went."""
    ids = repository.untaken_jobs(session, kind=kind, key_prefix=key_prefix, keep=keep)
    if ids:
        session.execute(delete(Job).where(Job.id.in_(ids)))
    return len(ids)


def bucket_start(now: dt.datetime, every: dt.timedelta) -> dt.datetime:
    """Start of the period containing ``now``; the same for every worker's clock."""
    seconds = int(every.total_seconds())
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def schedule_periodic(session: Session, *, now: dt.datetime) -> int:
    """Enqueue this period's run of every periodic task; N workers doing this at once
    still insert each run once (the dedupe key names the period)."""
    created = 0
    for item in periodic_tasks():
        start = bucket_start(now, item.every)
        key = f"{item.kind}@{start.strftime('%Y-%m-%dT%H:%M:%SZ')}"
        if enqueue(session, kind=item.kind, payload={}, run_at=start, dedupe_key=key) is not None:
            created += 1
    return created


def backoff(attempts: int) -> dt.timedelta:
    return min(dt.timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass
class KindTimes:
    """What one worker spent per job kind: jobs taken and seconds from pick to commit."""

    jobs: int = 0
    seconds: float = 0.0


def run_one(
    factory: sessionmaker[Session],
    *,
    now: dt.datetime | None = None,
    timings: dict[str, KindTimes] | None = None,
) -> bool:
    """Run the next due job, if any; True when one was taken (done or failed). With
    ``timings``, the job's work time is added to its kind's figures (the worker's
    report, docs/operations.md)."""
    now = now or utcnow()
    session = factory()
    started = time.perf_counter()
    try:
        job = repository.next_due_job(session, now=now)
        if job is None:
            session.rollback()
            return False
        job_id, kind, attempts = job.id, job.kind, job.attempts
        retries = job.transient_retries
        try:
            handler = handler_for(kind)
            if handler is None:
                raise LookupError(f"no handler registered for job kind {kind!r}")
            payload = json.loads(job.payload or "{}")
            handler(session, payload, now=now)
            job.status = "done"
            job.attempts = attempts + 1
            job.finished_at = utcnow()
            job.last_error = None
            if kind in _FOLLOW_UPS:
                session.flush()  # the follow-ups read this job as done
                _follow_up(session, job_id, kind, payload, now, timings)
            session.commit()
        except Exception as error:
            session.rollback()
            message = f"{type(error).__name__}: {error}"
            if transient(error) and retries < transient_limit():
                log.warning("job %s (%s) met a transient error, retried: %s", job_id, kind, error)
                _record_retry(factory, job_id, attempts, retries, message, now)
            else:
                # An ordinary error, or a job that has lost its allowed number of races:
                # the attempt counts, and max_attempts gives it up (status failed).
                log.warning("job %s (%s) failed: %s", job_id, kind, error, exc_info=True)
                _record_failure(factory, job_id, attempts, message, now)
        if timings is not None:
            spent = timings.setdefault(kind, KindTimes())
            spent.jobs += 1
            spent.seconds += time.perf_counter() - started
        return True
    finally:
        session.close()


def _follow_up(
    session: Session,
    job_id: int,
    kind: str,
    payload: dict[str, Any],
    now: dt.datetime,
    timings: dict[str, KindTimes] | None = None,
) -> None:
    """Run the follow-ups of a ``kind`` job; with ``timings``, each one's time is also
    counted apart as ``<follow-up kind>@<kind>`` (it is inside the job's own time)."""
    for follow in _FOLLOW_UPS.get(kind, []):
        handler = _TASKS[follow]
        started = time.perf_counter()
        # An undone savepoint drops the session's buffered audit entries (a rollback
        # event): what the first job recorded is written before the follow-up's.
        if pending_count(session):
            write_pending(session)
        try:
            with session.begin_nested():
                handler(session, payload, now=now)
        except Exception as error:
            log.warning(
                "follow-up %s of job %s failed, queued as a job: %s",
                follow,
                job_id,
                error,
                exc_info=True,
            )
            enqueue(session, kind=follow, payload=payload, dedupe_key=f"{follow}:after:{job_id}")
        if timings is not None:
            spent = timings.setdefault(f"{follow}@{kind}", KindTimes())
            spent.jobs += 1
            spent.seconds += time.perf_counter() - started


# PostgreSQL's deadlock_detected, serialization_failure, lock_not_available: the
# transaction lost a race, not its work; run again, it goes through.
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001", "55P03"})
TRANSIENT_RETRY = dt.timedelta(seconds=1)
MAX_TRANSIENT_BACKOFF = dt.timedelta(minutes=1)


def transient_limit() -> int:
    """How many lost races a job is retried without counting an attempt (configured:
    ``CLAIMDESK_JOB_MAX_TRANSIENT_RETRIES``)."""
    return get_settings().job_max_transient_retries


def transient_backoff(retries: int) -> dt.timedelta:
    """1 s after the first lost race, doubling, at most a minute: two jobs that keep
    meeting each other drift apart instead of meeting again every second."""
    doubled: dt.timedelta = TRANSIENT_RETRY * 2 ** min(retries, 16)
    return min(doubled, MAX_TRANSIENT_BACKOFF)


def transient(error: BaseException) -> bool:
    """Did the job fail only because another transaction was in its way (a deadlock, a
    serialization failure, a lock it could not get, SQLite's busy database)?"""
    if not isinstance(error, DBAPIError):
        return False
    orig = error.orig
    if getattr(orig, "sqlstate", None) in TRANSIENT_SQLSTATES:
        return True
    return isinstance(error, OperationalError) and "database is locked" in str(orig)


def _record_retry(
    factory: sessionmaker[Session],
    job_id: int,
    attempts: int,
    retries: int,
    error: str,
    now: dt.datetime,
) -> None:
    """A transient error: the job stays queued and runs again shortly, its attempt not
    counted — a deadlock is one transaction chosen to give way, and a job must not be
    given up because it lost a few races (the series re-checks of issue 13's bench). The
    lost race is counted apart (``transient_retries``): past ``transient_limit()`` the
    next one counts as an attempt (``run_one``), so a job that can never get through
    ends failed instead of running for ever. The error is kept in last_error. Guarded
    by the counts we saw, so a race to the same job is counted once."""
    with factory() as session, session.begin():
        session.execute(
            update(Job)
            .where(
                Job.id == job_id,
                Job.status == "queued",
                Job.attempts == attempts,
                Job.transient_retries == retries,
            )
            .values(
                transient_retries=retries + 1,
                last_error=error[:4000],
                run_at=now + transient_backoff(retries),
            )
        )


def _record_failure(
    factory: sessionmaker[Session], job_id: int, attempts: int, error: str, now: dt.datetime
) -> None:
    """In a new transaction (the handler's work is rolled back): count the attempt and
    back off, or give up after max_attempts. Guarded by the attempt count we saw, so a
    worker that raced us to the same job never gets its attempt counted twice. A job
    given up still runs its follow-ups (they read its status: failed), so the work
    waiting on it learns that it will not come."""
    with factory() as session, session.begin():
        job = session.get(Job, job_id)
        if job is None:
            return
        failed = attempts + 1 >= job.max_attempts
        counted: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(Job)
            .where(Job.id == job_id, Job.status == "queued", Job.attempts == attempts)
            .values(
                attempts=attempts + 1,
                last_error=error[:4000],
                status="failed" if failed else "queued",
                run_at=now + backoff(attempts + 1),
                finished_at=now if failed else None,
            )
        )
        if failed and counted.rowcount:
            _follow_up(session, job_id, job.kind, json.loads(job.payload or "{}"), now)
