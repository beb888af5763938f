"""The stored calendar (SPEC GEN-3): seeding, administrator corrections, the API and the
deadline calculator (GEN-4)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from claimdesk.audit.service import pending_count
from claimdesk.auth.principal import Principal
from claimdesk.calendar import service
from claimdesk.calendar.errors import (
    CalendarDayOutsideYear,
    CalendarDuplicateDay,
    CalendarWorkdayNotWeekend,
)
from claimdesk.errors import CalendarYearNotCovered
from claimdesk.models.audit import AuditEntry
from claimdesk.models.calendar import CalendarDay, CalendarYear
from claimdesk.rules.calendar import calendar_from_holidays_package, package_source
from claimdesk.rules.deadlines import Rule, due_at
from tests.builders import login_headers, make_user, seed_calendar

D = dt.date
ADMIN = Principal.build(user_id=None, username="admin-test", roles={"administrator"})
START = dt.datetime.fromisoformat("2026-03-02T10:00:00+08:00")  # Monday


def day_count(db, year: int) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(select(func.count()).select_from(CalendarDay).where(CalendarDay.year == year))


def test_seed_is_idempotent_and_matches_the_package(db) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3
    assert seed_calendar(db, years=[2025, 2026]) == [2025, 2026]
    rows = day_count(db, 2026)
    audits = pending_count(db)
    assert seed_calendar(db, years=[2026]) == []
    assert day_count(db, 2026) == rows > 20
    assert pending_count(db) == audits  # nothing changed, nothing audited
    assert db.get(CalendarYear, 2026).source == package_source()
    stored = service.load_calendar(db)
    package = calendar_from_holidays_package([2025, 2026])
    assert stored.covered_years == {2025, 2026}
    assert stored.holidays == package.holidays and stored.workdays == package.workdays


def test_seeding_an_unpublished_year_writes_nothing(db) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3: never a silent guess.
    with pytest.raises(CalendarYearNotCovered):
        service.seed_from_package(db, years=[2026, 2099], actor=ADMIN)
    assert db.get(CalendarYear, 2026) is None


def test_admin_correction_changes_a_computed_deadline(db) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3, GEN-4: e.g. a day off decreed after a typhoon.
    seed_calendar(db, years=[2026])
    rule = Rule("working_days", 1)
    assert due_at(rule, START, service.load_calendar(db)) == dt.datetime(
        2026, 3, 3, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=8))
    )
    service.set_day(
        db, day=D(2026, 3, 3), kind="holiday", name="台风停工", actor=ADMIN, reason="政府通知"
    )
    due = due_at(rule, START, service.load_calendar(db))
    assert due is not None and due.date() == D(2026, 3, 4)
    assert db.get(CalendarYear, 2026).source == service.ADMIN_SOURCE
    service.remove_day(db, day=D(2026, 3, 3), actor=ADMIN)
    due = due_at(rule, START, service.load_calendar(db))
    assert due is not None and due.date() == D(2026, 3, 3)


def test_replace_year_adds_a_new_year_and_validates_every_day(db) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3: the administrator enters a year when the State Council publishes it.
    view = service.replace_year(
        db,
        year=2027,
        days=[(D(2027, 1, 1), "holiday", "元旦"), (D(2027, 2, 20), "workday", "调休上班")],
        actor=ADMIN,
    )
    assert [d.day for d in view.days] == [D(2027, 1, 1), D(2027, 2, 20)]
    cal = service.load_calendar(db)
    assert not cal.is_working_day(D(2027, 1, 1)) and cal.is_working_day(D(2027, 2, 20))
    with pytest.raises(CalendarDayOutsideYear) as outside:
        service.replace_year(db, year=2027, days=[(D(2026, 12, 31), "holiday", "x")], actor=ADMIN)
    assert outside.value.field == "days.0.day"
    with pytest.raises(CalendarDuplicateDay):
        service.replace_year(
            db,
            year=2027,
            days=[(D(2027, 1, 1), "holiday", "a"), (D(2027, 1, 1), "holiday", "b")],
            actor=ADMIN,
        )
    with pytest.raises(CalendarWorkdayNotWeekend):
        service.replace_year(db, year=2027, days=[(D(2027, 3, 3), "workday", "x")], actor=ADMIN)
    assert day_count(db, 2027) == 2  # the refused arrangements changed nothing


def test_set_day_in_an_uncovered_year_is_refused(db) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3
    with pytest.raises(CalendarYearNotCovered):
        service.set_day(db, day=D(2031, 5, 1), kind="holiday", name="劳动节", actor=ADMIN)


# --- API -----------------------------------------------------------------------------------


@pytest.fixture
def admin_headers(db, client):  # type: ignore[no-untyped-def]
    make_user(db, username="admin1", roles=["administrator"])
    make_user(db, username="handler1", roles=["claims_handler"])
    seed_calendar(db, years=[2026])
    db.commit()
    return login_headers(client, "admin1")


def test_api_reads_a_year_and_refuses_an_uncovered_one(db, client, admin_headers) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3, GEN-6
    handler = login_headers(client, "handler1")
    body = client.get("/api/v1/calendar/2026", headers=handler).json()
    assert body["year"] == 2026
    assert {"day": "2026-10-10", "kind": "workday", "name": "调休上班", "weekday": 6} in body[
        "days"
    ]
    missing = client.get("/api/v1/calendar/2027", headers=handler)
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "calendar_year_not_covered"
    assert "2027" in missing.json()["error"]["message"]
    assert [y["year"] for y in client.get("/api/v1/calendar", headers=handler).json()] == [2026]


def test_api_put_requires_calendar_manage_and_validates(db, client, admin_headers) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3, SEC-4, GEN-6
    arrangement = {
        "days": [{"day": "2027-01-01", "kind": "holiday", "name": "元旦"}],
        "reason": "国办发明电",
    }
    handler = login_headers(client, "handler1")
    assert client.put("/api/v1/calendar/2027", json=arrangement, headers=handler).status_code == 403
    bad = {"days": [{"day": "2026-12-31", "kind": "holiday", "name": "x"}]}
    refused = client.put("/api/v1/calendar/2027", json=bad, headers=admin_headers)
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "days.0.day"
    assert "2027" in refused.json()["error"]["message"]
    wrong_kind = {"days": [{"day": "2027-01-01", "kind": "vacation", "name": "x"}]}
    assert (
        client.put("/api/v1/calendar/2027", json=wrong_kind, headers=admin_headers).status_code
        == 422
    )
    assert db.get(CalendarYear, 2027) is None
    ok = client.put("/api/v1/calendar/2027", json=arrangement, headers=admin_headers)
    assert ok.status_code == 200, ok.text
    assert ok.json()["source"] == "administrator" and ok.json()["holidays"] == 1
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "calendar.year_replaced", AuditEntry.entity_id == "2027"
        )
    ).one()
    assert entry.actor == "admin1" and entry.reason == "国办发明电"


def test_api_import_and_single_day_correction(db, client, admin_headers) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3
    corrected = client.put(
        "/api/v1/calendar/days/2026-03-03",
        json={"kind": "holiday", "name": "台风停工", "reason": "市政府通知"},
        headers=admin_headers,
    )
    assert corrected.status_code == 200, corrected.text
    compute = {"rule": {"type": "working_days", "n": 1}, "start": "2026-03-02T10:00:00+08:00"}
    due = client.post("/api/v1/deadlines/compute", json=compute, headers=admin_headers).json()[
        "due"
    ]
    assert due == "2026-03-04T23:59:59+08:00"
    imported = client.post("/api/v1/calendar/2026/import", headers=admin_headers)
    assert imported.status_code == 200 and imported.json()["source"].startswith("holidays-package")
    due = client.post("/api/v1/deadlines/compute", json=compute, headers=admin_headers).json()[
        "due"
    ]
    assert due == "2026-03-03T23:59:59+08:00"
    refused = client.post("/api/v1/calendar/2099/import", headers=admin_headers)
    assert (
        refused.status_code == 422
        and refused.json()["error"]["code"] == "calendar_year_not_covered"
    )


def test_deadline_calculator(db, client, admin_headers) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-4: due in Shanghai time and UTC, with the rule's label; GEN-6 bad input.
    handler = login_headers(client, "handler1")
    body = {"rule": {"type": "working_days", "n": 3}, "start": "2026-09-29T10:00:00+08:00"}
    answer = client.post("/api/v1/deadlines/compute", json=body, headers=handler)
    assert answer.status_code == 200, answer.text
    assert answer.json()["due"] == "2026-10-09T23:59:59+08:00"
    assert answer.json()["due_utc"].startswith("2026-10-09T15:59:59")
    assert answer.json()["rule_label"] == "3 个工作日"
    english = client.post("/api/v1/deadlines/compute?lang=en", json=body, headers=handler).json()
    assert english["rule_label"] == "3 working days"
    paused = dict(body, pauses=[["2026-09-30T09:00:00+08:00", None]])
    answer = client.post("/api/v1/deadlines/compute", json=paused, headers=handler).json()
    assert answer["paused"] is True and answer["due"] is None and answer["remaining_days"] == 2
    assert answer["provisional"] is False
    # SPEC GEN-3: a year not loaded is counted on the provisional calendar, never refused.
    uncovered = dict(body, start="2027-03-01T10:00:00+08:00")
    provisional = client.post("/api/v1/deadlines/compute", json=uncovered, headers=handler)
    assert provisional.status_code == 200, provisional.text
    assert provisional.json()["due"] == "2027-03-04T23:59:59+08:00"
    assert provisional.json()["provisional"] is True
    naive = client.post(
        "/api/v1/deadlines/compute", json=dict(body, start="2026-09-29T10:00:00"), headers=handler
    )
    assert naive.status_code == 422 and naive.json()["error"]["field"] == "start"
    backwards = dict(body, pauses=[["2026-09-28T09:00:00+08:00", "2026-09-30T09:00:00+08:00"]])
    refused = client.post("/api/v1/deadlines/compute", json=backwards, headers=handler)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "pauses.0"
    garbage = client.post("/api/v1/deadlines/compute", content=b"{", headers=handler)
    assert garbage.status_code == 422
    anonymous = client.post("/api/v1/deadlines/compute", json=body)
    assert anonymous.status_code == 401


def test_a_change_committed_elsewhere_reaches_every_process_cache(fresh_db_url) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3, GEN-4: each process keeps the calendar it built, keyed on a version read
    # from the database; an administrator's correction saved by another process (here:
    # another engine) must be used by the next deadline computed here.
    from sqlalchemy.orm import Session

    from claimdesk.db import make_engine

    here, there = make_engine(fresh_db_url), make_engine(fresh_db_url)
    rule = Rule("working_days", 1)
    try:
        with Session(here) as session:
            seed_calendar(session, years=[2026])
            session.commit()
            first = service.load_calendar(session)
            assert service.load_calendar(session) is first  # one build per version
            assert due_at(rule, START, first).date() == D(2026, 3, 3)  # type: ignore[union-attr]
        with Session(there) as other:
            service.set_day(other, day=D(2026, 3, 3), kind="holiday", name="台风停工", actor=ADMIN)
            other.commit()
        with Session(here) as session:
            after = service.load_calendar(session)
            assert after is not first
            assert due_at(rule, START, after).date() == D(2026, 3, 4)  # type: ignore[union-attr]
        with Session(there) as other:
            service.remove_day(other, day=D(2026, 3, 3), actor=ADMIN)
            other.commit()
        with Session(here) as session:
            assert due_at(rule, START, service.load_calendar(session)).date() == D(2026, 3, 3)  # type: ignore[union-attr]
    finally:
        here.dispose()
        there.dispose()
