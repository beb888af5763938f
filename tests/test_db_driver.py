"""Statements of the session's transaction run on its driver cursor (db.run_in_transaction,
db.select_in_transaction; the report's path, issue 14): in the same transaction, seen by
the cursor listeners (Server-Timing, statement counts), errors raised as SQLAlchemy
raises them, values processed as a session's execute processes them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import bindparam, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claimdesk.db import run_in_transaction, select_in_transaction
from claimdesk.models.job import Job

RUN_AT = dt.datetime(2026, 9, 28, 2, 0, tzinfo=dt.UTC)


def _job(key: str) -> Job:
    return Job(
        kind="test.driver",
        payload="{}",
        status="queued",
        run_at=RUN_AT,
        attempts=0,
        transient_retries=0,
        max_attempts=5,
        dedupe_key=key,
        created_at=RUN_AT,
    )


_BY_KEY = select(Job.id, Job.kind, Job.run_at).where(Job.dedupe_key == bindparam("key"))


def test_a_select_on_the_driver_sees_the_transaction_and_is_counted(db: Session) -> None:
    # SPEC GEN-2: an instant read on the driver comes back aware, in UTC, as through the
    # session; the row flushed (not committed) in this transaction is seen.
    job = _job("driver:seen")
    db.add(job)
    db.flush()
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    connection = db.connection()
    event.listen(connection, "before_cursor_execute", count)
    try:
        rows = select_in_transaction(db, _BY_KEY, {"key": "driver:seen"})
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert rows == [tuple(db.execute(_BY_KEY, {"key": "driver:seen"}).one())]
    assert rows == [(job.id, "test.driver", RUN_AT)]
    assert rows[0][2].utcoffset() == dt.timedelta(0)
    assert len(seen) == 1 and "dedupe_key" in seen[0]
    assert select_in_transaction(db, _BY_KEY, {"key": "driver:none"}) == []


def test_a_driver_error_is_sqlalchemys_and_the_transaction_rolls_back(db: Session) -> None:
    # SPEC GEN-6: a statement refused on the driver raises SQLAlchemy's IntegrityError
    # (what callers catch), and the rollback leaves nothing half-written.
    db.add(_job("driver:twice"))
    db.commit()
    connection = db.connection()
    sql = str(select(Job.id).compile(dialect=connection.dialect))
    assert run_in_transaction(connection, sql, {}) != []
    insert = (
        "INSERT INTO jobs (kind, payload, status, run_at, attempts, transient_retries,"
        " max_attempts, dedupe_key, created_at) SELECT kind, payload, status, run_at,"
        " attempts, transient_retries, max_attempts, dedupe_key, created_at FROM jobs"
        " WHERE dedupe_key = 'driver:twice'"
    )
    with pytest.raises(IntegrityError):
        run_in_transaction(db.connection(), insert, {}, fetch=False)
    db.rollback()
    keys = db.scalars(select(Job.dedupe_key).where(Job.kind == "test.driver")).all()
    assert keys == ["driver:twice"]
