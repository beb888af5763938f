"""The stored calendar as the deadline engine's value, built once per change (GEN-3).

Apart from ``service`` (which writes the calendar) so that the clocks can read the
calendar without importing the module that recomputes them after a change.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from claimdesk.calendar import repository
from claimdesk.rules.calendar import Calendar, is_provisional_source, make_calendar

# The calendar changes a few times a year and every day-rule clock needs it, so each
# process keeps the last one it built, keyed on the database and a version read from the
# database (number of years, last change, number of days). Every writer below touches its
# year's updated_at, so any change — from this process or another — changes the version;
# the version is one cheap query, re-read once per transaction (the session memo is
# dropped by the writers in this module and at the end of the transaction).
_CACHE: dict[str, tuple[tuple[object, ...], Calendar]] = {}
_SESSION_MEMO = "claimdesk.calendar"


def _version(session: Session) -> tuple[object, ...]:
    return repository.version(session)


def _build(session: Session) -> Calendar:
    stored = repository.all_years(session)
    years = [row.year for row in stored]
    provisional = [row.year for row in stored if is_provisional_source(row.source)]
    days = [(row.day, row.kind, row.name) for row in repository.days_of(session)]
    return make_calendar(years, days, provisional)


def load_calendar(session: Session, *, version: tuple[object, ...] | None = None) -> Calendar:
    """The whole stored calendar as a value for the deadline engine. ``version``: the
    calendar's version (repository.version_columns) when the caller has just read it
    in its own statement; otherwise it is read here (once per transaction)."""
    memo: Calendar | None = session.info.get(_SESSION_MEMO)
    if memo is not None:
        return memo
    key = str(session.get_bind().engine.url)
    if version is None:
        version = _version(session)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == version:
        calendar = cached[1]
    else:
        calendar = _build(session)
        _CACHE[key] = (version, calendar)
    session.info[_SESSION_MEMO] = calendar
    return calendar


def forget(session: Session) -> None:
    session.info.pop(_SESSION_MEMO, None)


@event.listens_for(Session, "after_transaction_end")
def _end_of_transaction(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost one; every flush ends a nested one
        forget(session)
