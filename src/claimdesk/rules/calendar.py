"""China's working-day calendar as a value (SPEC GEN-3).

A day is a working day when it is Monday–Friday and not a statutory holiday, or when it
is a weekend day officially made a working day (调休). Only the exceptions to the
Monday–Friday rule are stored.

A year the calendar does not cover (the State Council publishes each year's arrangement
separately, usually in November) never stops work (GEN-3, amended): its days follow the
*provisional* calendar — that year's statutory holidays as the law fixes them, weekends
as rest days, no 调休 — and every answer that used it says so (:meth:`Calendar.provisional`).
A stored year whose source says "provisional" (seeded before publication) is provisional
too.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from claimdesk.errors import CalendarYearNotCovered
from claimdesk.rules.checks.words import day_en, day_zh

HOLIDAY = "holiday"
WORKDAY = "workday"
DAY_KINDS = (HOLIDAY, WORKDAY)

# The package names its data source in CalendarYear.source.
PACKAGE_SOURCE_PREFIX = "holidays-package"
PROVISIONAL_SUFFIX = "provisional"

# The statutory days off whose date is fixed in the solar calendar (全国年节及纪念日放假办法,
# as amended in 2024): New Year's Day, Labour Day (2 days), National Day (3 days). Used
# only when the holidays package cannot compute a year (the lunar festivals need it).
_FIXED_STATUTORY = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))


@functools.lru_cache(maxsize=64)
def provisional_holidays(year: int) -> frozenset[dt.date]:
    """A year's statutory holidays as the law fixes them (GEN-3 provisional calendar):
    the package's festival rules without its estimated substitute days, else the
    fixed-date list. Weekends are rest days anyway; no 调休."""
    try:
        from holidays.countries.china import China  # heavy (~1 s): only when a year is seeded

        china = China(years=year, observed=False)  # type: ignore[no-untyped-call]
        days = frozenset(day for day in china if day.year == year)
    except Exception:  # the package knows no rule for this year: the law's fixed list
        days = frozenset()
    return days or frozenset(dt.date(year, m, d) for m, d in _FIXED_STATUTORY)


def is_provisional_source(source: str) -> bool:
    return source.endswith(PROVISIONAL_SUFFIX)


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[dt.date] = frozenset()
    # Weekend days made working days (调休上班).
    workdays: frozenset[dt.date] = frozenset()
    covered_years: frozenset[int] = frozenset()
    # Stored years seeded before the State Council published them (source "… provisional").
    provisional_years: frozenset[int] = frozenset()
    # Day names for display ("春节", "National Day"); not used for any decision.
    names: dict[dt.date, str] = field(default_factory=dict, compare=False, hash=False)

    def covers(self, day: dt.date) -> bool:
        return day.year in self.covered_years

    def is_provisional(self, year: int) -> bool:
        """True when ``year``'s days come from the provisional calendar (GEN-3)."""
        return year not in self.covered_years or year in self.provisional_years

    def provisional(self, first: dt.date, last: dt.date) -> bool:
        """True when any year from ``first`` to ``last`` is provisional: a deadline counted
        over those days is provisional."""
        return any(self.is_provisional(year) for year in range(first.year, last.year + 1))

    def is_working_day(self, day: dt.date) -> bool:
        if day.year not in self.covered_years:
            return day.weekday() < 5 and day not in provisional_holidays(day.year)
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
    provisional_years: Iterable[int] = (),
) -> Calendar:
    """Build a calendar from (day, kind, name) exceptions; ``years`` are covered, of
    which ``provisional_years`` were stored before publication."""
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
        provisional_years=frozenset(provisional_years),
        names=names,
    )


def package_version() -> str:
    from holidays.version import __version__  # heavy (~1 s): only when asked

    return str(__version__)


def package_source() -> str:
    return f"{PACKAGE_SOURCE_PREFIX} {package_version()}"


def package_published_years() -> frozenset[int]:
    """Years for which the installed ``holidays`` package carries the State Council's
    published arrangement (its substituted days off). For later years the package only
    extrapolates the festivals without the 调休 weekends — a guess we refuse to use."""
    from holidays.countries.china import ChinaStaticHolidays  # heavy (~1 s): only when asked

    published = getattr(ChinaStaticHolidays, "special_public_holidays", None)
    if isinstance(published, dict):
        return frozenset(int(year) for year in published)
    # Older/newer package layouts: fall back to years that have adjusted workdays.
    from holidays.countries.china import China

    # A fixed range, not "today + n": no behaviour depends on today's date (GEN-3).
    china = China(years=range(2001, 2101))  # type: ignore[no-untyped-call]
    return frozenset(day.year for day in china.weekend_workdays)


def package_arrangement(year: int, *, provisional: bool = False) -> list[tuple[dt.date, str, str]]:
    """One year's exceptions from the ``holidays`` package: (day, kind, name), sorted.

    Raises CalendarYearNotCovered when the package has no published arrangement, unless
    ``provisional``: then the year's statutory holidays as the law fixes them are taken
    (GEN-3's provisional calendar: no estimated substitute days, no adjusted working
    weekends), stored with a source that says "provisional"."""
    from holidays.countries.china import China  # heavy (~1 s): only when a year is seeded

    published = year in package_published_years()
    if not published and not provisional:
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
    china = China(years=year, language="zh_CN", observed=published)  # type: ignore[no-untyped-call]
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


# A weekend worked in exchange for a day off has this name (package_arrangement).
WORKDAY_NAME = "调休上班"
_SUBSTITUTED = re.compile(r"^休息日（由 (\d{4})-(\d{2})-(\d{2}) 调休）$")


def day_name(name: str, language: str) -> str:
    """A stored calendar day's name as the reader's language says it (GEN-2, GEN-3).

    Days imported from the holidays package are stored under its Chinese names; their
    English names come from the same package, so a page in English reads "National Day",
    not 国庆节. The package's substituted days name the worked weekend in ISO form
    (休息日（由 2026-01-04 调休）); the date is said as the reader writes dates. A name an
    administrator typed that the package does not know is shown as typed."""
    english = not language.lower().startswith("zh")
    if name == WORKDAY_NAME:
        return "Adjusted working day (weekend worked)" if english else name
    substituted = _SUBSTITUTED.match(name)
    if substituted:
        worked = dt.date(*(int(part) for part in substituted.groups()))
        if english:
            return f"Day off (in exchange for working {day_en(worked)})"
        return f"休息日（由 {day_zh(worked)} 调休）"
    if not english:
        return name
    # Two festivals on one day are joined by the package with "; " (中秋节; 国庆节).
    return "; ".join(_english_names().get(part, part) for part in name.split("; "))


@functools.cache
def _english_names() -> dict[str, str]:
    """The package's Chinese holiday names with their English ones, paired by date."""
    from holidays.countries.china import China  # heavy (~1 s): only when names are asked

    years = range(2000, max(package_published_years(), default=2000) + 2)
    chinese = China(years=years, language="zh_CN", observed=True)  # type: ignore[no-untyped-call]
    english = China(years=years, language="en_US", observed=True)  # type: ignore[no-untyped-call]
    pairs: dict[str, str] = {}
    for day, zh_names in chinese.items():
        for zh, en in zip(str(zh_names).split("; "), str(english[day]).split("; "), strict=False):
            if not _SUBSTITUTED.match(zh):
                pairs.setdefault(zh, en)
    return pairs
