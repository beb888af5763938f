"""Service scorecard (GEN-7 for SVC-3..SVC-5): complaints by cause, type, channel and
month with the trend; satisfaction by service type and dimension; the share of each
service deadline met, by branch and month.

Months are Asia/Shanghai months (GEN-2). Rows are grouped in Python from narrow
column selections, so SQLite and PostgreSQL give the same figures; averages are exact
decimals rounded half-up to 0.01 once, at the end (GEN-1 style).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.clock import Clock
from claimdesk.models.org import OrgUnit
from claimdesk.models.service import Complaint, SatisfactionSurvey
from claimdesk.rules.deadlines import LOCAL_TZ, to_local
from claimdesk.service.errors import TextRequired
from claimdesk.service.service import SERVICE_CLOCKS

CENT = Decimal("0.01")
DIMENSIONS = {
    "speed": SatisfactionSurvey.score_speed,
    "attitude": SatisfactionSurvey.score_attitude,
    "result": SatisfactionSurvey.score_result,
    "process": SatisfactionSurvey.score_process,
    "value_added": SatisfactionSurvey.score_value_added,
}


def month_of(instant: dt.datetime) -> str:
    return to_local(instant).strftime("%Y-%m")


def period_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start of date_from, start of the day after date_to) in Shanghai time, as UTC."""
    if date_to < date_from:
        raise TextRequired(
            field="date_to",
            zh="{field}：截止日期不能早于起始日期",
            en="{field}: the end date may not be before the start date",
        )
    start = dt.datetime.combine(date_from, dt.time(0), tzinfo=LOCAL_TZ)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL_TZ)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _average(total: int | None, count: int) -> Decimal | None:
    if not count or total is None:
        return None
    return (Decimal(total) / Decimal(count)).quantize(CENT, rounding=ROUND_HALF_UP)


# --- complaints -------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthCount:
    month: str
    count: int
    # Change against the previous month of the period (None for the first month).
    change: int | None


@dataclass(frozen=True)
class ComplaintsReport:
    total: int
    by_cause: dict[str, int]
    by_type: dict[str, int]
    by_channel: dict[str, int]
    by_month: list[MonthCount]


def _months(date_from: dt.date, date_to: dt.date) -> list[str]:
    months, year, month = [], date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def complaints_report(
    session: Session, *, date_from: dt.date, date_to: dt.date, org_unit_id: int | None = None
) -> ComplaintsReport:
    start, end = period_bounds(date_from, date_to)
    query = select(
        Complaint.received_at, Complaint.cause, Complaint.complaint_type, Complaint.channel
    ).where(Complaint.received_at >= start, Complaint.received_at < end)
    if org_unit_id is not None:
        query = query.where(Complaint.org_unit_id == org_unit_id)
    rows = session.execute(query).all()
    per_month = Counter(month_of(r.received_at) for r in rows)
    trend: list[MonthCount] = []
    previous: int | None = None
    for month in _months(date_from, date_to):
        count = per_month.get(month, 0)
        trend.append(MonthCount(month, count, None if previous is None else count - previous))
        previous = count
    return ComplaintsReport(
        total=len(rows),
        by_cause=dict(sorted(Counter(r.cause for r in rows).items())),
        by_type=dict(sorted(Counter(r.complaint_type for r in rows).items())),
        by_channel=dict(sorted(Counter(r.channel for r in rows).items())),
        by_month=trend,
    )


# --- satisfaction -------------------------------------------------------------------------


@dataclass(frozen=True)
class SatisfactionRow:
    service_type: str
    surveys: int
    # dimension -> average score (None when nobody rated that dimension)
    averages: dict[str, Decimal | None]


def satisfaction_report(
    session: Session, *, date_from: dt.date, date_to: dt.date, org_unit_id: int | None = None
) -> list[SatisfactionRow]:
    start, end = period_bounds(date_from, date_to)
    columns = []
    for column in DIMENSIONS.values():
        columns += [func.sum(column), func.count(column)]
    query = (
        select(SatisfactionSurvey.service_type, func.count(SatisfactionSurvey.id), *columns)
        .where(SatisfactionSurvey.surveyed_at >= start, SatisfactionSurvey.surveyed_at < end)
        .group_by(SatisfactionSurvey.service_type)
        .order_by(SatisfactionSurvey.service_type)
    )
    if org_unit_id is not None:
        query = query.where(SatisfactionSurvey.org_unit_id == org_unit_id)
    result = []
    for row in session.execute(query).all():
        service_type, surveys = row[0], row[1]
        sums: list[int | None] = list(row[2:])
        averages = {
            name: _average(sums[2 * i], int(sums[2 * i + 1] or 0))
            for i, name in enumerate(DIMENSIONS)
        }
        result.append(
            SatisfactionRow(service_type=service_type, surveys=int(surveys), averages=averages)
        )
    return result


# --- deadlines met ------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineRow:
    name: str
    branch: str | None
    month: str
    governed: int
    met: int
    missed: int
    pending: int
    # met ÷ (met + missed), 0.01 half-up, as a percentage; None while nothing is decided.
    share_met: Decimal | None


def deadlines_report(
    session: Session,
    *,
    date_from: dt.date,
    date_to: dt.date,
    now: dt.datetime,
    names: Sequence[str] = SERVICE_CLOCKS,
) -> list[DeadlineRow]:
    """Per clock name, branch (org unit code) and month of the start: how many cases the
    limit governed and how many met it. A running clock past its due time counts as
    missed; one still within its time is pending."""
    start, end = period_bounds(date_from, date_to)
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
        counts = groups[(clock_name, code, month_of(started))]
        counts[0] += 1
        if stopped is not None:
            in_time = stopped <= due or (paused is not None and paused < due)
            counts[1 if in_time else 2] += 1
        elif paused is None and due < now:
            counts[2] += 1
        else:
            counts[3] += 1
    rows = []
    for (name, branch, month), (governed, met, missed, pending) in sorted(
        groups.items(), key=lambda item: (item[0][0], item[0][1] or "", item[0][2])
    ):
        decided = met + missed
        share = (
            None
            if not decided
            else (Decimal(100 * met) / Decimal(decided)).quantize(CENT, rounding=ROUND_HALF_UP)
        )
        rows.append(DeadlineRow(name, branch, month, governed, met, missed, pending, share))
    return rows
