"""Service scorecard (GEN-7, SVC-3, SVC-5) against figures computed here from the seed."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.service import reports, service
from claimdesk.service.errors import PeriodTooLong
from tests.builders import login_headers, make_org_unit, make_user
from tests.deadline_reference import add_clock, reference_deadlines, statements_run
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


def _clock(
    db: Session,
    name: str,
    unit: int | None,
    started: dt.datetime,
    due: dt.datetime,
    **outcome: dt.datetime,
) -> None:
    add_clock(db, name, unit, started, due, subject_type="service_record", **outcome)


def test_deadlines_report_is_one_grouped_query_with_the_reference_figures(db: Session) -> None:
    # SPEC GEN-7 SVC-3 SVC-4, GEN-2 (Beijing months): the scorecard counted by the
    # database gives, row for row, the figures of the clock-by-clock Python reference
    # (tests/deadline_reference.py), over every outcome and at every boundary, in one
    # statement.
    gz = make_org_unit(db, code="GZ01", name="广州分公司", kind="branch").id
    sz = make_org_unit(db, code="SZ01", name="深圳分公司", kind="branch").id
    consult, ack, decision = (
        service.CONSULTATION_CLOCK,
        service.ACK_CLOCK,
        service.DECISION_CLOCK,
    )
    now = local(2026, 4, 20, 12)
    hour = dt.timedelta(hours=1)
    # Every outcome, GZ01, April:
    t = local(2026, 4, 2, 9)
    _clock(db, consult, gz, t, t + 2 * hour, stopped=t + hour)  # met: stopped in time
    _clock(db, consult, gz, t, t + 2 * hour, stopped=t + 2 * hour)  # met: stopped at due
    _clock(db, consult, gz, t, t + 2 * hour, stopped=t + 5 * hour, paused=t + hour)  # met
    _clock(db, consult, gz, t, t + 2 * hour, stopped=t + 3 * hour)  # missed: stopped late
    # missed: paused at its due time (not before it), stopped later
    _clock(db, consult, gz, t, t + 2 * hour, stopped=t + 4 * hour, paused=t + 2 * hour)
    _clock(db, consult, gz, t, t + 2 * hour)  # missed: running past due at now
    _clock(db, consult, gz, t, now + hour)  # pending: running within its time
    _clock(db, consult, gz, t, now)  # pending: due this very instant, not past it
    _clock(db, consult, gz, t, t + 2 * hour, paused=t + 3 * hour)  # pending: paused late
    # Month boundaries in Beijing time: 31 March 23:59:59 is March; 1 April 00:00
    # (31 March 16:00 UTC) is April; 1 March 07:00 (28 February UTC) is March.
    _clock(db, ack, sz, local(2026, 3, 31, 23, 59, 59), local(2026, 4, 1, 23, 59, 59))  # missed
    _clock(db, ack, sz, local(2026, 4, 1), local(2026, 4, 2), stopped=local(2026, 4, 1, 1))
    _clock(db, ack, sz, local(2026, 3, 1, 7), local(2026, 3, 2, 7), stopped=local(2026, 3, 3))
    # A clock of no branch: its own row, branch None, ordered first.
    _clock(db, decision, None, local(2026, 3, 10), local(2026, 3, 25), stopped=local(2026, 3, 20))
    # The period's edges: its first instant counts; its end and the instant before its
    # start do not; neither does a claim clock (not a service time limit).
    _clock(db, decision, gz, local(2026, 3, 1), local(2026, 3, 16))
    _clock(db, decision, gz, local(2026, 5, 1), local(2026, 5, 16))
    _clock(db, decision, gz, local(2026, 2, 28, 23, 59, 59), local(2026, 3, 15))
    add_clock(db, "claim.review", gz, t, t + hour)
    db.flush()
    period = {"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 4, 30), "now": now}

    with statements_run(db) as statements:
        rows = reports.deadlines_report(db, **period)

    assert len(statements) == 1 and "GROUP BY" in statements[0]
    assert rows == reference_deadlines(db, names=service.SERVICE_CLOCKS, **period)
    figures = [(r.name, r.branch, r.month, r.governed, r.met, r.missed, r.pending) for r in rows]
    assert figures == [
        (ack, "SZ01", "2026-03", 2, 0, 2, 0),
        (ack, "SZ01", "2026-04", 1, 1, 0, 0),
        (decision, None, "2026-03", 1, 1, 0, 0),
        (decision, "GZ01", "2026-03", 1, 0, 1, 0),
        (consult, "GZ01", "2026-04", 9, 3, 3, 3),
    ]
    assert [r.share_met for r in rows] == [
        Decimal("0.00"),
        Decimal("100.00"),
        Decimal("100.00"),
        Decimal("0.00"),
        Decimal("50.00"),
    ]


def test_deadlines_report_over_a_year_end_matches_the_reference(db: Session) -> None:
    # SPEC GEN-7, GEN-2: 31 December 20:00 in Beijing is December, 1 January 02:00 (still
    # 31 December in UTC) is January; the months of a period across a year end.
    gz = make_org_unit(db, code="GZ01", name="广州分公司", kind="branch").id
    consult = service.CONSULTATION_CLOCK
    two = dt.timedelta(hours=2)
    for started, answered in (
        (local(2026, 12, 31, 20), dt.timedelta(hours=1)),
        (local(2027, 1, 1, 2), dt.timedelta(hours=3)),
        (local(2027, 1, 31, 23, 30), dt.timedelta(minutes=10)),
    ):
        _clock(db, consult, gz, started, started + two, stopped=started + answered)
    db.flush()
    period = {
        "date_from": dt.date(2026, 12, 1),
        "date_to": dt.date(2027, 2, 28),
        "now": local(2027, 3, 1),
    }
    rows = reports.deadlines_report(db, **period)
    assert rows == reference_deadlines(db, names=service.SERVICE_CLOCKS, **period)
    assert [(r.month, r.met, r.missed) for r in rows] == [("2026-12", 1, 0), ("2027-01", 1, 1)]


def test_deadlines_report_refuses_a_period_longer_than_three_years(db: Session) -> None:
    # SPEC GEN-6: the months are bound into the query; a period beyond three years is
    # refused naming the field, as the dashboards refuse it, never a server error.
    with pytest.raises(PeriodTooLong) as refused:
        reports.deadlines_report(
            db,
            date_from=dt.date(2020, 1, 1),
            date_to=dt.date(2026, 1, 1),
            now=local(2026, 1, 2),
        )
    assert refused.value.field == "date_from"


REPORTS = ("complaints", "satisfaction", "deadlines")


@pytest.mark.parametrize("report", REPORTS)
def test_service_reports_refuse_a_period_over_three_years_as_the_dashboards_do(
    db: Session, client: TestClient, report: str
) -> None:
    # SPEC GEN-6 GEN-7 SVC-3 SVC-5: the same limit (three years) and the same refusal —
    # 422 period_too_long naming date_from, in zh-CN and English — as the dashboards.
    make_user(db, username="auditor_period", roles=["compliance_auditor"])
    db.commit()
    headers = login_headers(client, "auditor_period")
    start = dt.date(2023, 1, 1)
    longest = start + dt.timedelta(days=reports.MAX_DAYS)
    too_long = longest + dt.timedelta(days=1)
    fine = client.get(
        f"/api/v1/reports/service/{report}?date_from={start}&date_to={longest}", headers=headers
    )
    assert fine.status_code == 200, fine.text
    for lang, words in (("zh-CN", f"不能超过 {reports.MAX_DAYS} 天"), ("en", "may not exceed")):
        period = f"date_from={start}&date_to={too_long}&lang={lang}"
        refused = client.get(f"/api/v1/reports/service/{report}?{period}", headers=headers)
        assert refused.status_code == 422
        error = refused.json()["error"]
        assert (error["code"], error["field"]) == ("period_too_long", "date_from")
        assert words in error["message"]
        board = client.get(f"/api/v1/dashboards/service/deadlines?{period}", headers=headers)
        assert board.status_code == 422 and board.json()["error"] == error


@pytest.mark.parametrize("report", ["complaints_report", "satisfaction_report"])
def test_the_report_functions_refuse_the_long_period_themselves(db: Session, report: str) -> None:
    # SPEC GEN-6 GEN-7: whoever calls them (the API, the dashboards' datasets).
    with pytest.raises(PeriodTooLong) as refused:
        getattr(reports, report)(db, date_from=dt.date(2020, 1, 1), date_to=dt.date(2026, 1, 1))
    assert refused.value.field == "date_from"
