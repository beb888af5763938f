"""The deadline engine (SPEC GEN-4).

Three kinds of rule:

* ``hours``: due = start + n hours, around the clock.
* ``working_days``: the start day is not counted; due = 23:59:59 local (Asia/Shanghai)
  of the n-th working day after the start date.
* ``days``: the start day is not counted (Civil Code art. 201); due = 23:59:59 local of
  the n-th calendar day after the start date; if that day is not a working day the due
  date moves to the end of the next working day (art. 203) — on the final date only.

Pauses (any number): for ``hours`` the paused time is added. For day rules the days used
before a pause are the counting days after the start date (or after the last resume
date) up to and including the pause date; after the resume the days still left are
counted after the resume date; if none are left, the deadline is the end of the resume
date (for ``days`` the art. 203 move still applies to that final date).

Two choices the SPEC leaves open, made here:

* A pause that begins at or after the deadline already reached does not revive the
  clock: the deadline stands and that pause (and any later one) is ignored.
* An open pause (resumed = None) that began before the deadline means the clock is
  stopped: :func:`evaluate` returns a :class:`Deadline` with ``due=None`` and the budget
  still left (``remaining_days`` or ``remaining``); :func:`due_at` returns None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from claimdesk.errors import ValidationFailed
from claimdesk.rules.calendar import Calendar

# China's statutory calendar counts in Beijing time (GEN-2, GEN-3). The one zone in the pure
# rules (they read no settings); the app reads the ``timezone`` setting through
# claimdesk.timeutil.local_zone().
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
END_OF_DAY = dt.time(23, 59, 59)

RuleType = Literal["hours", "working_days", "days"]
RULE_TYPES: tuple[RuleType, ...] = ("hours", "working_days", "days")

Pause = tuple[dt.datetime, dt.datetime | None]

# The longest time limit in the SPEC is 60 days; anything beyond ten years is a typo.
MAX_N = 3660


class InvalidDeadlineRule(ValidationFailed):
    code = "invalid_deadline_rule"
    message_zh = "{field}：期限规则无效（类型须为 hours、working_days 或 days，n 为 1–3660 的整数）"
    message_en = (
        "{field}: invalid deadline rule (type must be hours, working_days or days; "
        "n an integer from 1 to 3660)"
    )


class NaiveInstant(ValidationFailed):
    code = "naive_instant"
    message_zh = "{field}：时间必须带时区（例如 2026-03-02T09:00:00+08:00）"
    message_en = "{field}: the time must carry its UTC offset (e.g. 2026-03-02T09:00:00+08:00)"


class InvalidPauses(ValidationFailed):
    code = "invalid_pauses"
    message_zh = "{field}：暂停记录无效（{reason_zh}）"
    message_en = "{field}: invalid pauses ({reason_en})"


@dataclass(frozen=True)
class Rule:
    type: RuleType
    n: int

    def __post_init__(self) -> None:
        if self.type not in RULE_TYPES or isinstance(self.n, bool) or not isinstance(self.n, int):
            raise InvalidDeadlineRule(field="rule")
        if not 1 <= self.n <= MAX_N:
            raise InvalidDeadlineRule(field="rule.n")


@dataclass(frozen=True)
class Deadline:
    """The result of a computation. ``due`` is None while the clock is paused."""

    rule: Rule
    due: dt.datetime | None
    paused_since: dt.datetime | None = None
    # What is left of the budget when paused: days for day rules, time for hours.
    remaining_days: int | None = None
    remaining: dt.timedelta | None = None
    # Counted over a year whose arrangement is not loaded (GEN-3 provisional calendar):
    # shown as provisional, recomputed when the year is loaded.
    provisional: bool = False

    @property
    def paused(self) -> bool:
        return self.due is None


def describe(rule: Rule, language: str = "zh-CN") -> str:
    """The label shown beside every deadline: which rule made it."""
    zh = language.lower().startswith("zh")
    if rule.type == "hours":
        return f"{rule.n} 小时" if zh else f"{rule.n} hour{'s' if rule.n != 1 else ''}"
    if rule.type == "working_days":
        return f"{rule.n} 个工作日" if zh else f"{rule.n} working day{'s' if rule.n != 1 else ''}"
    return (
        f"{rule.n} 日（遇节假日顺延）"
        if zh
        else f"{rule.n} day{'s' if rule.n != 1 else ''} (moved past holidays)"
    )


def to_local(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(LOCAL_TZ)


def local_date(instant: dt.datetime) -> dt.date:
    return to_local(instant).date()


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=LOCAL_TZ)


def day_range(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start of date_from, start of the day after date_to) in Beijing time, as UTC: the
    instants a period of local dates covers (the caller checks the order)."""
    start = dt.datetime.combine(date_from, dt.time(0), tzinfo=LOCAL_TZ)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL_TZ)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _check_instant(value: dt.datetime, field: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveInstant(field=field)


def _check_pauses(start: dt.datetime, pauses: Sequence[Pause]) -> None:
    previous_end = start
    for index, (paused, resumed) in enumerate(pauses):
        field = f"pauses.{index}"
        _check_instant(paused, f"{field}.0")
        if resumed is not None:
            _check_instant(resumed, f"{field}.1")
        if paused < previous_end:
            raise InvalidPauses(
                field=field,
                reason_zh="暂停时间早于开始时间或上一次恢复时间",
                reason_en="a pause begins before the start or before the previous resume",
            )
        if resumed is None:
            if index != len(pauses) - 1:
                raise InvalidPauses(
                    field=field,
                    reason_zh="只有最后一次暂停可以尚未恢复",
                    reason_en="only the last pause may be still open",
                )
            return
        if resumed < paused:
            raise InvalidPauses(
                field=field,
                reason_zh="恢复时间早于暂停时间",
                reason_en="resumed before it was paused",
            )
        previous_end = resumed


def evaluate(
    rule: Rule,
    start: dt.datetime,
    calendar: Calendar | None,
    pauses: Sequence[Pause] = (),
) -> Deadline:
    """Compute the deadline of ``rule`` started at ``start`` with ``pauses``.

    ``calendar`` may be None for an hours rule (it needs none). A day rule that needs a
    year the calendar lacks is counted on the provisional calendar, never refused
    (GEN-3), and the result says ``provisional``."""
    _check_instant(start, "start")
    _check_pauses(start, pauses)
    if rule.type == "hours":
        return _evaluate_hours(rule, start, pauses)
    if calendar is None:
        raise ValueError("a day rule needs a calendar")
    return _evaluate_days(rule, start, calendar, pauses)


def due_at(
    rule: Rule,
    start: dt.datetime,
    calendar: Calendar | None,
    pauses: Sequence[Pause] = (),
) -> dt.datetime | None:
    """The due instant in Asia/Shanghai time, or None while the clock is paused."""
    return evaluate(rule, start, calendar, pauses).due


def _evaluate_hours(rule: Rule, start: dt.datetime, pauses: Sequence[Pause]) -> Deadline:
    remaining = dt.timedelta(hours=rule.n)
    segment_start = start
    for paused, resumed in pauses:
        due = segment_start + remaining
        if paused >= due:
            break  # the deadline was reached before this pause began
        remaining -= paused - segment_start
        if resumed is None:
            return Deadline(rule=rule, due=None, paused_since=paused, remaining=remaining)
        segment_start = resumed
    return Deadline(rule=rule, due=to_local(segment_start + remaining))


def _final_day(rule: Rule, base: dt.date, remaining: int, calendar: Calendar) -> dt.date:
    """The due date counting ``remaining`` days after ``base`` (base not counted)."""
    if rule.type == "working_days":
        if remaining == 0:
            return base
        return calendar.add_working_days(base, remaining)
    day = base + dt.timedelta(days=remaining)
    # Civil Code art. 203: a period whose last day is a holiday ends on the next working day.
    if not calendar.is_working_day(day):
        day = calendar.next_working_day(day)
    return day


def _days_used(rule: Rule, base: dt.date, through: dt.date, calendar: Calendar) -> int:
    if rule.type == "working_days":
        return calendar.working_days_between(base, through)
    return max(0, (through - base).days)


def _evaluate_days(
    rule: Rule, start: dt.datetime, calendar: Calendar, pauses: Sequence[Pause]
) -> Deadline:
    remaining = rule.n
    base = local_date(start)
    for paused, resumed in pauses:
        due = end_of_day(_final_day(rule, base, remaining, calendar))
        if paused >= due:
            break  # the deadline was reached before this pause began
        used = _days_used(rule, base, local_date(paused), calendar)
        # A pause on a day the art. 203 move added (past the n-th day) uses what is left.
        remaining = max(0, remaining - used)
        if resumed is None:
            return Deadline(rule=rule, due=None, paused_since=paused, remaining_days=remaining)
        base = local_date(resumed)
    final = _final_day(rule, base, remaining, calendar)
    provisional = calendar.provisional(local_date(start), final)
    return Deadline(rule=rule, due=end_of_day(final), provisional=provisional)
