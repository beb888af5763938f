"""Report and incident numbers come from a per-day PostgreSQL sequence: unique and
readable (BA + yyyymmdd + 6 digits), and no lock is held until commit (CLM-R3, issue 14).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.claims.intake.report import next_number
from claimdesk.db import make_engine, unit_of_work
from claimdesk.security.service import next_number as next_incident_number
from tests.waits import wait_until

DAY = dt.date(2026, 10, 2)
PROCESSES = 4
PER_PROCESS = 40
START_SECONDS = 120.0  # for the processes to import and connect, on a loaded box too


def _take_numbers(url: str, count: int, ready: Any, start: Any, out: Any) -> None:
    """One reporter process: connected, it says so on ``ready`` and waits for ``start``;
    then ``count`` numbers, each in its own committed transaction."""
    engine = make_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))  # connected: the pool keeps this connection
    with ready.get_lock():
        ready.value += 1
    start.wait(START_SECONDS)
    numbers = []
    for _ in range(count):
        with unit_of_work(factory) as session:
            numbers.append(next_number(session, DAY))
    engine.dispose()
    out.put(numbers)


def _waiting_sessions(engine: Any) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE NOT l.granted AND a.datname = current_database()"
                )
            ).scalar_one()
        )


@pytest.mark.postgres_only
def test_four_processes_get_unique_numbers_without_waiting(fresh_db_url: str) -> None:
    # SPEC CLM-R3
    engine = make_engine(fresh_db_url)
    with unit_of_work(sessionmaker(bind=engine)) as session:
        first = next_number(session, DAY)  # the day's sequence exists before the burst
    context = multiprocessing.get_context("spawn")
    ready, start, out = context.Value("i", 0), context.Event(), context.Queue()
    workers = [
        # Daemons: one left stuck is ended when the test process exits, not waited for.
        context.Process(
            target=_take_numbers,
            args=(fresh_db_url, PER_PROCESS, ready, start, out),
            daemon=True,
        )
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    # All at once only when every process has imported and connected: a fixed second was
    # not enough on a loaded box, and the numbers were then taken one process after another.
    assert wait_until(
        lambda: ready.value == PROCESSES or not all(w.is_alive() for w in workers),
        START_SECONDS,
    ), f"{ready.value} of {PROCESSES} reporter processes connected within {START_SECONDS:.0f} s"
    assert ready.value == PROCESSES, "a reporter process died before it connected"
    start.set()
    waiting = []
    deadline = time.monotonic() + 120  # a worker stuck on a lock fails the test, not hangs it
    while (
        any(worker.is_alive() for worker in workers)
        and out.qsize() < PROCESSES
        and time.monotonic() < deadline
    ):
        waiting.append(_waiting_sessions(engine))
        time.sleep(0.005)
    numbers = [n for _ in workers for n in out.get(timeout=120)]
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0
    engine.dispose()
    total = PROCESSES * PER_PROCESS
    assert first == "BA20261002000001"
    assert len(set(numbers)) == total  # unique across processes
    # All present: nothing rolled back here, so the day has no gap either.
    assert sorted(numbers) == [f"BA20261002{i:06d}" for i in range(2, total + 2)]
    # No session of this database ever waited on a lock while the reports were numbered.
    assert waiting and max(waiting) == 0


def _open_session(url: str) -> tuple[Any, Session]:
    engine = make_engine(url)
    return engine, sessionmaker(bind=engine, expire_on_commit=False)()


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    ("numbering", "shape"),
    [(next_number, "BA20261002{:06d}"), (next_incident_number, "SI20261002{:04d}")],
)
def test_number_taken_in_an_open_transaction_blocks_no_one(
    fresh_db_url: str, numbering: Callable[..., str], shape: str
) -> None:
    # SPEC CLM-R3 (report numbers; the incident numbers share the mechanism)
    engine_a, holder = _open_session(fresh_db_url)
    engine_b, other = _open_session(fresh_db_url)
    try:
        with unit_of_work(sessionmaker(bind=engine_a)) as session:
            assert numbering(session, day=DAY) == shape.format(1)
        assert numbering(holder, day=DAY) == shape.format(2)  # transaction stays open
        other.execute(text("SET LOCAL lock_timeout = '500ms'"))
        # Under the old per-day row this waited for the holder's commit and timed out.
        assert numbering(other, day=DAY) == shape.format(3)
        other.commit()
        holder.rollback()  # number 2 is a gap now: documented, never reused
        with unit_of_work(sessionmaker(bind=engine_b)) as session:
            assert numbering(session, day=DAY) == shape.format(4)
    finally:
        holder.close()
        other.close()
        engine_a.dispose()
        engine_b.dispose()


@pytest.mark.postgres_only
def test_day_sequence_starts_after_numbers_already_issued(fresh_db_url: str) -> None:
    # SPEC CLM-R3: after a restore (sequences are not in a backup) or numbers from the
    # old per-day row, the day's sequence starts above every number in use.
    engine = make_engine(fresh_db_url)
    factory = sessionmaker(bind=engine)
    with unit_of_work(factory) as session:
        session.execute(
            text("INSERT INTO claim_sequences (day, last_value) VALUES (:d, 41)"), {"d": DAY}
        )
    with unit_of_work(factory) as session:
        assert next_number(session, DAY) == "BA20261002000042"
    engine.dispose()


@pytest.mark.sqlite_only
def test_sqlite_keeps_gap_free_numbers(db: Session) -> None:
    # SPEC CLM-R3: SQLite has one writer at a time; its per-day row never has gaps.
    assert db.get_bind().dialect.name == "sqlite"
    assert [next_number(db, DAY) for _ in range(3)] == [
        "BA20261002000001",
        "BA20261002000002",
        "BA20261002000003",
    ]
