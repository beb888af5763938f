"""China's working-day calendar (GEN-3), stored so an administrator can correct it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from claimdesk.models.base import Base, TimestampMixin


class CalendarYear(TimestampMixin, Base):
    """A year the calendar covers. Asking about any other year is an error."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # "holidays-package 0.109" or "administrator"
    source: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CalendarDay(Base):
    """An exception to the Monday–Friday rule: a statutory holiday or an adjusted workday."""

    __tablename__ = "calendar_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(
        ForeignKey("calendar_years.year", ondelete="CASCADE"), index=True
    )
    # "holiday" (法定节假日/休息日) or "workday" (调休上班)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(100))
