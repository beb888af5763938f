"""Service scorecard (GEN-7 for SVC-3..SVC-5): complaints by cause, type, channel and
month with the trend; satisfaction by service type and dimension; the share of each
service deadline met, by branch and month.

Months are Asia/Shanghai months (GEN-2). Complaints are grouped in Python from narrow
column selections; satisfaction and deadlines are counted by the database in one
grouped query each, with nothing of either dialect (months are bound instants, never a
date function), so SQLite and PostgreSQL give the same figures; averages are exact
decimals rounded half-up to 0.01 once, at the end (GEN-1 style).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import ColumnElement, Subquery
from sqlalchemy.orm import Session

from claimdesk.models.clock import Clock
from claimdesk.models.service import SatisfactionSurvey
from claimdesk.rules.deadlines import day_range, to_local
from claimdesk.service import repository
from claimdesk.service.errors import PeriodTooLong, TextRequired
from claimdesk.service.service import SERVICE_CLOCKS

CENT = Decimal("0.01")
# The longest period of every service scorecard (and of the dashboards): three years, at
# most 37 months, each a bound instant of one CASE (month_of_start).
MAX_DAYS = 3 * 366
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
    return day_range(date_from, date_to)


def within_limit(date_from: dt.date, date_to: dt.date) -> None:
    """Every scorecard of this module refuses a period over three years (MAX_DAYS) as
    the claims dashboards do: 422 PeriodTooLong naming date_from, in both languages."""
    if (date_to - date_from).days > MAX_DAYS:
        raise PeriodTooLong(field="date_from", max_days=MAX_DAYS)


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
    """Complaints of the period by cause, type, channel and month with the trend (SVC-3,
    GEN-7); a period over three years is refused (``within_limit``)."""
    start, end = period_bounds(date_from, date_to)
    within_limit(date_from, date_to)
    rows = repository.complaints_received(session, start=start, end=end, org_unit_id=org_unit_id)
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
    """Satisfaction of the period per service type and dimension (SVC-5, GEN-7); a
    period over three years is refused (``within_limit``)."""
    start, end = period_bounds(date_from, date_to)
    within_limit(date_from, date_to)
    result = []
    sums_per_type = repository.satisfaction_sums(
        session, start=start, end=end, org_unit_id=org_unit_id, dimensions=list(DIMENSIONS.values())
    )
    for row in sums_per_type:
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
    # Closed in time without their step (a surveyor reassigned, a claim withdrawn): not
    # governed, not met (GEN-7), shown apart.
    ended_early: int
    # met ÷ (met + missed), 0.01 half-up, as a percentage; None while nothing is decided.
    share_met: Decimal | None


def share_met(met: int, decided: int) -> Decimal | None:
    """met ÷ decided as a percentage, 0.01 half-up; None while nothing is decided."""
    if not decided:
        return None
    return (Decimal(100 * met) / Decimal(decided)).quantize(CENT, rounding=ROUND_HALF_UP)


def each_clock(
    clocks: ColumnElement[bool],
    *,
    date_from: dt.date,
    date_to: dt.date,
    now: dt.datetime,
    org_unit_id: int | None = None,
) -> Subquery:
    """Each clock started in the period (and branch) once, with its name, unit, Beijing
    month of its start and outcome (``service.repository.each_clock`` says how): the rows
    both scorecards count (this one and the dashboards'). A period ending before it
    starts is refused naming date_to (``period_bounds``)."""
    start, end = period_bounds(date_from, date_to)
    return repository.each_clock(
        clocks=clocks,
        start=start,
        end=end,
        date_from=date_from,
        date_to=date_to,
        now=now,
        org_unit_id=org_unit_id,
    )


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
    missed; one still within its time is pending. A period longer than MAX_DAYS is
    refused (PeriodTooLong): each month is two bound parameters of the query.

    One grouped query with conditional counts (each_clock), on SQLite and PostgreSQL
    alike: this report used to fetch every clock of the period and classify it in
    Python, a row per clock over the wire (tests/service/test_reports.py keeps that
    reference and compares). The handful of grouped rows is ordered here, not by the
    database, whose collation would order "claim.review" and "claim.report_entry"
    differently on PostgreSQL (it skips punctuation) and SQLite."""
    within_limit(date_from, date_to)
    each = each_clock(Clock.name.in_(list(names)), date_from=date_from, date_to=date_to, now=now)
    rows = []
    for name, branch, month, governed, met, missed, ended in sorted(
        repository.deadline_counts(session, each=each),
        key=lambda row: (row[0], row[1] or "", row[2]),
    ):
        governed, met, missed = int(governed), int(met), int(missed)
        decided = met + missed
        rows.append(
            DeadlineRow(
                name,
                branch,
                month,
                governed,
                met,
                missed,
                governed - decided,
                int(ended),
                share_met(met, decided),
            )
        )
    return rows
