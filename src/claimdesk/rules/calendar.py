"""China's working-day calendar as a value (SPEC GEN-3).

A day is a working day when it is Monday–Friday and not a statutory holiday, or when it
is a weekend day officially made a working day (调休). Only the exceptions to the
Monday–Friday rule are stored. A year the calendar does not cover is an error, never a
guess: the State Council publishes each year's arrangement separately.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from claimdesk.errors import CalendarYearNotCovered

HOLIDAY = "holiday"
WORKDAY = "workday"
DAY_KINDS = (HOLIDAY, WORKDAY)

# The package names its data source in CalendarYear.source.
PACKAGE_SOURCE_PREFIX = "holidays-package"


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[dt.date] = frozenset()
    # Weekend days made working days (调休上班).
    workdays: frozenset[dt.date] = frozenset()
    covered_years: frozenset[int] = frozenset()
    # Day names for display ("春节", "National Day"); not used for any decision.
    names: dict[dt.date, str] = field(default_factory=dict, compare=False, hash=False)

    def covers(self, day: dt.date) -> bool:
        return day.year in self.covered_years

    def require_covered(self, day: dt.date) -> None:
        if day.year not in self.covered_years:
            raise CalendarYearNotCovered(year=day.year)

    def is_working_day(self, day: dt.date) -> bool:
        self.require_covered(day)
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        candidate = day + dt.timedelta(days=1)
        while not self.is_working_day(candidate):
            candidate += dt.timedelta(days=1)
        return candidate

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after ``day`` (``day`` itself is not counted); n >= 1."""
        if n < 1:
            raise ValueError("n must be at least 1")
        current = day
        for _ in range(n):
            current = self.next_working_day(current)
        return current

    def working_days_between(self, after: dt.date, through: dt.date) -> int:
        """How many working days lie in (after, through] — zero when through <= after."""
        count = 0
        current = after + dt.timedelta(days=1)
        while current <= through:
            if self.is_working_day(current):
                count += 1
            current += dt.timedelta(days=1)
        return count

    def name_of(self, day: dt.date) -> str | None:
        return self.names.get(day)


def make_calendar(
    years: Iterable[int],
    days: Iterable[tuple[dt.date, str, str]] = (),
) -> Calendar:
    """Build a calendar from (day, kind, name) exceptions; ``years`` are covered."""
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    names: dict[dt.date, str] = {}
    for day, kind, name in days:
        (holidays if kind == HOLIDAY else workdays).add(day)
        names[day] = name
    return Calendar(
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        covered_years=frozenset(years),
        names=names,
    )


def package_version() -> str:
    from holidays.version import __version__

    return str(__version__)


def package_source() -> str:
    return f"{PACKAGE_SOURCE_PREFIX} {package_version()}"


def package_published_years() -> frozenset[int]:
    """Years for which the installed ``holidays`` package carries the State Council's
    published arrangement (its substituted days off). For later years the package only
    extrapolates the festivals without the 调休 weekends — a guess we refuse to use."""
    from holidays.countries.china import ChinaStaticHolidays

    published = getattr(ChinaStaticHolidays, "special_public_holidays", None)
    if isinstance(published, dict):
        return frozenset(int(year) for year in published)
    # Older/newer package layouts: fall back to years that have adjusted workdays.
    from holidays.countries.china import China

    china = China(years=range(2001, dt.date.today().year + 3))  # type: ignore[no-untyped-call]
    return frozenset(day.year for day in china.weekend_workdays)


def package_arrangement(year: int, *, provisional: bool = False) -> list[tuple[dt.date, str, str]]:
    """One year's exceptions from the ``holidays`` package: (day, kind, name), sorted.

    Raises CalendarYearNotCovered when the package has no published arrangement, unless
    ``provisional``: then the package's statutory holidays are taken without any
    adjusted working weekends — an explicit, recorded administrator decision for a year
    the State Council has not published yet, never a silent default."""
    from holidays.countries.china import China

    if year not in package_published_years() and not provisional:
        raise CalendarYearNotCovered(
            field="year",
            year=year,
            zh="节假日库（holidays {version}）尚无 {year} 年的国务院放假安排；请管理员录入该年度安排",
            en=(
                "The holidays package ({version}) has no published arrangement for {year}; "
                "an administrator must enter that year's arrangement"
            ),
            version=package_version(),
        )
    china = China(years=year, language="zh_CN")  # type: ignore[no-untyped-call]
    rows: list[tuple[dt.date, str, str]] = [
        (day, HOLIDAY, str(name)) for day, name in china.items() if day.year == year
    ]
    rows += [(day, WORKDAY, "调休上班") for day in china.weekend_workdays if day.year == year]
    return sorted(rows)


def calendar_from_holidays_package(years: Iterable[int]) -> Calendar:
    """A calendar covering ``years`` straight from the package (conformance runs, seeding)."""
    wanted = sorted(set(years))
    rows: list[tuple[dt.date, str, str]] = []
    for year in wanted:
        rows += package_arrangement(year)
    return make_calendar(wanted, rows)
