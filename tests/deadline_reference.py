"""The deadline scorecard worked out in Python, clock by clock: the reference the
grouped queries (service.reports.deadlines_report, the dashboards' scorecards) are
compared with (GEN-7). This was deadlines_report itself until it became one GROUP BY;
it stays here, deliberately plain, so a mistake in the SQL's conditions shows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from claimdesk.models.clock import Clock
from claimdesk.models.org import OrgUnit
from claimdesk.service import reports


def reference_deadlines(
    session: Session,
    *,
    date_from: dt.date,
    date_to: dt.date,
    now: dt.datetime,
    names: Sequence[str],
) -> list[reports.DeadlineRow]:
    """Per clock name, branch code and Beijing month of the start: governed, met (its step
    done — closed_reason completed — and stopped in time, or paused before its due
    time), missed (stopped late whatever stopped it, or running past due at ``now``),
    pending (the rest of the governed), ended early (closed in time without its step:
    not governed), share met — ordered by name, branch, month."""
    start, end = reports.period_bounds(date_from, date_to)
    query = (
        select(
            Clock.name,
            OrgUnit.code,
            Clock.started_at,
            Clock.due_at,
            Clock.stopped_at,
            Clock.paused_at,
            Clock.closed_reason,
        )
        .outerjoin(OrgUnit, OrgUnit.id == Clock.org_unit_id)
        .where(Clock.name.in_(list(names)), Clock.started_at >= start, Clock.started_at < end)
    )
    groups: dict[tuple[str, str | None, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for clock_name, code, started, due, stopped, paused, why in session.execute(query).all():
        counts = groups[(clock_name, code, reports.month_of(started))]
        if stopped is not None:
            in_time = stopped <= due or (paused is not None and paused < due)
            if in_time and why not in (None, "completed"):
                counts[4] += 1  # ended early: not governed
                continue
            counts[0] += 1
            counts[1 if in_time else 2] += 1
        elif paused is None and due < now:
            counts[0] += 1
            counts[2] += 1
        else:
            counts[0] += 1
            counts[3] += 1
    return [
        reports.DeadlineRow(
            name,
            branch,
            month,
            governed,
            met,
            missed,
            pending,
            ended,
            reports.share_met(met, met + missed),
        )
        for (name, branch, month), (governed, met, missed, pending, ended) in sorted(
            groups.items(), key=lambda item: (item[0][0], item[0][1] or "", item[0][2])
        )
    ]


def add_clock(
    db: Session,
    name: str,
    unit: int | None,
    started: dt.datetime,
    due: dt.datetime,
    *,
    stopped: dt.datetime | None = None,
    paused: dt.datetime | None = None,
    subject_type: str = "claim",
    closed_reason: str | None = None,
) -> None:
    """A clock as the scorecards count it: its limit, branch, start, due time and, when
    given, when it stopped or paused (no rule applied: the test says the instants) and
    why it stopped (its step done, unless told otherwise)."""
    db.add(
        Clock(
            subject_type=subject_type,
            subject_id="1",
            name=name,
            rule_type="hours",
            rule_n=1,
            org_unit_id=unit,
            started_at=started,
            due_at=due,
            stopped_at=stopped,
            paused_at=paused,
            closed_reason=closed_reason or (None if stopped is None else "completed"),
        )
    )


@contextmanager
def statements_run(db: Session) -> Iterator[list[str]]:
    """The SQL statements sent on the test's connection inside the block."""
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, sql: str, *_: object) -> None:
        statements.append(sql)

    connection = db.connection()
    event.listen(connection, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", seen)
