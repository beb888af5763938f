"""Calendar queries. The calendar is public reference data: no row-level filtering."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ScalarSelect, delete, func, select
from sqlalchemy.orm import Session

from claimdesk.models.calendar import CalendarDay, CalendarYear


def version_columns() -> tuple[ScalarSelect[Any], ...]:
    """The calendar's version as three scalar subqueries (number of years, their last
    change, number of days): any change of the stored calendar changes it. Another
    domain may read them in its own statement (the report reads every cache key in one)."""
    return (
        select(func.count(CalendarYear.year)).scalar_subquery(),
        select(func.max(CalendarYear.updated_at)).scalar_subquery(),
        select(func.count()).select_from(CalendarDay).scalar_subquery(),
    )


def all_years(session: Session) -> Sequence[CalendarYear]:
    return session.scalars(select(CalendarYear).order_by(CalendarYear.year)).all()


def get_year(session: Session, *, year: int) -> CalendarYear | None:
    # No principal filter: the working-day calendar (GEN-3) is the same for everyone.
    return session.get(CalendarYear, year)


def days_of(session: Session, *, year: int | None = None) -> Sequence[CalendarDay]:
    query = select(CalendarDay).order_by(CalendarDay.day)
    if year is not None:
        query = query.where(CalendarDay.year == year)
    return session.scalars(query).all()


def delete_days(session: Session, *, year: int) -> None:
    session.execute(delete(CalendarDay).where(CalendarDay.year == year))


def version(session: Session) -> tuple[object, ...]:
    """The stored calendar's version (``version_columns``) in one query."""
    return tuple(session.execute(select(*version_columns())).one())
