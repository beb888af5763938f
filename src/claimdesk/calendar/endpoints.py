"""Calendar API (GEN-3) and the deadline calculator (GEN-4)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.calendar import service
from claimdesk.calendar.schemas import (
    CalendarArrangementIn,
    CalendarDayChangeIn,
    CalendarDayOut,
    CalendarImportIn,
    CalendarYearOut,
    CalendarYearSummary,
    DeadlineComputeIn,
    DeadlineComputeOut,
)
from claimdesk.deps import DB, require
from claimdesk.i18n import request_language
from claimdesk.rules.deadlines import Rule, describe, evaluate

router = APIRouter(prefix="/calendar", tags=["calendar"])
deadlines_router = APIRouter(prefix="/deadlines", tags=["calendar"])

# Route permissions (SEC-4) as type aliases, so mypy sees a Principal.
NeedsCalendarRead = Annotated[Principal, Depends(require(Permission.CALENDAR_READ))]
NeedsCalendarManage = Annotated[Principal, Depends(require(Permission.CALENDAR_MANAGE))]
NeedsDeadlinesCompute = Annotated[Principal, Depends(require(Permission.DEADLINES_COMPUTE))]


def _summary(view: service.YearView) -> CalendarYearSummary:
    return CalendarYearSummary(
        year=view.year.year,
        source=view.year.source,
        updated_at=view.year.updated_at,
        holidays=sum(1 for d in view.days if d.kind == "holiday"),
        workdays=sum(1 for d in view.days if d.kind == "workday"),
    )


def _year_out(view: service.YearView) -> CalendarYearOut:
    return CalendarYearOut(
        **_summary(view).model_dump(),
        days=[
            CalendarDayOut(day=d.day, kind=d.kind, name=d.name, weekday=d.day.isoweekday())
            for d in view.days
        ],
    )


@router.get("", response_model=list[CalendarYearSummary])
def list_years(db: DB, principal: NeedsCalendarRead) -> list[CalendarYearSummary]:
    return [_summary(view) for view in service.list_years(db)]


@router.get("/{year}", response_model=CalendarYearOut)
def get_year(year: int, db: DB, principal: NeedsCalendarRead) -> CalendarYearOut:
    return _year_out(service.get_year(db, year=year))


@router.put("/{year}", response_model=CalendarYearOut)
def replace_year(
    year: int, body: CalendarArrangementIn, db: DB, principal: NeedsCalendarManage
) -> CalendarYearOut:
    view = service.replace_year(
        db,
        year=year,
        days=[(d.day, d.kind, d.name) for d in body.days],
        actor=principal,
        reason=body.reason,
    )
    return _year_out(view)


@router.post("/{year}/import", response_model=CalendarYearOut)
def import_year(
    year: int,
    db: DB,
    principal: NeedsCalendarManage,
    body: CalendarImportIn | None = None,
) -> CalendarYearOut:
    service.seed_from_package(
        db, years=[year], actor=principal, replace=True, reason=body.reason if body else None
    )
    return _year_out(service.get_year(db, year=year))


@router.put("/days/{day}", response_model=CalendarDayOut)
def set_day(
    day: dt.date, body: CalendarDayChangeIn, db: DB, principal: NeedsCalendarManage
) -> CalendarDayOut:
    row = service.set_day(
        db, day=day, kind=body.kind, name=body.name, actor=principal, reason=body.reason
    )
    return CalendarDayOut(day=row.day, kind=row.kind, name=row.name, weekday=row.day.isoweekday())


@router.delete("/days/{day}", status_code=204)
def remove_day(day: dt.date, db: DB, principal: NeedsCalendarManage) -> None:
    service.remove_day(db, day=day, actor=principal)


@deadlines_router.post("/compute", response_model=DeadlineComputeOut)
def compute_deadline(
    body: DeadlineComputeIn,
    request: Request,
    db: DB,
    principal: NeedsDeadlinesCompute,
) -> DeadlineComputeOut:
    rule = Rule(type=body.rule.type, n=body.rule.n)
    calendar = None if rule.type == "hours" else service.load_calendar(db)
    result = evaluate(
        rule, body.start, calendar, [(paused, resumed) for paused, resumed in body.pauses]
    )
    language = getattr(request.state, "language", None) or request_language(
        request, principal.language
    )
    return DeadlineComputeOut(
        rule_label=describe(rule, language),
        due=result.due,
        due_utc=None if result.due is None else result.due.astimezone(dt.UTC),
        paused=result.paused,
        provisional=result.provisional,
        remaining_days=result.remaining_days,
        remaining_seconds=None
        if result.remaining is None
        else int(result.remaining.total_seconds()),
    )
