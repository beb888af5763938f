"""Extending a running clock (SPEC GEN-4, SVC-3): the new rule counts from the clock's
own start and its pauses, and an extension is made while the limit still runs."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.calendar.cache import load_calendar
from claimdesk.clocks import service
from claimdesk.clocks.errors import ClockDeadlinePassed, ClockStopped
from claimdesk.models.audit import AuditEntry
from claimdesk.models.clock import Clock
from claimdesk.rules.deadlines import LOCAL_TZ, Rule, evaluate
from tests.builders import seed_calendar

ACTOR = Principal.build(user_id=None, username="desk-test", roles={"service_agent"})


def local(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=LOCAL_TZ)  # type: ignore[misc]


def _start(db: Session, started: dt.datetime) -> Clock:
    return service.start_clock(
        db,
        subject_type="complaint",
        subject_id="7",
        name="complaint.decision",
        rule=Rule("days", 15),
        started_at=started,
        basis="15 日",
        actor=ACTOR,
    )


def test_extension_counts_the_new_rule_from_the_original_start_and_pauses(db: Session) -> None:
    # SPEC GEN-4 SVC-3: started Mon 28 Sep 2026 (15 days → Tue 13 Oct). Paused 30 Sep,
    # resumed 9 Oct; extended on 12 Oct to 30 days. The 30 days count from 28 Sep with the
    # pause: 2 days used (29, 30 Sep), 28 left after 9 Oct → Fri 6 Nov.
    seed_calendar(db, years=[2026])
    clock = _start(db, local(2026, 9, 28, 10, 0))
    assert clock.due_at == local(2026, 10, 13, 23, 59, 59)
    service.pause_clock(
        db, clock=clock, at=local(2026, 9, 30, 12, 0), reason="补充材料", actor=ACTOR
    )
    service.resume_clock(db, clock=clock, at=local(2026, 10, 9, 9, 0), actor=ACTOR)
    service.extend_clock(
        db,
        clock=clock,
        rule=Rule("days", 30),
        basis="延长至 30 日",
        at=local(2026, 10, 12, 9, 0),
        actor=ACTOR,
        reason="需调取病历",
    )
    pauses = [(local(2026, 9, 30, 12, 0), local(2026, 10, 9, 9, 0))]
    expected = evaluate(Rule("days", 30), local(2026, 9, 28, 10, 0), load_calendar(db), pauses)
    assert clock.due_at == expected.due == local(2026, 11, 6, 23, 59, 59)
    assert (clock.rule_type, clock.rule_n, clock.basis) == ("days", 30, "延长至 30 日")
    assert clock.started_at == local(2026, 9, 28, 10, 0)  # the start is never moved
    db.commit()  # audit entries are written at commit
    audit = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "clock.extended", AuditEntry.entity_id == str(clock.id)
        )
    ).all()
    assert len(audit) == 1 and audit[0].reason == "需调取病历"


def test_extension_after_the_deadline_or_of_a_stopped_clock_is_refused(db: Session) -> None:
    # SPEC GEN-4 SVC-3: a limit already missed cannot be turned into a later one.
    seed_calendar(db, years=[2026])
    clock = _start(db, local(2026, 9, 28, 10, 0))
    with pytest.raises(ClockDeadlinePassed) as error:
        service.extend_clock(
            db,
            clock=clock,
            rule=Rule("days", 30),
            basis="延长至 30 日",
            at=local(2026, 10, 14, 0, 0),
            actor=ACTOR,
        )
    assert error.value.status_code == 409
    assert "2026-10-13T23:59:59" in error.value.message("en")
    assert (clock.rule_type, clock.rule_n) == ("days", 15)
    assert clock.due_at == local(2026, 10, 13, 23, 59, 59)
    service.stop_clock(db, clock=clock, at=local(2026, 10, 12, 9, 0), actor=ACTOR)
    with pytest.raises(ClockStopped):
        service.extend_clock(
            db,
            clock=clock,
            rule=Rule("days", 30),
            basis="延长至 30 日",
            at=local(2026, 10, 12, 10, 0),
            actor=ACTOR,
        )
