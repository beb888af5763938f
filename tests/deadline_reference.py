"""The deadline scorecard worked out in Python, clock by clock: the reference the
grouped queries (service.reports.deadlines_report, the dashboards' scorecards) are
compared with (GEN-7). This was deadlines_report itself until it became one GROUP BY;
it stays here, deliberately plain, so a mistake in the SQL's conditions shows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
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
    """Per clock name, branch code and Beijing month of the start: governed, met (stopped
    in time, or paused before its due time), missed (stopped late, or running past due
    at ``now``), pending (the rest), share met — ordered by name, branch, month."""
    start, end = reports.period_bounds(date_from, date_to)
    query = (
        select(
            Clock.name,
            OrgUnit.code,
            Clock.started_at,
            Clock.due_at,
            Clock.stopped_at,
            Clock.paused_at,
        )
        .outerjoin(OrgUnit, OrgUnit.id == Clock.org_unit_id)
        .where(Clock.name.in_(list(names)), Clock.started_at >= start, Clock.started_at < end)
    )
    groups: dict[tuple[str, str | None, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for clock_name, code, started, due, stopped, paused in session.execute(query).all():
        counts = groups[(clock_name, code, reports.month_of(started))]
        counts[0] += 1
        if stopped is not None:
            in_time = stopped <= due or (paused is not None and paused < due)
            counts[1 if in_time else 2] += 1
        elif paused is None and due < now:
            counts[2] += 1
        else:
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
            reports.share_met(met, met + missed),
        )
        for (name, branch, month), (governed, met, missed, pending) in sorted(
            groups.items(), key=lambda item: (item[0][0], item[0][1] or "", item[0][2])
        )
    ]
