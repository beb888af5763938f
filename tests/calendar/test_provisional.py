"""The provisional calendar on records (SPEC GEN-3, amended): running clocks counted over
a year not loaded are marked provisional, recomputed (and audited) when the year is
loaded or corrected; the package's published years load automatically; administrators
are warned from 1 October when next year is not loaded."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from claimdesk.auth.principal import Principal
from claimdesk.calendar import service
from claimdesk.clocks import service as clocks
from claimdesk.models.audit import AuditEntry
from claimdesk.models.calendar import CalendarYear
from claimdesk.rules.calendar import package_arrangement, package_source
from claimdesk.rules.deadlines import Rule
from tests.builders import login_headers, make_user, seed_calendar

ADMIN = Principal.build(user_id=None, username="admin-test", roles={"administrator"})
D = dt.date


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def start(db, rule: Rule, started: str, subject_id: str = "1"):  # type: ignore[no-untyped-def]
    return clocks.start_clock(
        db,
        subject_type="complaint",
        subject_id=subject_id,
        name="complaint.decision",
        rule=rule,
        started_at=at(started),
        basis="test",
        actor=ADMIN,
    )


def recomputed_entries(db) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    db.commit()  # audit entries are written at the commit
    query = select(AuditEntry).where(AuditEntry.action == "calendar.clocks_recomputed")
    return list(db.scalars(query.order_by(AuditEntry.seq)))


def details(entry: AuditEntry) -> dict:  # type: ignore[type-arg]
    import json

    raw = entry.details
    return raw if isinstance(raw, dict) else json.loads(raw)


def test_loading_the_year_recomputes_running_clocks_and_audits_the_moves(db) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3: counted provisionally, then recomputed when the year is loaded; only
    # running clocks move, and the audit entry lists them with old and new due.
    seed_calendar(db, years=[2026])
    running = start(db, Rule("working_days", 5), "2026-12-28T10:00:00+08:00", "1")
    stopped = start(db, Rule("working_days", 5), "2026-12-28T10:00:00+08:00", "2")
    clocks.stop_clock(db, clock=stopped, at=at("2026-12-29T10:00:00+08:00"), actor=ADMIN)
    inside = start(db, Rule("working_days", 3), "2026-03-02T10:00:00+08:00", "3")
    assert running.due_at == at("2027-01-05T23:59:59+08:00") and running.due_provisional
    assert not inside.due_provisional
    # The published arrangement (here: an administrator's) gives Jan 4 off too.
    days = [*package_arrangement(2027, provisional=True), (D(2027, 1, 4), "holiday", "元旦")]
    service.replace_year(db, year=2027, days=days, actor=ADMIN, reason="State Council")
    assert running.due_at == at("2027-01-06T23:59:59+08:00") and not running.due_provisional
    assert stopped.due_at == at("2027-01-05T23:59:59+08:00")  # history is left alone
    (entry,) = recomputed_entries(db)
    assert entry.entity_id == "2027"
    assert details(entry)["moved"] == [
        {
            "clock_id": running.id,
            "subject": "complaint:1",
            "name": "complaint.decision",
            "old_due_at": "2027-01-05T23:59:59+08:00",
            "new_due_at": "2027-01-06T23:59:59+08:00",
        }
    ]


def test_correcting_a_day_recomputes_and_removing_it_moves_back(db) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3: set_day / remove_day on a loaded year recompute the running clocks.
    seed_calendar(db, years=[2026])
    clock = start(db, Rule("working_days", 3), "2026-03-02T10:00:00+08:00")
    assert clock.due_at == at("2026-03-05T23:59:59+08:00")
    service.set_day(db, day=D(2026, 3, 4), kind="holiday", name="台风停工", actor=ADMIN)
    assert clock.due_at == at("2026-03-06T23:59:59+08:00")
    service.remove_day(db, day=D(2026, 3, 4), actor=ADMIN)
    assert clock.due_at == at("2026-03-05T23:59:59+08:00")
    moves = [details(e)["moved"][0]["new_due_at"] for e in recomputed_entries(db)]
    assert moves == ["2026-03-06T23:59:59+08:00", "2026-03-05T23:59:59+08:00"]
    # A correction that moves nothing writes no recompute entry.
    service.set_day(db, day=D(2026, 8, 4), kind="holiday", name="试验", actor=ADMIN)
    assert len(recomputed_entries(db)) == 2


def test_a_year_stored_provisionally_stays_marked_until_published(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3: `calendar seed --provisional` stores the law's days, still provisional;
    # once the package publishes the year, the sync loads it with no administrator action.
    seed_calendar(db, years=[2026])
    service.seed_from_package(db, years=[2027], actor=ADMIN, provisional=True)
    clock = start(db, Rule("working_days", 5), "2027-02-01T10:00:00+08:00")
    # Feb 2, 3, 4, (5–8 Spring Festival off) 9, 10 — Feb 9 is a working day provisionally.
    assert clock.due_at == at("2027-02-10T23:59:59+08:00") and clock.due_provisional
    published = [*package_arrangement(2027, provisional=True), (D(2027, 2, 9), "holiday", "春节")]
    monkeypatch.setattr(service, "package_published_years", lambda: frozenset({2026, 2027}))
    monkeypatch.setattr(service, "package_arrangement", lambda year: published)
    assert service.years_to_sync(db, on=D(2026, 12, 22)) == [2027]
    assert service.sync_from_package(db, on=D(2026, 12, 22)) == [2027]
    assert db.get(CalendarYear, 2027).source == package_source()
    assert clock.due_at == at("2027-02-11T23:59:59+08:00") and not clock.due_provisional
    assert service.sync_from_package(db, on=D(2026, 12, 22)) == []  # loaded: nothing to do


def test_sync_never_overwrites_an_administrator_year(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3: an administrator's arrangement wins over the package's.
    service.replace_year(db, year=2027, days=[], actor=ADMIN)
    monkeypatch.setattr(service, "package_published_years", lambda: frozenset({2027}))
    assert service.years_to_sync(db, on=D(2027, 3, 1)) == []


@pytest.mark.parametrize(
    ("today", "stored", "state", "warning"),
    [
        (D(2026, 9, 30), None, "missing", False),
        (D(2026, 10, 1), None, "missing", True),
        (D(2026, 12, 31), "provisional", "provisional", True),
        (D(2026, 10, 1), "published", "loaded", False),
    ],
)
def test_administrators_are_warned_from_1_october(db, today, stored, state, warning) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3: warned from 1 October when next year is not loaded.
    if stored is not None:
        source = package_source() + (" provisional" if stored == "provisional" else "")
        service.replace_year(db, year=2027, days=[], actor=ADMIN, source=source)
    status = service.calendar_status(db, on=today)
    assert (status.next_year, status.next_year_state, status.warning) == (2027, state, warning)
    if warning:
        assert "2027" in status.message("zh-CN") and "暂定" in status.message("zh-CN")


def freeze(monkeypatch, instant: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(service, "utcnow", lambda: at(instant).astimezone(dt.UTC))


def test_health_detail_warns_from_1_october(db, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3: the health detail carries the warning, by the app's clock (Shanghai date).
    seed_calendar(db, years=[2026])
    db.commit()
    freeze(monkeypatch, "2026-09-30T23:00:00+08:00")
    calm = client.get("/health/detail").json()["calendar"]
    assert calm["today"] == "2026-09-30" and calm["warning"] is False
    freeze(monkeypatch, "2026-09-30T16:30:00+00:00")  # 00:30 on 1 October in Shanghai
    warned = client.get("/health/detail").json()["calendar"]
    assert warned["today"] == "2026-10-01" and warned["warning"] is True
    assert warned["next_year"] == 2027 and "2027" in warned["message_en"]


def test_start_page_warns_administrators_only(db, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3: the administrator's start page shows it from 1 October; others never.
    seed_calendar(db, years=[2026])
    make_user(db, username="admin1", roles=["administrator"])
    make_user(db, username="handler1", roles=["claims_handler"])
    db.commit()
    admin, handler = login_headers(client, "admin1"), login_headers(client, "handler1")
    freeze(monkeypatch, "2026-09-30T12:00:00+08:00")
    assert 'id="calendar-warning"' not in client.get("/", headers=admin).text
    freeze(monkeypatch, "2026-10-01T09:00:00+08:00")
    page = client.get("/?lang=zh-CN", headers=admin)
    assert page.status_code == 200 and 'id="calendar-warning"' in page.text
    assert "2027 年的节假日安排尚未载入" in page.text
    assert 'id="calendar-warning"' not in client.get("/workbench", headers=handler).text


def test_the_worker_loads_published_years_daily(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3: the automatic load is a daily periodic job (runs at worker start too).
    from claimdesk.calendar import tasks
    from claimdesk.jobs.queue import handler_for, periodic_tasks

    assert "calendar.sync_package" in {p.kind for p in periodic_tasks()}
    assert handler_for("calendar.sync_package") is tasks.sync_package_calendar
    monkeypatch.setattr(service, "package_published_years", lambda: frozenset({2026}))
    # 31 Dec 2026 16:30 UTC is 1 January 2027 in Shanghai: 2026 is "last year" then.
    tasks.sync_package_calendar(db, {}, now=at("2026-12-31T16:30:00+00:00"))
    assert db.get(CalendarYear, 2026).source == package_source()


def test_recompute_keeps_the_claim_queue_key(db, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3, CLM-V4: a claim's next_due_at follows its recomputed clocks.
    from claimdesk.models.claim import Claim
    from tests.claims.helpers import FrozenClock, build_world, local

    world = build_world(db, client)  # 2025 and 2026 loaded; 2027 not
    FrozenClock(monkeypatch, local("2026-12-30T10:00:00"))
    payload = {
        "channel": "app",
        "policy_number": world.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
        "claimant_name": "李四",
        "loss_date": "2026-12-28",
        "loss_place": "北京",
        "loss_cause": "illness",
        "loss_overview": "住院",
        "estimated_amount": "3000.00",
    }
    reported = client.post("/api/v1/claims", json=payload, headers=world.h["handler"])
    assert reported.status_code == 201, reported.text
    claim_id = reported.json()["id"]
    (review,) = [
        c
        for c in clocks.clocks_for(db, subject_type="claim", subject_id=claim_id)
        if c.name == "claim.review"
    ]
    # Dec 31, (Jan 1 off, weekend) Jan 4, Jan 5 — on the provisional calendar.
    assert review.due_at == at("2027-01-05T23:59:59+08:00") and review.due_provisional
    shown = [c for c in reported.json()["clocks"] if c["name"] == "claim.review"]
    assert shown[0]["provisional"] is True
    days = [*package_arrangement(2027, provisional=True), (D(2027, 1, 4), "holiday", "元旦")]
    service.replace_year(db, year=2027, days=days, actor=ADMIN)
    db.commit()
    db.expire_all()
    review = db.get(type(review), review.id)
    assert review.due_at == at("2027-01-06T23:59:59+08:00") and not review.due_provisional
    assert db.get(Claim, claim_id).next_due_at == review.due_at
