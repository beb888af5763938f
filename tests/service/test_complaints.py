"""Complaint deadlines (SVC-3, CLM-Z3) with frozen starts across National Day 2026.

2026 arrangement (State Council): 25 Sep (Mid-Autumn) and 1–7 Oct are holidays; Sunday
20 Sep and Saturday 10 Oct are working days.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.clocks.service import clock_met, clocks_for, mark_breaches
from claimdesk.models.clock import Clock
from claimdesk.models.job import OutboxMessage
from claimdesk.models.service import Complaint
from claimdesk.service import service
from claimdesk.service.errors import (
    ComplaintAlreadyExtended,
    ContactRequired,
    CustomerRequired,
    ExtensionAfterDeadline,
    ExtensionReasonRequired,
    UnknownCode,
)
from tests.builders import make_org_unit, make_user
from tests.service.helpers import local, make_person, principal_of, seed_calendar


@pytest.fixture
def agent(db: Session) -> Principal:
    seed_calendar(db)
    branch = make_org_unit(db, code="BJ01", name="北京分公司", kind="branch")
    user = make_user(db, username="desk1", roles=("service_agent",), org_unit=branch)
    return principal_of(user, ("service_agent",))


def _file(db: Session, agent: Principal, received: dt.datetime, **overrides: object) -> Complaint:
    person = make_person(db)
    fields: dict[str, object] = dict(
        person_id=person.id,
        contact="13800138000",
        channel="phone",
        complaint_type="service",
        cause="delay",
        description="理赔进度太慢",
        received_at=received,
    )
    fields.update(overrides)
    return service.file_complaint(db, actor=agent, **fields)  # type: ignore[arg-type]


def _clock(db: Session, complaint: Complaint, name: str) -> Clock:
    (clock,) = [
        c
        for c in clocks_for(db, subject_type="complaint", subject_id=complaint.id)
        if c.name == name
    ]
    return clock


def test_decision_due_is_earlier_of_15_working_days_and_15_days(
    db: Session, agent: Principal
) -> None:
    # SPEC SVC-3 GEN-4: received Mon 28 Sep 2026. 15 days → Tue 13 Oct (a working day);
    # 15 working days skip 1–7 Oct and count Sat 10 Oct → Fri 23 Oct. The 15 days win.
    complaint = _file(db, agent, local(2026, 9, 28, 10, 0))
    assert complaint.days_due_at == local(2026, 10, 13, 23, 59, 59)
    assert complaint.working_days_due_at == local(2026, 10, 23, 23, 59, 59)
    assert complaint.decision_due_at == local(2026, 10, 13, 23, 59, 59)
    assert (complaint.decision_rule_type, complaint.decision_rule_n) == ("days", 15)
    decision = _clock(db, complaint, service.DECISION_CLOCK)
    assert decision.due_at == local(2026, 10, 13, 23, 59, 59)
    assert (decision.rule_type, decision.rule_n) == ("days", 15)


def test_fifteen_days_ending_in_national_day_move_to_next_working_day(
    db: Session, agent: Principal
) -> None:
    # SPEC SVC-3 GEN-4: received Wed 16 Sep. The 15th day is Thu 1 Oct, a holiday → moved
    # to Thu 8 Oct (art. 203). 15 working days: 17,18,20(调休),21–24,28–30,8,9,10,12,13 Oct
    # → Tue 13 Oct. The 15-day rule still wins, on 8 Oct.
    complaint = _file(db, agent, local(2026, 9, 16, 9, 30))
    assert complaint.days_due_at == local(2026, 10, 8, 23, 59, 59)
    assert complaint.working_days_due_at == local(2026, 10, 13, 23, 59, 59)
    assert complaint.decision_due_at == local(2026, 10, 8, 23, 59, 59)
    assert complaint.decision_rule_type == "days"


def test_acknowledgement_clock_is_24_hours_across_the_holiday(
    db: Session, agent: Principal
) -> None:
    # SPEC SVC-3 GEN-4: hours run around the clock, holidays included.
    complaint = _file(db, agent, local(2026, 9, 30, 18, 0))
    ack = _clock(db, complaint, service.ACK_CLOCK)
    assert ack.due_at == local(2026, 10, 1, 18, 0)
    service.acknowledge_complaint(
        db,
        actor=agent,
        complaint_id=complaint.id,
        progress_note="已受理，正在调查",
        at=local(2026, 10, 1, 17, 0),
    )
    assert clock_met(clock=ack) is True
    assert complaint.status == "acknowledged"


def test_late_acknowledgement_is_a_breach(db: Session, agent: Principal) -> None:
    # SPEC SVC-3 GEN-7: an acknowledgement after 24 h is recorded as not met.
    complaint = _file(db, agent, local(2026, 9, 30, 18, 0))
    service.acknowledge_complaint(
        db,
        actor=agent,
        complaint_id=complaint.id,
        progress_note="已受理",
        at=local(2026, 10, 2, 9, 0),
    )
    ack = _clock(db, complaint, service.ACK_CLOCK)
    assert clock_met(clock=ack) is False
    marked = mark_breaches(db, now=local(2026, 10, 2, 10, 0))
    assert ack in marked


def test_extension_once_to_30_days_with_reason_and_notice(db: Session, agent: Principal) -> None:
    # SPEC SVC-3: extended once to 30 days after receipt (28 Sep → Wed 28 Oct), with the
    # reason recorded and a notice to the complainant through the outbox.
    complaint = _file(db, agent, local(2026, 9, 28, 10, 0))
    service.extend_complaint(
        db,
        actor=agent,
        complaint_id=complaint.id,
        reason="需调取医院病历",
        at=local(2026, 10, 9, 9, 0),
    )
    assert complaint.decision_due_at == local(2026, 10, 28, 23, 59, 59)
    assert (complaint.decision_rule_type, complaint.decision_rule_n) == ("days", 30)
    assert complaint.extension_reason == "需调取医院病历"
    decision = _clock(db, complaint, service.DECISION_CLOCK)
    assert decision.due_at == local(2026, 10, 28, 23, 59, 59)
    notices = db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.related_type == "complaint",
            OutboxMessage.related_id == str(complaint.id),
            OutboxMessage.template == "complaint_extended",
        )
    ).all()
    assert len(notices) == 1 and notices[0].recipient == "13800138000"
    assert "2026年10月28日 23:59" in notices[0].body  # as the customer writes it (GEN-2)
    with pytest.raises(ComplaintAlreadyExtended) as second:
        service.extend_complaint(db, actor=agent, complaint_id=complaint.id, reason="再次延期")
    assert second.value.field == "reason"  # the API request names it reason (GEN-6)
    # Decided on 27 Oct: inside the extended deadline, so the limit is met.
    service.decide_complaint(
        db,
        actor=agent,
        complaint_id=complaint.id,
        outcome="upheld",
        decision="补偿等待期间利息",
        at=local(2026, 10, 27, 15, 0),
    )
    assert clock_met(clock=decision) is True


def test_extension_needs_a_reason(db: Session, agent: Principal) -> None:
    # SPEC SVC-3 GEN-6
    complaint = _file(db, agent, local(2026, 9, 28, 10, 0))
    with pytest.raises(ExtensionReasonRequired) as error:
        service.extend_complaint(db, actor=agent, complaint_id=complaint.id, reason="  ")
    assert error.value.field == "reason"  # the API request names it reason (GEN-6)
    assert complaint.extended_at is None
    assert complaint.decision_due_at == local(2026, 10, 13, 23, 59, 59)


def test_decision_past_deadline_is_recorded_late_and_cannot_extend(
    db: Session, agent: Principal
) -> None:
    # SPEC SVC-3 GEN-4: 14 Oct is past the 15-day deadline of 13 Oct. An extension given
    # with the late decision is refused (it is decided within the time limit) and
    # changes nothing; the decision itself is then recorded as late (the clock missed).
    complaint = _file(db, agent, local(2026, 9, 28, 10, 0))
    with pytest.raises(ExtensionAfterDeadline) as error:
        service.decide_complaint(
            db,
            actor=agent,
            complaint_id=complaint.id,
            outcome="rejected",
            decision="不予支持",
            at=local(2026, 10, 14, 9, 0),
            extension_reason="投诉人补充材料",
        )
    assert error.value.field == "extension_reason" and error.value.status_code == 409
    assert "2026-10-13" in error.value.message("zh-CN")
    assert complaint.status == "received" and complaint.extended_at is None
    service.decide_complaint(
        db,
        actor=agent,
        complaint_id=complaint.id,
        outcome="rejected",
        decision="不予支持",
        at=local(2026, 10, 14, 9, 0),
    )
    assert complaint.status == "decided" and complaint.extended_at is None
    assert complaint.decision_due_at == local(2026, 10, 13, 23, 59, 59)
    assert clock_met(clock=_clock(db, complaint, service.DECISION_CLOCK)) is False


def test_claim_complaint_has_a_named_person_and_a_two_hour_clock(
    db: Session, agent: Principal
) -> None:
    # SPEC CLM-Z3: answered within 2 hours by a named person.
    complaint = _file(
        db,
        agent,
        local(2026, 10, 2, 22, 30),
        complaint_type="claims",
        cause="claim_amount",
        handler_user_id=agent.user_id,
    )
    response = _clock(db, complaint, service.CLAIM_RESPONSE_CLOCK)
    assert response.due_at == local(2026, 10, 3, 0, 30)
    assert complaint.handler_user_id == agent.user_id
    service.acknowledge_complaint(
        db,
        actor=agent,
        complaint_id=complaint.id,
        progress_note="已电话联系客户",
        at=local(2026, 10, 3, 0, 10),
    )
    assert clock_met(clock=response) is True


def test_customer_response_escalation_and_archive(db: Session, agent: Principal) -> None:
    # SPEC SVC-3: decision, the customer's acceptance or escalation, archived.
    complaint = _file(db, agent, local(2026, 11, 2, 10, 0))
    service.add_note(db, actor=agent, complaint_id=complaint.id, note="调取通话录音")
    service.decide_complaint(
        db,
        actor=agent,
        complaint_id=complaint.id,
        outcome="rejected",
        decision="不予支持",
        at=local(2026, 11, 5, 10, 0),
    )
    with pytest.raises(UnknownCode) as error:
        service.respond_to_decision(
            db, actor=agent, complaint_id=complaint.id, response="escalated", route="newspaper"
        )
    assert error.value.field == "route"
    service.respond_to_decision(
        db, actor=agent, complaint_id=complaint.id, response="escalated", route="regulator"
    )
    service.archive_complaint(db, actor=agent, complaint_id=complaint.id)
    assert (complaint.status, complaint.escalation_route) == ("archived", "regulator")


@pytest.mark.parametrize(
    ("overrides", "error", "field"),
    [
        ({"channel": "fax"}, UnknownCode, "channel"),
        ({"complaint_type": "weather"}, UnknownCode, "complaint_type"),
        ({"cause": "moon"}, UnknownCode, "cause"),
        ({"person_id": None}, CustomerRequired, "person_id"),
        ({"contact": ""}, ContactRequired, "contact"),
        ({"contact": None}, ContactRequired, "contact"),
    ],
)
def test_bad_complaints_are_refused_and_nothing_is_written(
    db: Session, agent: Principal, overrides: dict[str, object], error: type[Exception], field: str
) -> None:
    # SPEC SVC-3 GEN-6
    before = db.scalar(select(func.count()).select_from(Complaint))
    clocks_before = db.scalar(select(func.count()).select_from(Clock))
    with pytest.raises(error) as raised:
        _file(db, agent, local(2026, 9, 28, 10, 0), **overrides)
    assert getattr(raised.value, "field", None) == field
    assert db.scalar(select(func.count()).select_from(Complaint)) == before
    assert db.scalar(select(func.count()).select_from(Clock)) == clocks_before
