"""Holiday calendar pages (GEN-3): the stored years with their source (the holidays
library, an administrator's correction, or a provisional year the State Council has not
published yet), a year's holidays and adjusted working days, correcting one day and
importing a year from the library — the API's calendar service calls and permissions."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated, Any

from babel.dates import format_date
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.calendar import service
from claimdesk.calendar.schemas import CalendarDayChangeIn, CalendarImportIn
from claimdesk.deps import DB, require
from claimdesk.errors import ClaimdeskError, ValidationFailed
from claimdesk.rules.calendar import day_name
from claimdesk.web.kit import Refusal, common, form_action, language_of, local_today, page

router = APIRouter(prefix="/admin/calendar")

Reader = Annotated[Principal, Depends(require(Permission.CALENDAR_READ))]
Manager = Annotated[Principal, Depends(require(Permission.CALENDAR_MANAGE))]
Short = Annotated[str, Form(max_length=500)]


def _year_number(text: str | None, default: int) -> int:
    if text is None or not text.strip():
        return default
    if not text.strip().isdigit() or len(text.strip()) != 4:
        raise ValidationFailed(field="year")
    return int(text.strip())


def _page(
    request: Request,
    db: Session,
    actor: Principal,
    year_text: str | None,
    *,
    refusal: Refusal | None = None,
    action: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    years = service.list_years(db)
    shown_error = refusal.error if refusal else None
    status = refusal.status_code if refusal else 200
    view = None
    try:
        year = _year_number(year_text, local_today().year)
        view = service.get_year(db, year=year)
    except ValidationFailed as invalid:
        year, shown_error, status = local_today().year, invalid.to_dict(_lang(request)), 422
        action = action or "year"
    except ClaimdeskError as missing:
        # A year the calendar does not cover is said on the page (GEN-3), not guessed.
        if not shown_error:
            shown_error, action = missing.to_dict(_lang(request)), action or "year"
    return page(
        request,
        "admin/calendar.html",
        status_code=status,
        years=years,
        year=year,
        view=view,
        error=shown_error,
        action=action,
        values=values or {},
        may_manage=actor.has(Permission.CALENDAR_MANAGE),
        weekday=partial(weekday, language=_lang(request)),
        day_name=partial(day_name, language=_lang(request)),
        **common(request),
    )


def weekday(day: dt.date, *, language: str) -> str:
    """The day of the week in words (星期四 / Thu): the table printed ISO numbers (4)."""
    if language == "zh-CN":
        return str(format_date(day, "EEEE", locale="zh_CN"))
    return str(format_date(day, "EEE", locale="en"))


def _lang(request: Request) -> str:

    return language_of(request)


@router.get("")
def calendar(request: Request, db: DB, actor: Reader, year: str | None = None) -> Response:
    return _page(request, db, actor, year)


@router.post("/days")
def set_day(
    request: Request,
    db: DB,
    actor: Manager,
    day: Short = "",
    kind: Short = "",
    name: Short = "",
    reason: Short = "",
) -> Response:
    values = {"day": day, "kind": kind, "name": name, "reason": reason}

    def call() -> Any:
        try:
            when = dt.date.fromisoformat(day.strip())
        except ValueError:
            raise ValidationFailed(field="day") from None
        body = CalendarDayChangeIn.model_validate(
            {"kind": kind, "name": name, "reason": reason.strip() or None}
        )
        return service.set_day(
            db, day=when, kind=body.kind, name=body.name, actor=actor, reason=body.reason
        )

    year = day[:4] if day[:4].isdigit() else None
    return form_action(
        request,
        db,
        call,
        refused=lambda refusal: _page(
            request, db, actor, year, refusal=refusal, action="day", values=values
        ),
        redirect=lambda saved: f"/admin/calendar?year={saved.day.year}",
    )


@router.post("/import")
def import_year(
    request: Request, db: DB, actor: Manager, year: Short = "", reason: Short = ""
) -> Response:
    values = {"import_year": year, "reason": reason}

    def call() -> int:
        number = _year_number(year, 0)
        if number == 0:
            raise ValidationFailed(field="import_year")
        body = CalendarImportIn.model_validate({"reason": reason.strip() or None})
        service.seed_from_package(db, years=[number], actor=actor, replace=True, reason=body.reason)
        return number

    def refused(refusal: Refusal) -> Response:
        if refusal.error.get("field") == "year":
            refusal.error["field"] = "import_year"
        return _page(request, db, actor, None, refusal=refusal, action="import", values=values)

    return form_action(
        request, db, call, refused=refused, redirect=lambda number: f"/admin/calendar?year={number}"
    )


def admin_warning(request: Request, db: Session, principal: Principal) -> str | None:
    """GEN-3: from 1 October, administrators are told on their start page (the home page
    or the workbench) when next year's arrangement is not loaded; None otherwise."""
    if not principal.has(Permission.CALENDAR_MANAGE):
        return None
    status = service.calendar_status(db, on=service.today())
    return status.message(_lang(request)) if status.warning else None
