"""Calendar and deadline-calculator API shapes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class CalendarDayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: dt.date
    kind: Literal["holiday", "workday"]
    name: str = Field(min_length=1, max_length=100)


class CalendarArrangementIn(BaseModel):
    """A year's full arrangement: every statutory holiday and every 调休 working weekend."""

    model_config = ConfigDict(extra="forbid")

    days: list[CalendarDayIn] = Field(max_length=366)
    reason: str | None = Field(default=None, max_length=500)


class CalendarDayChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["holiday", "workday"]
    name: str = Field(min_length=1, max_length=100)
    reason: str | None = Field(default=None, max_length=500)


class CalendarImportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=500)


class CalendarDayOut(BaseModel):
    day: dt.date
    kind: str
    name: str
    weekday: int  # ISO: 1 = Monday … 7 = Sunday


class CalendarYearSummary(BaseModel):
    year: int
    source: str
    updated_at: dt.datetime
    holidays: int
    workdays: int


class CalendarYearOut(CalendarYearSummary):
    days: list[CalendarDayOut]


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["hours", "working_days", "days"]
    n: int = Field(ge=1, le=3660)


class DeadlineComputeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: RuleIn
    start: AwareDatetime
    # [[paused_at, resumed_at or null], …] in time order; only the last may be open.
    pauses: list[tuple[AwareDatetime, AwareDatetime | None]] = Field(default=[], max_length=100)


class DeadlineComputeOut(BaseModel):
    rule_label: str
    # Asia/Shanghai time (GEN-2) and the same instant in UTC; null while paused.
    due: dt.datetime | None
    due_utc: dt.datetime | None
    paused: bool
    # Counted over a year whose arrangement is not loaded: the provisional calendar (GEN-3).
    provisional: bool = False
    remaining_days: int | None = None
    remaining_seconds: int | None = None
