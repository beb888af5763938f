"""Deadline clocks on records (SPEC GEN-4): due dates derived from the rule and pauses,
breaches derived from the clock, every transition audited (GEN-5)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from claimdesk.audit.service import pending_count
from claimdesk.auth.principal import Principal
from claimdesk.clocks import service
from claimdesk.clocks.errors import (
    ClockAlreadyPaused,
    ClockNotPaused,
    ClockStopped,
    ClockTimeOutOfOrder,
)
from claimdesk.clocks.schemas import ClockOut
from claimdesk.db import make_engine, unit_of_work
from claimdesk.models.audit import AuditEntry
from claimdesk.models.clock import Clock
from claimdesk.rules.deadlines import NaiveInstant, Rule
from tests.builders import seed_calendar
from tests.waits import Rendezvous, run_in_threads

ACTOR = Principal.build(user_id=None, username="handler-test", roles={"claims_handler"})
UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def start(db, rule: Rule, started: str, subject_id: str = "1", name: str = "claim.review"):  # type: ignore[no-untyped-def]
    return service.start_clock(
        db,
        subject_type="claim",
        subject_id=subject_id,
        name=name,
        rule=rule,
        started_at=at(started),
        basis="保险服务标准 8.2.1(1)",
        actor=ACTOR,
    )


def test_start_clock_derives_due_and_shows_rule_and_both_times(db) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-4, GEN-2, GEN-5
    seed_calendar(db, years=[2026])
    before = pending_count(db)
    clock = start(db, Rule("working_days", 3), "2026-09-29T10:00:00+08:00")
    assert clock.due_at == dt.datetime(2026, 10, 9, 15, 59, 59, tzinfo=UTC)
    assert pending_count(db) == before + 1
    db.commit()
    db.expire_all()
    stored = db.get(Clock, clock.id)
    assert stored.due_at == dt.datetime(2026, 10, 9, 15, 59, 59, tzinfo=UTC)  # aware UTC back
    shown = ClockOut.of(stored, "zh-CN")
    assert shown.rule_label == "3 个工作日"
    assert shown.due_local.isoformat() == "2026-10-09T23:59:59+08:00"
    # The basis in the reader's language (the claims.deadline_names words for the clock),
    # not the stored Chinese text (GEN-4, GEN-6)
    assert (
        shown.basis == "《健康保险服务标准及实施指南》 8.2.1(1)：收到理赔资料后3个工作日内完成审核"
    )
    assert stored.basis == "保险服务标准 8.2.1(1)"  # the row keeps what it started with
    assert (shown.paused, shown.stopped, shown.breached, shown.met) == (False, False, False, None)
    english = ClockOut.of(stored, "en")
    assert english.rule_label == "3 working days"
    assert english.basis == (
        "Health Insurance Service Standards 8.2.1(1): "
        "review completed within 3 working days of complete materials"
    )


def test_pause_and_resume_recompute_the_due_date(db) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-4, CLM-A4: the review clock pauses while materials are missing.
    seed_calendar(db, years=[2026])
    clock = start(db, Rule("working_days", 15), "2026-03-02T11:00:00+08:00")
    service.pause_clock(
        db, clock=clock, at=at("2026-03-04T09:00:00+08:00"), reason="缺材料", actor=ACTOR
    )
    assert ClockOut.of(clock).paused
    assert service.open_clocks_due_before(db, when=at("2030-01-01T00:00:00+08:00")) == []
    service.resume_clock(db, clock=clock, at=at("2026-03-16T14:00:00+08:00"), actor=ACTOR)
    assert clock.due_at == at("2026-04-02T23:59:59+08:00")
    # A second pause and resume: 2 more working days used (Mar 17, 18), resumed Mar 23.
    service.pause_clock(
        db, clock=clock, at=at("2026-03-18T10:00:00+08:00"), reason="补充调查", actor=ACTOR
    )
    service.resume_clock(db, clock=clock, at=at("2026-03-23T09:00:00+08:00"), actor=ACTOR)
    # 11 left after Mon Mar 23: 24..27 (4), 30, 31, Apr 1, 2, 3 (9), Apr 7, 8 (11; Apr 6 清明).
    assert clock.due_at == at("2026-04-08T23:59:59+08:00")
    actions = [p.reason for p in service.pauses_of(db, clock=clock)]
    assert actions == ["缺材料", "补充调查"]


def test_transitions_refused_in_the_wrong_state_or_order(db) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-4, GEN-6
    clock = start(db, Rule("hours", 24), "2026-03-02T09:00:00+08:00")
    with pytest.raises(ClockNotPaused):
        service.resume_clock(db, clock=clock, at=at("2026-03-02T10:00:00+08:00"), actor=ACTOR)
    with pytest.raises(ClockTimeOutOfOrder) as early:
        service.pause_clock(
            db, clock=clock, at=at("2026-03-01T10:00:00+08:00"), reason=None, actor=ACTOR
        )
    assert early.value.field == "at"
    with pytest.raises(NaiveInstant):
        service.pause_clock(
            db, clock=clock, at=dt.datetime(2026, 3, 2, 10), reason=None, actor=ACTOR
        )
    service.pause_clock(
        db, clock=clock, at=at("2026-03-02T10:00:00+08:00"), reason=None, actor=ACTOR
    )
    with pytest.raises(ClockAlreadyPaused):
        service.pause_clock(
            db, clock=clock, at=at("2026-03-02T11:00:00+08:00"), reason=None, actor=ACTOR
        )
    with pytest.raises(ClockTimeOutOfOrder):
        service.resume_clock(db, clock=clock, at=at("2026-03-02T09:30:00+08:00"), actor=ACTOR)
    service.resume_clock(db, clock=clock, at=at("2026-03-02T12:00:00+08:00"), actor=ACTOR)
    assert clock.due_at == at("2026-03-03T11:00:00+08:00")  # 2 paused hours added
    service.stop_clock(db, clock=clock, at=at("2026-03-03T10:00:00+08:00"), actor=ACTOR)
    assert service.clock_met(clock=clock) is True
    with pytest.raises(ClockStopped):
        service.pause_clock(
            db, clock=clock, at=at("2026-03-03T11:00:00+08:00"), reason=None, actor=ACTOR
        )


def test_day_rule_clock_in_an_uncovered_year_is_provisional(db) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-3: no stored calendar for the year -> the provisional calendar, marked so in
    # the API's clock output; never refused. Hours need no calendar and are never provisional.
    clock = start(db, Rule("working_days", 3), "2026-03-02T09:00:00+08:00")
    assert clock.due_at == at("2026-03-05T23:59:59+08:00") and clock.due_provisional
    assert ClockOut.of(clock).provisional is True
    hourly = start(db, Rule("hours", 1), "2026-03-02T09:00:00+08:00")
    assert hourly.due_at == at("2026-03-02T10:00:00+08:00") and not hourly.due_provisional


def test_mark_breaches_is_derived_and_idempotent(db) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-4, GEN-7: running late, stopped late -> breached; paused in time, stopped
    # in time, not yet due -> not breached. A second run marks nothing.
    late = start(db, Rule("hours", 1), "2026-03-02T09:00:00+08:00", subject_id="late")
    paused = start(db, Rule("hours", 1), "2026-03-02T09:00:00+08:00", subject_id="paused")
    service.pause_clock(
        db, clock=paused, at=at("2026-03-02T09:30:00+08:00"), reason=None, actor=ACTOR
    )
    stopped_late = start(
        db, Rule("hours", 1), "2026-03-02T09:00:00+08:00", subject_id="stopped_late"
    )
    service.stop_clock(db, clock=stopped_late, at=at("2026-03-02T10:30:00+08:00"), actor=ACTOR)
    in_time = start(db, Rule("hours", 1), "2026-03-02T09:00:00+08:00", subject_id="in_time")
    service.stop_clock(db, clock=in_time, at=at("2026-03-02T09:59:00+08:00"), actor=ACTOR)
    future = start(db, Rule("hours", 48), "2026-03-02T09:00:00+08:00", subject_id="future")
    # Paused only after its deadline had passed: the pause cannot save it.
    paused_late = start(db, Rule("hours", 1), "2026-03-02T09:00:00+08:00", subject_id="paused_late")
    service.pause_clock(
        db, clock=paused_late, at=at("2026-03-02T11:00:00+08:00"), reason=None, actor=ACTOR
    )

    now = at("2026-03-02T12:00:00+08:00")
    assert {c.subject_id for c in service.open_clocks_due_before(db, when=now)} == {"late"}
    marked = service.mark_breaches(db, now=now)
    assert {c.subject_id for c in marked} == {"late", "stopped_late", "paused_late"}
    assert all(c.breached_at == c.due_at for c in marked)
    assert late.breached_at == at("2026-03-02T10:00:00+08:00")
    assert paused.breached_at is None and in_time.breached_at is None and future.breached_at is None
    assert (
        service.clock_met(clock=stopped_late) is False and service.clock_met(clock=in_time) is True
    )
    assert service.mark_breaches(db, now=now) == []
    assert [
        c.subject_id for c in service.clocks_for(db, subject_type="claim", subject_id="late")
    ] == ["late"]
    db.commit()
    breaches = db.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "clock.breached")
    )
    assert breaches == 3


@pytest.mark.postgres_only
def test_concurrent_breach_workers_mark_each_clock_exactly_once(fresh_db_url: str) -> None:
    # SPEC GEN-4: two workers at once (FOR UPDATE SKIP LOCKED) never mark a clock twice.
    engine = make_engine(fresh_db_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    try:
        with unit_of_work(factory) as session:
            for i in range(120):
                start(session, Rule("hours", 1), "2026-03-02T09:00:00+08:00", subject_id=str(i))
        now = at("2026-03-03T09:00:00+08:00")
        barrier = Rendezvous(4)
        results: list[list[int]] = []
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                barrier.wait()
                with unit_of_work(factory) as session:
                    results.append(
                        [c.id for c in service.mark_breaches(session, now=now, limit=50)]
                    )
            except BaseException as error:  # surfaced below
                errors.append(error)

        for _ in range(3):  # rounds, so every clock is reached despite the per-run limit
            run_in_threads([worker] * 4)
        assert not errors
        marked = [clock_id for batch in results for clock_id in batch]
        assert len(marked) == len(set(marked)) == 120
        with unit_of_work(factory) as session:
            audited = session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "clock.breached")
            )
            unmarked = session.scalar(
                select(func.count()).select_from(Clock).where(Clock.breached_at.is_(None))
            )
        assert audited == 120 and unmarked == 0
    finally:
        engine.dispose()
