"""Business conditions of the holiday calendar (SPEC GEN-3)."""

from __future__ import annotations

from claimdesk.errors import ValidationFailed


class CalendarDayOutsideYear(ValidationFailed):
    code = "calendar_day_outside_year"
    message_zh = "{field}：日期 {day} 不在 {year} 年内"
    message_en = "{field}: the date {day} is not in the year {year}"


class CalendarDuplicateDay(ValidationFailed):
    code = "calendar_duplicate_day"
    message_zh = "{field}：日期 {day} 重复出现"
    message_en = "{field}: the date {day} appears more than once"


class CalendarWorkdayNotWeekend(ValidationFailed):
    code = "calendar_workday_not_weekend"
    message_zh = "{field}：{day} 是周一至周五，本来就是工作日；调休上班日只能是周六或周日"
    message_en = (
        "{field}: {day} is a weekday and already a working day; "
        "an adjusted workday (调休) must be a Saturday or Sunday"
    )


class CalendarYearOutOfRange(ValidationFailed):
    code = "calendar_year_out_of_range"
    message_zh = "{field}：年份须在 {low}–{high} 之间"
    message_en = "{field}: the year must be between {low} and {high}"


class CalendarUnknownDayKind(ValidationFailed):
    code = "calendar_unknown_day_kind"
    message_zh = "{field}：类型须为 holiday（节假日）或 workday（调休上班）"
    message_en = "{field}: the kind must be holiday or workday"
