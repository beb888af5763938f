"""Service scorecard (GEN-7, SVC-3, SVC-5) against figures computed here from the seed."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.service import reports, service
from tests.builders import make_org_unit, make_user
from tests.service.helpers import local, make_person, principal_of, seed_calendar

# (received local, channel, type, cause)
COMPLAINTS = [
    (local(2026, 9, 3, 10), "phone", "claims", "delay"),
    (local(2026, 10, 8, 9), "phone", "claims", "claim_amount"),
    (local(2026, 10, 9, 14), "web_app", "service", "attitude"),
    (local(2026, 10, 31, 23, 30), "branch", "claims", "delay"),  # 31 Oct local, 15:30 UTC
    (local(2026, 11, 1, 0, 30), "email", "sales", "misleading_sales"),  # 31 Oct 16:30 UTC
    (local(2026, 11, 20, 11), "phone", "service", "delay"),
]
# (service type, speed, attitude, result, process, value_added)
SURVEYS = [
    ("consultation", 5, 4, 4, 5, None),
    ("consultation", 4, 4, 3, 4, None),
    ("consultation", 3, 5, 4, 4, None),
    ("health_consultation", 5, 5, 5, 4, 5),
    ("health_consultation", 2, 3, 4, 4, 2),
]


@pytest.fixture
def agent(db: Session) -> Principal:
    seed_calendar(db)
    branch = make_org_unit(db, code="GZ01", name="广州分公司", kind="branch")
    user = make_user(db, username="desk3", roles=("service_agent",), org_unit=branch)
    return principal_of(user, ("service_agent",))


def _avg(values: list[int]) -> Decimal:
    return (Decimal(sum(values)) / Decimal(len(values))).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_complaints_by_cause_type_channel_and_month(db: Session, agent: Principal) -> None:
    # SPEC SVC-3 GEN-7 GEN-2: months are Shanghai months; the trend is month over month.
    person = make_person(db)
    for received, channel, kind, cause in COMPLAINTS:
        service.file_complaint(
            db,
            actor=agent,
            person_id=person.id,
            contact="13800138000",
            channel=channel,
            complaint_type=kind,
            cause=cause,
            description="投诉",
            received_at=received,
        )
    report = reports.complaints_report(
        db, date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 11, 30)
    )
    inside = [c for c in COMPLAINTS if dt.date(2026, 10, 1) <= c[0].date() <= dt.date(2026, 11, 30)]
    assert report.total == len(inside) == 5
    assert report.by_cause == dict(sorted(Counter(c[3] for c in inside).items()))
    assert report.by_type == dict(sorted(Counter(c[2] for c in inside).items()))
    assert report.by_channel == dict(sorted(Counter(c[1] for c in inside).items()))
    october = sum(1 for c in inside if c[0].month == 10)
    november = sum(1 for c in inside if c[0].month == 11)
    assert [(m.month, m.count, m.change) for m in report.by_month] == [
        ("2026-10", october, None),
        ("2026-11", november, november - october),
    ]
    assert (october, november) == (3, 2)


def test_satisfaction_by_service_type_and_dimension(db: Session, agent: Principal) -> None:
    # SPEC SVC-5 GEN-7: exact decimal averages, 0.01 half-up.
    person = make_person(db)
    for kind, speed, attitude, result, process, value_added in SURVEYS:
        record = service.open_service_record(
            db,
            actor=agent,
            service_type=kind,
            channel="phone",
            person_id=person.id,
            subject="咨询",
            received_at=local(2026, 11, 3, 9),
        )
        service.close_service_record(
            db, actor=agent, record_id=record.id, outcome="已解答", at=local(2026, 11, 3, 10)
        )
        service.record_survey(
            db,
            actor=agent,
            subject_type="service_record",
            subject_id=record.id,
            source="survey",
            surveyed_at=local(2026, 11, 4, 10),
            scores={
                "score_speed": speed,
                "score_attitude": attitude,
                "score_result": result,
                "score_process": process,
                "score_value_added": value_added,
            },
        )
    rows = {
        r.service_type: r
        for r in reports.satisfaction_report(
            db, date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 30)
        )
    }
    assert set(rows) == {"consultation", "health_consultation"}
    for kind, row in rows.items():
        mine = [s for s in SURVEYS if s[0] == kind]
        assert row.surveys == len(mine)
        for index, dimension in enumerate(("speed", "attitude", "result", "process"), start=1):
            assert row.averages[dimension] == _avg([s[index] for s in mine])
        rated = [s[5] for s in mine if s[5] is not None]
        assert row.averages["value_added"] == (_avg(rated) if rated else None)
    assert rows["consultation"].averages["speed"] == Decimal("4.00")
    assert rows["consultation"].averages["result"] == Decimal("3.67")


def test_share_of_deadlines_met_by_branch_and_month(db: Session, agent: Principal) -> None:
    # SPEC GEN-7 SVC-4: 4 consultations in Nov: 2 answered in time, 1 late, 1 still open
    # past its due time at "now" → met 2, missed 2, share 50.00 %.
    person = make_person(db)
    answers = [dt.timedelta(minutes=30), dt.timedelta(minutes=119), dt.timedelta(hours=3), None]
    for index, delay in enumerate(answers):
        start = local(2026, 11, 10 + index, 9)
        record = service.open_service_record(
            db,
            actor=agent,
            service_type="consultation",
            channel="phone",
            person_id=person.id,
            subject="咨询",
            received_at=start,
        )
        if delay is not None:
            service.answer_service_record(
                db, actor=agent, record_id=record.id, outcome="答复", at=start + delay
            )
    rows = reports.deadlines_report(
        db,
        date_from=dt.date(2026, 11, 1),
        date_to=dt.date(2026, 11, 30),
        now=local(2026, 11, 30, 12),
    )
    (row,) = [r for r in rows if r.name == service.CONSULTATION_CLOCK]
    assert (row.branch, row.month) == ("GZ01", "2026-11")
    assert (row.governed, row.met, row.missed, row.pending) == (4, 2, 2, 0)
    assert row.share_met == Decimal("50.00")
