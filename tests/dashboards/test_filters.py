"""The dashboards' period and the instant running clocks are judged at come from one
reading of the app's clock (SPEC GEN-7; "any day of the year": a test freezing the
clock freezes both), so a deadline still running is never judged against another day
than the period's default end."""

from __future__ import annotations

import datetime as dt

import pytest

from claimdesk.claims import timeutil
from claimdesk.dashboards.service import filters_for
from claimdesk.web import kit

# 17:00 UTC on 31 Dec is already 1 Jan in Shanghai.
NEW_YEAR_UTC = dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC)


def test_the_period_and_the_judging_instant_are_one_reading() -> None:
    # SPEC GEN-7 GEN-2: the default period is this (Shanghai) year so far, up to `now`
    found = filters_for(date_from=None, date_to=None, org_unit_id=None, now=NEW_YEAR_UTC)
    assert found.now == NEW_YEAR_UTC
    assert (found.date_from, found.date_to) == (dt.date(2027, 1, 1), dt.date(2027, 1, 1))


def test_the_pages_today_follows_the_apps_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # SPEC GEN-2: the pages' "today" is the app's clock in Shanghai, the seam tests freeze
    monkeypatch.setattr(timeutil, "now", lambda: NEW_YEAR_UTC)
    assert kit.local_today() == dt.date(2027, 1, 1)
