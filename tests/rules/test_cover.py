"""The days a policy covers: its period, both days included, ending the day before a
termination takes effect (GEN-2, POL-3) — the one rule of the intake flag (CLM-R2) and
the automatic check outside_period (CLM-F3)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from claimdesk.rules.cover import covers, ended_by_termination, last_covered_day

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def test_the_period_both_days_included() -> None:  # SPEC GEN-2 CLM-R2
    assert covers(START, period_start=START, period_end=END)
    assert covers(END, period_start=START, period_end=END)
    assert not covers(START - dt.timedelta(days=1), period_start=START, period_end=END)
    assert not covers(END + dt.timedelta(days=1), period_start=START, period_end=END)


def test_a_termination_ends_cover_the_day_it_takes_effect() -> None:  # SPEC POL-3 CLM-R2
    effective = dt.date(2026, 6, 1)
    assert last_covered_day(END, effective) == dt.date(2026, 5, 31)
    assert ended_by_termination(END, effective)
    assert covers(dt.date(2026, 5, 31), period_start=START, period_end=END, terminated_on=effective)
    assert not covers(effective, period_start=START, period_end=END, terminated_on=effective)
    # One dated after the period's end (a cancellation recorded late) ends nothing early.
    later = dt.date(2027, 2, 1)
    assert last_covered_day(END, later) == END and not ended_by_termination(END, later)


@given(
    day=st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    terminated=st.none() | st.dates(dt.date(2025, 6, 1), dt.date(2027, 6, 1)),
)
def test_covered_exactly_inside_the_period_and_before_the_termination(
    day: dt.date, terminated: dt.date | None
) -> None:  # SPEC GEN-2 POL-3
    expected = START <= day <= END and (terminated is None or day < terminated)
    assert covers(day, period_start=START, period_end=END, terminated_on=terminated) is expected
