"""The calendar value and its construction from the holidays package."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from claimdesk.errors import CalendarYearNotCovered
from claimdesk.rules.calendar import (
    calendar_from_holidays_package,
    make_calendar,
    package_arrangement,
    package_published_years,
)
from claimdesk.rules.money import floor_zero, round_money

D = dt.date


@pytest.fixture(scope="module")
def cal():  # type: ignore[no-untyped-def]
    return calendar_from_holidays_package([2025, 2026])


def test_spring_festival_2026_days_off_and_adjusted_saturdays(cal) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3: 2026 Spring Festival is Feb 15–23 off, Feb 14 and Feb 28 (Saturdays) worked.
    for day in range(15, 24):
        assert not cal.is_working_day(D(2026, 2, day)), day
    assert cal.is_working_day(D(2026, 2, 14))
    assert cal.is_working_day(D(2026, 2, 28))
    assert cal.is_working_day(D(2026, 2, 24))


def test_national_day_2026_and_its_adjusted_weekends(cal) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3: Oct 1–7 off; Sunday Sep 20 and Saturday Oct 10 are working days.
    assert [cal.is_working_day(D(2026, 10, d)) for d in range(1, 9)] == [False] * 7 + [True]
    assert cal.is_working_day(D(2026, 9, 20))
    assert cal.is_working_day(D(2026, 10, 10))
    assert not cal.is_working_day(D(2026, 10, 11))  # an ordinary Sunday


def test_ordinary_weekdays_and_weekends(cal) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3
    assert cal.is_working_day(D(2026, 3, 4))  # Wednesday
    assert not cal.is_working_day(D(2026, 3, 7))  # Saturday
    assert not cal.is_working_day(D(2026, 3, 8))  # Sunday


def test_uncovered_year_uses_the_provisional_calendar(cal) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3 (amended): a year not loaded never stops work: statutory holidays as the
    # law fixes them, weekends as rest days, no 调休 — and the answer says provisional.
    assert cal.is_working_day(D(2027, 3, 1))  # an ordinary Monday
    assert not cal.is_working_day(D(2027, 3, 6))  # Saturday
    assert not cal.is_working_day(D(2027, 10, 1))  # National Day, fixed by law
    assert not cal.is_working_day(D(2027, 2, 6))  # Spring Festival (lunar, from the package)
    # The package's estimated substitute day (春节补假) is not the law: a working day here.
    assert cal.is_working_day(D(2027, 2, 9))
    assert cal.next_working_day(D(2026, 12, 31)) == D(2027, 1, 4)  # Jan 1 off, then weekend
    assert cal.provisional(D(2026, 12, 1), D(2027, 1, 4))
    assert not cal.provisional(D(2026, 1, 1), D(2026, 12, 31))
    assert cal.is_provisional(2027) and not cal.is_provisional(2026)


def test_provisional_year_stored_before_publication_is_provisional() -> None:
    # SPEC GEN-3: a year seeded with `--provisional` counts, but stays marked provisional.
    stored = make_calendar([2026, 2027], provisional_years=[2027])
    assert stored.is_provisional(2027) and not stored.is_provisional(2026)


def test_provisional_holidays_fall_back_to_the_fixed_dates(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3: when the package cannot compute a year, the law's fixed-date days remain.
    import holidays.countries.china as china

    from claimdesk.rules.calendar import provisional_holidays

    def broken(*args: object, **kwargs: object) -> None:
        raise NotImplementedError

    monkeypatch.setattr(china, "China", broken)
    days = provisional_holidays.__wrapped__(2031)
    assert days == {D(2031, 1, 1), D(2031, 5, 1), D(2031, 5, 2)} | {
        D(2031, 10, d) for d in (1, 2, 3)
    }


def test_next_and_nth_working_day_and_counting(cal) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3, GEN-4
    assert cal.next_working_day(D(2026, 9, 30)) == D(2026, 10, 8)
    assert cal.add_working_days(D(2026, 9, 29), 3) == D(2026, 10, 9)
    assert cal.working_days_between(D(2026, 9, 29), D(2026, 10, 9)) == 3
    assert cal.working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 0
    with pytest.raises(ValueError):
        cal.add_working_days(D(2026, 3, 2), 0)


def test_package_refuses_years_without_a_published_arrangement() -> None:
    # SPEC GEN-3: the package extrapolates festivals for future years without 调休; refuse them.
    published = package_published_years()
    assert {2025, 2026} <= published
    future = max(published) + 1
    with pytest.raises(CalendarYearNotCovered) as caught:
        package_arrangement(future)
    assert str(future) in caught.value.message("zh-CN")
    with pytest.raises(CalendarYearNotCovered):
        calendar_from_holidays_package([future])


def test_package_arrangement_rows_are_inside_the_year_with_chinese_names() -> None:
    # SPEC GEN-3
    rows = package_arrangement(2026)
    assert all(day.year == 2026 for day, _, _ in rows)
    assert (D(2026, 10, 1), "holiday", "国庆节") in rows
    assert (D(2026, 10, 10), "workday", "调休上班") in rows
    # The package's list of weekend workdays spans many years; none leaks into 2026.
    assert not any(day.year == 2001 for day, _, _ in rows)


def test_make_calendar_exceptions_override_the_weekday_rule() -> None:
    # SPEC GEN-3: an administrator's arrangement is data, not code.
    cal = make_calendar([2030], [(D(2030, 1, 2), "holiday", "x"), (D(2030, 1, 5), "workday", "y")])
    assert not cal.is_working_day(D(2030, 1, 2))  # Wednesday made a holiday
    assert cal.is_working_day(D(2030, 1, 5))  # Saturday made a working day
    assert cal.name_of(D(2030, 1, 2)) == "x"


def test_round_money_half_up_once_and_floor_zero() -> None:
    # SPEC GEN-1
    assert round_money(Decimal("2.675")) == Decimal("2.68")
    assert round_money(Decimal("2.665")) == Decimal("2.67")  # not banker's rounding
    assert round_money(Decimal("10")) == Decimal("10.00")
    assert str(round_money(Decimal("0.004"))) == "0.00"
    assert floor_zero(Decimal("-5.10")) == Decimal("0.00")
    assert floor_zero(Decimal("3.20")) == Decimal("3.20")
    with pytest.raises(TypeError):
        round_money(2.675)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("stored", "english", "chinese"),
    [
        ("国庆节", "National Day", "国庆节"),
        ("中秋节; 国庆节", "Mid-Autumn Festival; National Day", "中秋节; 国庆节"),
        ("春节（补假）", "Chinese New Year (Spring Festival) (observed)", "春节（补假）"),
        (
            "休息日（由 2026-01-04 调休）",
            "Day off (in exchange for working 4 Jan 2026)",
            "休息日（由 2026年1月4日 调休）",
        ),
        ("调休上班", "Adjusted working day (weekend worked)", "调休上班"),
        ("公司周年庆", "公司周年庆", "公司周年庆"),  # an administrator's own name, as typed
    ],
)
def test_day_names_in_the_readers_language(stored: str, english: str, chinese: str) -> None:
    # SPEC GEN-2, GEN-3: the package's Chinese names have its English ones beside them.
    from claimdesk.rules.calendar import day_name

    assert day_name(stored, "en") == english
    assert day_name(stored, "zh-CN") == chinese


def test_every_stored_package_name_has_an_english_name() -> None:
    # SPEC GEN-2: no day the package gives reads Chinese on an English page.
    from claimdesk.rules.calendar import day_name

    for year in sorted(package_published_years())[-3:]:
        for _day, _kind, name in package_arrangement(year):
            assert not any("\u4e00" <= ch <= "\u9fff" for ch in day_name(name, "en")), name
