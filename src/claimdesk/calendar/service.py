"""The stored holiday calendar (SPEC GEN-3): seeded from the ``holidays`` package,
corrected by an administrator when the State Council publishes a year's arrangement.

Every change is audited (GEN-5). Services flush only; the edge commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session, object_session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.calendar import cache, repository
from claimdesk.calendar.cache import load_calendar as load_calendar  # the service's reader
from claimdesk.calendar.errors import (
    CalendarDayOutsideYear,
    CalendarDuplicateDay,
    CalendarUnknownDayKind,
    CalendarWorkdayNotWeekend,
    CalendarYearOutOfRange,
)
from claimdesk.clocks.service import recompute_running
from claimdesk.errors import CalendarYearNotCovered, NotFound
from claimdesk.models.base import utcnow
from claimdesk.models.calendar import CalendarDay, CalendarYear
from claimdesk.rules.calendar import (
    DAY_KINDS,
    WORKDAY,
    is_provisional_source,
    package_arrangement,
    package_published_years,
    package_source,
)
from claimdesk.rules.deadlines import LOCAL_TZ

ADMIN_SOURCE = "administrator"
MIN_YEAR, MAX_YEAR = 2000, 2100

DayRow = tuple[dt.date, str, str]


@dataclass(frozen=True)
class YearView:
    year: CalendarYear
    days: Sequence[CalendarDay]


def check_year(*, year: int, field: str = "year") -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CalendarYearOutOfRange(field=field, low=MIN_YEAR, high=MAX_YEAR)


def get_year(session: Session, *, year: int) -> YearView:
    check_year(year=year)
    found = repository.get_year(session, year=year)
    if found is None:
        raise CalendarYearNotCovered(year=year)
    return YearView(year=found, days=repository.days_of(session, year=year))


def list_years(session: Session) -> list[YearView]:
    return [
        YearView(year=y, days=repository.days_of(session, year=y.year))
        for y in repository.all_years(session)
    ]


def validate_arrangement(*, year: int, days: Iterable[DayRow], field: str = "days") -> list[DayRow]:
    """Every day inside ``year``, no day twice, known kinds, 调休 only on weekends."""
    seen: set[dt.date] = set()
    rows: list[DayRow] = []
    for index, (day, kind, name) in enumerate(days):
        where = f"{field}.{index}"
        if day.year != year:
            raise CalendarDayOutsideYear(field=f"{where}.day", day=day.isoformat(), year=year)
        if day in seen:
            raise CalendarDuplicateDay(field=f"{where}.day", day=day.isoformat())
        if kind not in DAY_KINDS:
            raise CalendarUnknownDayKind(field=f"{where}.kind")
        if kind == WORKDAY and day.weekday() < 5:
            raise CalendarWorkdayNotWeekend(field=f"{where}.day", day=day.isoformat())
        seen.add(day)
        rows.append((day, kind, name.strip()))
    return sorted(rows)


def _summary(rows: Sequence[DayRow]) -> dict[str, int]:
    return {
        "holidays": sum(1 for _, kind, _ in rows if kind != WORKDAY),
        "workdays": sum(1 for _, kind, _ in rows if kind == WORKDAY),
    }


def replace_year(
    session: Session,
    *,
    year: int,
    days: Iterable[DayRow],
    actor: Principal,
    source: str = ADMIN_SOURCE,
    reason: str | None = None,
) -> YearView:
    """Set a year's full arrangement (creating the year if it was not covered)."""
    check_year(year=year)
    rows = validate_arrangement(year=year, days=days)
    cache.forget(session)
    existing = repository.get_year(session, year=year)
    before = _summary([(d.day, d.kind, d.name) for d in repository.days_of(session, year=year)])
    now = utcnow()
    if existing is None:
        existing = CalendarYear(
            year=year, source=source, updated_at=now, updated_by_id=actor.user_id
        )
        session.add(existing)
    else:
        existing.source = source
        existing.updated_at = now
        existing.updated_by_id = actor.user_id
    repository.delete_days(session, year=year)
    session.flush()
    session.add_all(
        CalendarDay(day=day, year=year, kind=kind, name=name) for day, kind, name in rows
    )
    session.flush()
    record(
        session,
        actor=actor,
        action="calendar.year_replaced",
        entity_type="calendar_year",
        entity_id=year,
        reason=reason,
        details={"source": source, "before": before, "after": _summary(rows)},
    )
    recompute_clocks(session, year=year, actor=actor, reason=reason)
    return YearView(year=existing, days=repository.days_of(session, year=year))


def seed_from_package(
    session: Session,
    *,
    years: Iterable[int],
    actor: Principal,
    replace: bool = False,
    reason: str | None = None,
    provisional: bool = False,
) -> list[int]:
    """Load years from the ``holidays`` package; returns the years written.

    ``provisional`` accepts a year the package has no published arrangement for, with
    its statutory holidays only; the source says so, and an administrator replaces it
    when the State Council publishes the year.

    Idempotent: a year already stored is left alone (it may carry an administrator's
    correction) unless ``replace``. A year the package has no published arrangement
    for raises CalendarYearNotCovered before anything is written."""
    wanted = sorted(set(years))
    for year in wanted:
        check_year(year=year, field="years")
    arrangements = {year: package_arrangement(year, provisional=provisional) for year in wanted}
    published = package_published_years()
    written: list[int] = []
    for year, rows in arrangements.items():
        if not replace and repository.get_year(session, year=year) is not None:
            continue
        replace_year(
            session,
            year=year,
            days=rows,
            actor=actor,
            source=package_source() if year in published else f"{package_source()} provisional",
            reason=reason or "seeded from the holidays package",
        )
        written.append(year)
    return written


def set_day(
    session: Session,
    *,
    day: dt.date,
    kind: str,
    name: str,
    actor: Principal,
    reason: str | None = None,
) -> CalendarDay:
    """Add or correct one day of a covered year."""
    year_row = repository.get_year(session, year=day.year)
    if year_row is None:
        raise CalendarYearNotCovered(year=day.year)
    ((_, kind, name),) = validate_arrangement(year=day.year, days=[(day, kind, name)], field="day")
    row = session.get(CalendarDay, day)
    before = None if row is None else {"kind": row.kind, "name": row.name}
    if row is None:
        row = CalendarDay(day=day, year=day.year, kind=kind, name=name)
        session.add(row)
    else:
        row.kind, row.name = kind, name
    _touch(year_row, actor)
    session.flush()
    record(
        session,
        actor=actor,
        action="calendar.day_set",
        entity_type="calendar_day",
        entity_id=day.isoformat(),
        reason=reason,
        details={"before": before, "after": {"kind": kind, "name": name}},
    )
    recompute_clocks(session, year=day.year, actor=actor, reason=reason)
    return row


def remove_day(
    session: Session, *, day: dt.date, actor: Principal, reason: str | None = None
) -> None:
    """Drop an exception: the day follows the Monday–Friday rule again."""
    year_row = repository.get_year(session, year=day.year)
    if year_row is None:
        raise CalendarYearNotCovered(year=day.year)
    row = session.get(CalendarDay, day)
    if row is None:
        raise NotFound(what=f"calendar day {day.isoformat()}", field="day")
    before = {"kind": row.kind, "name": row.name}
    session.delete(row)
    _touch(year_row, actor)
    session.flush()
    record(
        session,
        actor=actor,
        action="calendar.day_removed",
        entity_type="calendar_day",
        entity_id=day.isoformat(),
        reason=reason,
        details={"before": before},
    )
    recompute_clocks(session, year=day.year, actor=actor, reason=reason)


def _touch(year_row: CalendarYear, actor: Principal) -> None:
    session = object_session(year_row)
    if session is not None:
        cache.forget(session)
    # A corrected year is no longer the package's arrangement as shipped.
    year_row.source = ADMIN_SOURCE
    year_row.updated_at = utcnow()
    year_row.updated_by_id = actor.user_id


def recompute_clocks(
    session: Session, *, year: int, actor: Principal, reason: str | None = None
) -> list[dict[str, object]]:
    """Recompute every running clock that counts over ``year`` after its arrangement was
    loaded or corrected (GEN-3); one audit entry lists the clocks that moved."""
    cache.forget(session)
    moved = recompute_running(session, years=[year])
    if moved:
        record(
            session,
            actor=actor,
            action="calendar.clocks_recomputed",
            entity_type="calendar_year",
            entity_id=year,
            reason=reason,
            details={"moved": moved},
        )
    return moved


# --- automatic load and the administrators' warning (GEN-3) ------------------------------

SYNC_ACTOR = Principal.system("calendar-sync")
WARN_FROM = (10, 1)  # month, day: the State Council publishes next year around November


def today() -> dt.date:
    """The current Shanghai date from the app's clock (tests freeze ``utcnow`` here)."""
    return utcnow().astimezone(LOCAL_TZ).date()


def years_to_sync(session: Session, *, on: dt.date) -> list[int]:
    """Last, this and next year when the holidays package carries their published
    arrangement and the database has none, or only a provisional one. A year an
    administrator entered or corrected is never overwritten."""
    published = package_published_years()
    wanted = []
    for year in range(on.year - 1, on.year + 2):
        stored = repository.get_year(session, year=year)
        if year in published and (stored is None or is_provisional_source(stored.source)):
            wanted.append(year)
    return wanted


def sync_from_package(session: Session, *, on: dt.date, actor: Principal = SYNC_ACTOR) -> list[int]:
    """Load automatically what the package knows (run daily by the worker and by
    ``claimdesk calendar sync``): no administrator action for a published year, and the
    clocks counted provisionally are recomputed by replace_year."""
    written = []
    for year in years_to_sync(session, on=on):
        replace_year(
            session,
            year=year,
            days=package_arrangement(year),
            actor=actor,
            source=package_source(),
            reason="loaded automatically from the holidays package",
        )
        written.append(year)
    return written


@dataclass(frozen=True)
class CalendarStatus:
    today: dt.date
    next_year: int
    # "loaded" | "provisional" (stored before publication) | "missing"
    next_year_state: str
    warning: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "today": self.today.isoformat(),
            "next_year": self.next_year,
            "next_year_state": self.next_year_state,
            "warning": self.warning,
            "message_en": self.message("en") if self.warning else None,
            "message_zh": self.message("zh-CN") if self.warning else None,
        }

    def message(self, language: str) -> str:
        if language.lower().startswith("zh"):
            return (
                f"{self.next_year} 年的节假日安排尚未载入：该年的期限按暂定日历计算"
                "（法定节假日，周末休息，无调休）。国务院公布后请录入。"
            )
        return (
            f"The {self.next_year} holiday arrangement is not loaded: deadlines in that "
            "year are counted on the provisional calendar (statutory holidays, weekends "
            "off, no adjusted workdays). Enter it when the State Council publishes it."
        )


def calendar_status(session: Session, *, on: dt.date) -> CalendarStatus:
    """Whether administrators must be warned: from 1 October, next year not loaded."""
    stored = repository.get_year(session, year=on.year + 1)
    if stored is None:
        state = "missing"
    elif is_provisional_source(stored.source):
        state = "provisional"
    else:
        state = "loaded"
    warn = state != "loaded" and (on.month, on.day) >= WARN_FROM
    return CalendarStatus(today=on, next_year=on.year + 1, next_year_state=state, warning=warn)
