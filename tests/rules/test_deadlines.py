"""The deadline engine (SPEC GEN-4): examples worked by hand from the SPEC, and properties."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimdesk.rules.calendar import Calendar, calendar_from_holidays_package
from claimdesk.rules.deadlines import (
    InvalidDeadlineRule,
    InvalidPauses,
    NaiveInstant,
    Rule,
    describe,
    due_at,
    evaluate,
)

SH = ZoneInfo("Asia/Shanghai")
CAL: Calendar = calendar_from_holidays_package([2025, 2026])


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def local(y: int, m: int, d: int, h: int = 23, mi: int = 59, s: int = 59) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, s, tzinfo=SH)


def test_hours_run_around_the_clock_across_midnight_and_holidays() -> None:
    # SPEC GEN-4: N hours = start + N hours.
    assert due_at(Rule("hours", 2), at("2026-03-10T22:30:00+08:00"), CAL) == local(
        2026, 3, 11, 0, 30, 0
    )
    assert due_at(Rule("hours", 24), at("2026-10-01T09:30:00+08:00"), None) == local(
        2026, 10, 2, 9, 30, 0
    )


def test_working_days_start_day_not_counted_and_end_of_local_day() -> None:
    # SPEC GEN-4, GEN-2: a UTC start that is already the next day in Shanghai counts from there.
    due = due_at(Rule("working_days", 1), at("2026-03-05T17:00:00+00:00"), CAL)  # Fri 01:00 local
    assert due == local(2026, 3, 9)
    assert due is not None and due.utcoffset() == dt.timedelta(hours=8)


def test_working_days_over_spring_festival_uses_adjusted_saturday() -> None:
    # SPEC GEN-3, GEN-4: Thu Feb 12 + 3 = Fri 13, Sat 14 (调休), Tue 24.
    assert due_at(Rule("working_days", 3), at("2026-02-12T10:00:00+08:00"), CAL) == local(
        2026, 2, 24
    )


def test_days_rule_moves_only_when_the_last_day_is_not_a_working_day() -> None:
    # SPEC GEN-4 (Civil Code art. 201, 203)
    start = at("2026-03-02T10:00:00+08:00")  # Monday
    assert due_at(Rule("days", 5), start, CAL) == local(2026, 3, 9)  # Sat Mar 7 -> Mon Mar 9
    assert due_at(Rule("days", 4), start, CAL) == local(2026, 3, 6)  # Friday stays
    # Holidays in the middle of the period still count as days.
    assert due_at(Rule("days", 10), at("2026-09-28T10:00:00+08:00"), CAL) == local(2026, 10, 8)
    # An adjusted working Saturday is a working day: no move.
    assert due_at(Rule("days", 7), at("2026-02-21T10:00:00+08:00"), CAL) == local(2026, 2, 28)


def test_hours_pauses_add_the_paused_time() -> None:
    # SPEC GEN-4
    pauses = [
        (at("2026-06-01T12:00:00+08:00"), at("2026-06-01T15:00:00+08:00")),
        (at("2026-06-02T08:00:00+08:00"), at("2026-06-03T08:00:00+08:00")),
    ]
    assert due_at(Rule("hours", 24), at("2026-06-01T09:00:00+08:00"), None, pauses) == local(
        2026, 6, 3, 12, 0, 0
    )


def test_working_days_with_two_pauses() -> None:
    # SPEC GEN-4: used = working days after start/resume date up to and including the pause date.
    pauses = [
        (at("2026-03-03T15:00:00+08:00"), at("2026-03-05T10:00:00+08:00")),  # uses Mar 3
        (at("2026-03-09T11:00:00+08:00"), at("2026-03-11T08:00:00+08:00")),  # uses Mar 6, 9
    ]
    due = due_at(Rule("working_days", 10), at("2026-03-02T09:00:00+08:00"), CAL, pauses)
    assert due == local(2026, 3, 20)  # 7 left after Mar 11: 12 13 16 17 18 19 20


def test_pause_with_nothing_left_ends_on_the_resume_date() -> None:
    # SPEC GEN-4: "if none are left, the deadline is the end of the resume date".
    pauses = [(at("2026-03-04T16:00:00+08:00"), at("2026-03-10T09:00:00+08:00"))]
    due = due_at(Rule("working_days", 2), at("2026-03-02T10:00:00+08:00"), CAL, pauses)
    assert due == local(2026, 3, 10)


def test_days_rule_with_pause_moves_only_the_final_date() -> None:
    # SPEC GEN-4: 10 days from Mon Sep 14; paused Fri Sep 18 (4 used); resumed on the
    # Mid-Autumn holiday Sep 25; 6 left -> Oct 1 (holiday) -> Oct 8.
    pauses = [(at("2026-09-18T09:00:00+08:00"), at("2026-09-25T10:00:00+08:00"))]
    due = due_at(Rule("days", 10), at("2026-09-14T09:00:00+08:00"), CAL, pauses)
    assert due == local(2026, 10, 8)


def test_a_pause_after_the_deadline_does_not_revive_it() -> None:
    # SPEC GEN-4 (choice documented in rules/deadlines.py)
    start = at("2026-03-02T10:00:00+08:00")
    late = [(at("2026-03-04T09:00:00+08:00"), at("2026-03-20T09:00:00+08:00"))]
    assert due_at(Rule("working_days", 1), start, CAL, late) == local(2026, 3, 3)
    assert due_at(Rule("hours", 1), start, None, late) == local(2026, 3, 2, 11, 0, 0)


def test_open_pause_means_paused_with_the_budget_left() -> None:
    # SPEC GEN-4
    result = evaluate(
        Rule("working_days", 5),
        at("2026-03-02T10:00:00+08:00"),
        CAL,
        [(at("2026-03-03T12:00:00+08:00"), None)],
    )
    assert result.paused and result.due is None and result.remaining_days == 4
    hours = evaluate(
        Rule("hours", 10),
        at("2026-03-02T10:00:00+08:00"),
        None,
        [(at("2026-03-02T13:00:00+08:00"), None)],
    )
    assert hours.remaining == dt.timedelta(hours=7)


def test_uncovered_year_is_counted_provisionally() -> None:
    # SPEC GEN-3: a deadline in a year not loaded is computed on the provisional calendar
    # (never refused) and says so; one inside loaded years is not provisional.
    crossing = evaluate(Rule("working_days", 5), at("2026-12-28T10:00:00+08:00"), CAL)
    # Dec 29, 30, 31, (Jan 1 New Year's Day, 2–3 weekend) Jan 4, Jan 5.
    assert crossing.due == at("2027-01-05T23:59:59+08:00") and crossing.provisional
    later = evaluate(Rule("days", 3), at("2027-03-01T10:00:00+08:00"), CAL)
    assert later.due == at("2027-03-04T23:59:59+08:00") and later.provisional
    inside = evaluate(Rule("working_days", 3), at("2026-09-29T10:00:00+08:00"), CAL)
    assert inside.due == at("2026-10-09T23:59:59+08:00") and not inside.provisional
    hours = evaluate(Rule("hours", 24), at("2026-12-31T10:00:00+08:00"), CAL)
    assert not hours.provisional


def test_bad_input_names_the_field() -> None:
    # SPEC GEN-6
    with pytest.raises(InvalidDeadlineRule):
        Rule("weeks", 1)  # type: ignore[arg-type]
    with pytest.raises(InvalidDeadlineRule) as caught:
        Rule("days", 0)
    assert caught.value.field == "rule.n"
    with pytest.raises(NaiveInstant) as naive:
        due_at(Rule("hours", 1), dt.datetime(2026, 3, 2, 10), None)
    assert naive.value.field == "start"
    start = at("2026-03-02T10:00:00+08:00")
    with pytest.raises(InvalidPauses) as before:
        due_at(Rule("hours", 5), start, None, [(at("2026-03-01T10:00:00+08:00"), start)])
    assert before.value.field == "pauses.0"
    with pytest.raises(InvalidPauses):
        due_at(Rule("hours", 5), start, None, [(start, None), (start, None)])
    with pytest.raises(InvalidPauses):
        pause = at("2026-03-02T12:00:00+08:00")
        due_at(Rule("hours", 5), start, None, [(pause, pause - dt.timedelta(hours=1))])


def test_describe_names_the_rule_in_both_languages() -> None:
    # SPEC GEN-4: every deadline says which rule made it.
    assert describe(Rule("working_days", 3), "zh-CN") == "3 个工作日"
    assert describe(Rule("working_days", 3), "en") == "3 working days"
    assert describe(Rule("hours", 1), "en") == "1 hour"
    assert describe(Rule("hours", 24), "zh-CN") == "24 小时"
    assert "15 日" in describe(Rule("days", 15), "zh-CN")
    assert "15 days" in describe(Rule("days", 15), "en")


# --- properties --------------------------------------------------------------------------

# Starts in 2025-01-01 .. 2026-09-30, so every computation below stays inside 2025–2026.
starts = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2026, 9, 30), timezones=st.just(SH)
)
day_rules = st.sampled_from(["working_days", "days"])
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(start=starts, kind=st.sampled_from(["hours", "working_days", "days"]), n=st.integers(1, 29))
def test_due_is_monotone_in_n(start: dt.datetime, kind: str, n: int) -> None:
    # SPEC GEN-4: a longer limit never ends earlier (strictly later except art. 203 merges).
    shorter = due_at(Rule(kind, n), start, CAL)  # type: ignore[arg-type]
    longer = due_at(Rule(kind, n + 1), start, CAL)  # type: ignore[arg-type]
    assert shorter is not None and longer is not None
    assert longer >= shorter
    if kind != "days":
        assert longer > shorter


@PROPS
@given(start=starts, n=st.integers(1, 30))
def test_working_days_due_is_a_working_day_at_235959_local(start: dt.datetime, n: int) -> None:
    # SPEC GEN-4
    due = due_at(Rule("working_days", n), start, CAL)
    assert due is not None
    assert due.astimezone(SH).time() == dt.time(23, 59, 59)
    assert CAL.is_working_day(due.astimezone(SH).date())
    assert CAL.working_days_between(start.astimezone(SH).date(), due.astimezone(SH).date()) == n


@PROPS
@given(
    start=starts,
    kind=st.sampled_from(["hours", "working_days", "days"]),
    n=st.integers(1, 20),
    offset_minutes=st.integers(0, 20 * 24 * 60),
    length_minutes=st.integers(0, 15 * 24 * 60),
)
def test_pausing_never_makes_a_due_date_earlier(
    start: dt.datetime, kind: str, n: int, offset_minutes: int, length_minutes: int
) -> None:
    # SPEC GEN-4
    rule = Rule(kind, n)  # type: ignore[arg-type]
    paused = start + dt.timedelta(minutes=offset_minutes)
    resumed = paused + dt.timedelta(minutes=length_minutes)
    plain = due_at(rule, start, CAL)
    with_pause = due_at(rule, start, CAL, [(paused, resumed)])
    assert plain is not None and with_pause is not None
    assert with_pause >= plain
