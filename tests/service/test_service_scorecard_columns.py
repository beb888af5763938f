"""The service scorecard has no "ended early" column (GEN-7, SVC-3, SVC-4): no service-desk
clock can close before its step — a complaint's clocks are the company's, carried on by a
new handler; nothing withdraws a complaint or a consultation; closing a consultation takes
its answer — so the column was always 0. The claims board keeps it (a surveyor reassigned,
a claim withdrawn). service.service, "Service clocks end only by their step"."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy.orm import Session

from claimdesk.clocks.service import clock_outcome, clocks_for
from claimdesk.dashboards import queries
from claimdesk.models.states import ClockClosedReason
from claimdesk.service import service
from claimdesk.service.errors import TextRequired
from tests.builders import login_headers, make_org_unit, make_user
from tests.service.helpers import local, make_person, principal_of, seed_calendar

PERIOD = "date_from=2026-09-01&date_to=2026-09-30"
NOW = dt.datetime(2026, 10, 31, tzinfo=dt.UTC)


@pytest.fixture
def desk(db: Session):  # type: ignore[no-untyped-def]
    seed_calendar(db)
    hq = make_org_unit(db)
    first = make_user(db, username="desk1", roles=("service_agent",), org_unit=hq)
    second = make_user(db, username="desk2", roles=("service_agent",), org_unit=hq)
    make_user(db, username="aud", roles=["compliance_auditor"], org_unit=hq)
    return principal_of(first, ("service_agent",)), principal_of(second, ("service_agent",))


def _complaint(db: Session, agent, handler_id):  # type: ignore[no-untyped-def]
    return service.file_complaint(
        db,
        actor=agent,
        person_id=make_person(db).id,
        contact="13800138000",
        channel="phone",
        complaint_type="service",
        cause="delay",
        description="理赔进度太慢",
        handler_user_id=handler_id,
        received_at=local(2026, 9, 28, 10, 0),
    )


def test_a_new_handler_carries_the_complaints_clocks_on(db: Session, desk) -> None:  # type: ignore[no-untyped-def]
    # SPEC SVC-3, GEN-7: named to one agent, acknowledged by another: the clocks run on
    # to the acknowledgement and stop "completed" (met) — nothing ends early
    first, second = desk
    complaint = _complaint(db, first, first.user_id)
    service.acknowledge_complaint(
        db,
        actor=second,
        complaint_id=complaint.id,
        progress_note="已联系客户",
        at=local(2026, 9, 28, 12, 0),
    )
    ack = [
        c
        for c in clocks_for(db, subject_type="complaint", subject_id=complaint.id)
        if c.name == service.ACK_CLOCK
    ]
    assert [c.closed_reason for c in ack] == [ClockClosedReason.COMPLETED]
    assert clock_outcome(clock=ack[0]) == "met"


def test_a_consultation_closes_only_with_its_answer(db: Session, desk) -> None:  # type: ignore[no-untyped-def]
    # SPEC SVC-4: closing without an outcome is refused; with one it is the answer
    agent, _ = desk
    record = service.open_service_record(
        db,
        actor=agent,
        service_type="consultation",
        channel="phone",
        person_id=make_person(db).id,
        subject="咨询",
        received_at=local(2026, 9, 28, 10, 0),
    )
    with pytest.raises(TextRequired):
        service.close_service_record(
            db, actor=agent, record_id=record.id, at=local(2026, 9, 28, 11, 0)
        )
    service.close_service_record(
        db, actor=agent, record_id=record.id, outcome="已答复", at=local(2026, 9, 28, 11, 0)
    )
    (clock,) = clocks_for(db, subject_type="service_record", subject_id=record.id)
    assert clock.closed_reason == ClockClosedReason.COMPLETED


def test_the_service_board_has_no_ended_early_column(db: Session, desk) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-7: the service board's columns end with pending and share met; the
    # claims board keeps its "ended early" column
    agent, _ = desk
    _complaint(db, agent, None)
    period = (dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    board = queries.service_deadlines(db, queries.Filters(*period, now=NOW))
    assert board.columns == ("clock", "governed", "met", "missed", "pending", "share_met")
    assert all(len(row) == len(board.columns) for row in board.rows) and board.rows
    claims = queries.claims_deadlines(db, queries.Filters(*period, now=NOW))
    assert "ended_early" in claims.columns


def test_the_apis_and_csv_have_no_ended_early_column(db: Session, client, desk) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-7: the dashboards API (JSON and CSV) and the service deadlines report
    agent, _ = desk
    _complaint(db, agent, None)
    db.commit()
    headers = login_headers(client, "aud")
    board = client.get(f"/api/v1/dashboards/service/deadlines?{PERIOD}", headers=headers)
    assert board.status_code == 200, board.text
    assert "ended_early" not in board.json()["dataset"]["columns"]
    for language, words in (("zh-CN", "提前结束"), ("en", "Ended early")):
        response = client.get(
            f"/api/v1/dashboards/service/deadlines.csv?{PERIOD}&lang={language}", headers=headers
        )
        header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert not any(words in cell for cell in header), header
        page = client.get(f"/dashboards/service?{PERIOD}&lang={language}", headers=headers)
        assert page.status_code == 200 and words not in page.text
    report = client.get(f"/api/v1/reports/service/deadlines?{PERIOD}", headers=headers)
    assert report.status_code == 200 and report.json()
    assert all("ended_early" not in row for row in report.json())
