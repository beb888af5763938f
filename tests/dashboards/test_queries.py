"""Deadline compliance counted by the database (issue 6) gives the figures of the
Python reference, service.reports.deadlines_report, summed over months and branches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from claimdesk.dashboards import queries
from claimdesk.models.clock import Clock
from claimdesk.service import reports
from tests.builders import make_org_unit

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 4, 20, 12, tzinfo=SH)


def at(day: int, hour: int = 9, month: int = 4) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=SH)


def _clock(
    db: Session,
    name: str,
    unit: int,
    started: dt.datetime,
    due: dt.datetime,
    *,
    stopped: dt.datetime | None = None,
    paused: dt.datetime | None = None,
    subject_type: str = "claim",
) -> None:
    db.add(
        Clock(
            subject_type=subject_type,
            subject_id="1",
            name=name,
            rule_type="hours",
            rule_n=1,
            org_unit_id=unit,
            started_at=started,
            due_at=due,
            stopped_at=stopped,
            paused_at=paused,
        )
    )


def test_deadline_totals_match_the_reference_report(db: Session) -> None:
    # SPEC GEN-7, CLM-Q2 (deadline compliance), issue 6 (counted in SQL, same figures)
    hq = make_org_unit(db).id
    bj = make_org_unit(db, code="BJ", name="北京分公司", kind="branch").id
    review = "claim.review"
    # hq, April: met (stopped in time), met (paused in time, stopped late), missed
    # (stopped late), missed (running past due), pending (running, due later), pending
    # (paused after its due time, not stopped: a paused clock is never "running late").
    _clock(db, review, hq, at(1), at(3), stopped=at(2))
    _clock(db, review, hq, at(2), at(4), stopped=at(9), paused=at(3))
    _clock(db, review, hq, at(3), at(5), stopped=at(6))
    _clock(db, review, hq, at(4), at(6))
    _clock(db, review, hq, at(5), at(30))
    _clock(db, review, hq, at(6), at(7), paused=at(8))
    # Another branch and another month: in the totals; outside the period: not.
    _clock(db, review, bj, at(10, month=3), at(12, month=3), stopped=at(11, month=3))
    _clock(db, "claim.report_entry", bj, at(7), at(7, 10), stopped=at(7, 11))
    _clock(db, review, hq, at(1, month=2), at(2, month=2), stopped=at(3, month=2))
    # Not a claim clock: not on the claims board.
    _clock(db, "service.consultation_answer", hq, at(8), at(8, 11), subject_type="service")
    db.flush()
    filters = queries.Filters(dt.date(2026, 3, 1), dt.date(2026, 4, 30), now=NOW)

    board = queries.claims_deadlines(db, filters)

    assert board.rows == [
        ("claim.report_entry", 1, 0, 1, 0, Decimal("0.00")),
        ("claim.review", 7, 3, 2, 2, Decimal("60.00")),
    ]
    reference: dict[str, list[int]] = {}
    for row in reports.deadlines_report(
        db,
        date_from=filters.date_from,
        date_to=filters.date_to,
        now=NOW,
        names=["claim.review", "claim.report_entry"],
    ):
        totals = reference.setdefault(row.name, [0, 0, 0, 0])
        for i, value in enumerate((row.governed, row.met, row.missed, row.pending)):
            totals[i] += value
    assert {r[0]: list(r[1:5]) for r in board.rows} == reference

    hq_only = queries.claims_deadlines(
        db, queries.Filters(filters.date_from, filters.date_to, org_unit_id=hq, now=NOW)
    )
    assert hq_only.rows == [("claim.review", 6, 2, 2, 2, Decimal("50.00"))]
