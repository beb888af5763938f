"""Deadline compliance counted by the database (issue 6) gives the figures of the
clock-by-clock Python reference (tests/deadline_reference.py), summed over months and
branches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from claimdesk.dashboards import queries
from tests.builders import make_org_unit
from tests.deadline_reference import add_clock, reference_deadlines, statements_run

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 4, 20, 12, tzinfo=SH)


def at(day: int, hour: int = 9, month: int = 4) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=SH)


def test_deadline_totals_match_the_reference_report(db: Session) -> None:
    # SPEC GEN-7, CLM-Q2 (deadline compliance), issue 6 (counted in SQL, same figures)
    hq = make_org_unit(db).id
    bj = make_org_unit(db, code="BJ", name="北京分公司", kind="branch").id
    review = "claim.review"
    # hq, April: met (stopped in time), met (paused in time, stopped late), missed
    # (stopped late), missed (running past due), pending (running, due later), pending
    # (paused after its due time, not stopped: a paused clock is never "running late").
    add_clock(db, review, hq, at(1), at(3), stopped=at(2))
    add_clock(db, review, hq, at(2), at(4), stopped=at(9), paused=at(3))
    add_clock(db, review, hq, at(3), at(5), stopped=at(6))
    add_clock(db, review, hq, at(4), at(6))
    add_clock(db, review, hq, at(5), at(30))
    add_clock(db, review, hq, at(6), at(7), paused=at(8))
    # Another branch and another month: in the totals; outside the period: not.
    add_clock(db, review, bj, at(10, month=3), at(12, month=3), stopped=at(11, month=3))
    add_clock(db, "claim.report_entry", bj, at(7), at(7, 10), stopped=at(7, 11))
    add_clock(db, review, hq, at(1, month=2), at(2, month=2), stopped=at(3, month=2))
    # Not a claim clock: not on the claims board.
    add_clock(db, "service.consultation_answer", hq, at(8), at(8, 11), subject_type="service")
    db.flush()
    filters = queries.Filters(dt.date(2026, 3, 1), dt.date(2026, 4, 30), now=NOW)

    board = queries.claims_deadlines(db, filters)

    assert board.rows == [
        ("claim.report_entry", 1, 0, 1, 0, 0, Decimal("0.00")),
        ("claim.review", 7, 3, 2, 2, 0, Decimal("60.00")),
    ]
    reference: dict[str, list[int]] = {}
    for row in reference_deadlines(
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
    assert hq_only.rows == [("claim.review", 6, 2, 2, 2, 0, Decimal("50.00"))]


def test_clocks_closed_without_their_step_are_neither_met_nor_governed(db: Session) -> None:
    # SPEC GEN-7, CLM-S1: a contact clock closed in time by a reassignment, a review
    # clock closed in time by a withdrawal (also one closed while paused) count as
    # "ended early" — not met, not governed, not in the share —; one closed for a
    # reassignment after its due time had been missed and counts as missed. The grouped
    # query and the clock-by-clock reference agree, totals and by branch and month.
    hq = make_org_unit(db).id
    contact, review = "claim.survey_contact", "claim.review"
    add_clock(db, contact, hq, at(1, 9), at(1, 10), stopped=at(1, 9), closed_reason="reassigned")
    add_clock(db, contact, hq, at(1, 9), at(1, 10), stopped=at(1, 11), closed_reason="reassigned")
    add_clock(db, contact, hq, at(1, 11), at(1, 12), stopped=at(1, 11))  # completed, met
    add_clock(db, review, hq, at(2), at(5), stopped=at(3), closed_reason="cancelled")
    add_clock(db, review, hq, at(2), at(5), paused=at(3), stopped=at(9), closed_reason="cancelled")
    add_clock(db, review, hq, at(2), at(5), stopped=at(4))  # completed, met
    db.flush()
    period = (dt.date(2026, 4, 1), dt.date(2026, 4, 30))

    board = queries.claims_deadlines(db, queries.Filters(*period, now=NOW))

    assert board.columns[-2:] == ("ended_early", "share_met")
    assert board.rows == [
        (contact, 2, 1, 1, 0, 1, Decimal("50.00")),
        (review, 1, 1, 0, 0, 2, Decimal("100.00")),
    ]
    by_both = queries.claims_deadlines(
        db, queries.Filters(*period, now=NOW, breakdown="month_branch")
    ).rows
    reference = reference_deadlines(
        db, date_from=period[0], date_to=period[1], now=NOW, names=[contact, review]
    )
    assert {(r[3], r[2], r[0]): list(r[4:9]) for r in by_both} == {
        (r.name, r.branch, r.month): [r.governed, r.met, r.missed, r.pending, r.ended_early]
        for r in reference
    }


def test_deadlines_by_month_and_branch_match_the_reference_in_beijing_time(
    db: Session,
) -> None:
    # SPEC GEN-7 (by branch, by month), GEN-2 (months are Beijing-time months): one
    # grouped query gives the figures of the Python reference per limit, branch and
    # month. 1 April 07:00 in Beijing is still 31 March in UTC: April here.
    hq = make_org_unit(db).id
    bj = make_org_unit(db, code="BJ", name="北京分公司", kind="branch").id
    review = "claim.review"
    add_clock(db, review, hq, at(31, 23, month=3), at(2), stopped=at(1))  # March
    add_clock(db, review, hq, at(1, 7), at(3), stopped=at(5))  # April (UTC: 31 March)
    add_clock(db, review, bj, at(1, 7), at(3))  # April, running past due
    add_clock(db, review, bj, at(30, 23, month=4), at(30, 23, month=5))  # April, pending
    add_clock(
        db, "claim.report_entry", bj, at(2, 1, month=3), at(2, 2, month=3), paused=at(2, 1, month=3)
    )
    add_clock(db, review, hq, at(1, 0, month=5), at(2, month=5))  # May: outside the period
    db.flush()
    period = (dt.date(2026, 3, 1), dt.date(2026, 4, 30))

    def board(breakdown: str, unit: int | None = None) -> list[tuple[object, ...]]:
        filters = queries.Filters(*period, org_unit_id=unit, now=NOW, breakdown=breakdown)
        return queries.claims_deadlines(db, filters).rows

    assert board("month") == [
        ("2026-03", "claim.report_entry", 1, 0, 0, 1, 0, None),
        ("2026-03", review, 1, 1, 0, 0, 0, Decimal("100.00")),
        ("2026-04", review, 3, 0, 2, 1, 0, Decimal("0.00")),
    ]
    assert board("branch") == [
        ("北京分公司", "BJ", "claim.report_entry", 1, 0, 0, 1, 0, None),
        ("北京分公司", "BJ", review, 2, 0, 1, 1, 0, Decimal("0.00")),
        ("总公司", "HQ", review, 2, 1, 1, 0, 0, Decimal("50.00")),
    ]
    assert board("month", unit=hq) == [
        ("2026-03", review, 1, 1, 0, 0, 0, Decimal("100.00")),
        ("2026-04", review, 1, 0, 1, 0, 0, Decimal("0.00")),
    ]
    both = {
        (row[3], row[2], row[0]): list(row[4:8]) for row in board("month_branch")
    }  # (limit, branch code, month) -> governed, met, missed, pending
    reference = {
        (r.name, r.branch, r.month): [r.governed, r.met, r.missed, r.pending]
        for r in reference_deadlines(
            db,
            date_from=period[0],
            date_to=period[1],
            now=NOW,
            names=[review, "claim.report_entry"],
        )
    }
    assert both == reference
    assert ("claim.review", "HQ", "2026-04") in both


def test_a_breakdown_is_one_query_however_many_clocks(db: Session) -> None:
    # SPEC GEN-7, issue 6: counted by the database in one grouped statement, never a
    # query (or a Python pass) per clock.
    hq = make_org_unit(db).id
    for day in range(1, 29):
        add_clock(
            db,
            "claim.review",
            hq,
            at(day, month=3),
            at(day, 20, month=3),
            stopped=at(day, 10, month=3),
        )
    db.flush()
    filters = queries.Filters(
        dt.date(2026, 1, 1), dt.date(2026, 4, 30), now=NOW, breakdown="month_branch"
    )
    with statements_run(db) as statements:
        rows = queries.claims_deadlines(db, filters).rows
    assert rows == [("2026-03", "总公司", "HQ", "claim.review", 28, 28, 0, 0, 0, Decimal("100.00"))]
    assert len(statements) == 1 and "GROUP BY" in statements[0]


def test_claims_scorecard_counts_callbacks_and_disputes_in_the_claims_order(
    db: Session,
) -> None:
    # SPEC GEN-7 (every time limit), CLM-X2 (callbacks), CLM-Z3 (claim disputes): a
    # callback's clock runs on the callback (claim_callback) and a dispute's on the
    # dispute (claim_dispute); both are the claims' limits. The rows follow a claim from
    # the report to the callback, not the codes' alphabet; a complaint's limit is the
    # service board's.
    hq = make_org_unit(db).id
    add_clock(db, "claim.callback", hq, at(1), at(3), stopped=at(2), subject_type="claim_callback")
    add_clock(db, "claim_dispute.response", hq, at(1), at(1, 11), subject_type="claim_dispute")
    add_clock(db, "claim.review", hq, at(1), at(3), stopped=at(2))
    add_clock(db, "claim.survey_contact", hq, at(1), at(1, 10), stopped=at(1, 11))
    add_clock(db, "claim.report_entry", hq, at(1), at(1, 10), stopped=at(1, 9))
    add_clock(db, "complaint.acknowledgement", hq, at(1), at(2), subject_type="complaint")
    db.flush()
    filters = queries.Filters(dt.date(2026, 4, 1), dt.date(2026, 4, 30), now=NOW)

    rows = queries.claims_deadlines(db, filters).rows

    assert rows == [
        ("claim.report_entry", 1, 1, 0, 0, 0, Decimal("100.00")),
        ("claim.survey_contact", 1, 0, 1, 0, 0, Decimal("0.00")),
        ("claim.review", 1, 1, 0, 0, 0, Decimal("100.00")),
        ("claim.callback", 1, 1, 0, 0, 0, Decimal("100.00")),
        ("claim_dispute.response", 1, 0, 1, 0, 0, Decimal("0.00")),
    ]
    by_branch = queries.claims_deadlines(
        db, queries.Filters(filters.date_from, filters.date_to, now=NOW, breakdown="branch")
    ).rows
    assert [row[2] for row in by_branch] == [row[0] for row in rows]


def test_a_breakdown_by_cause_lists_the_largest_first(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC SVC-3 (analysed by cause), CLM-Q2 (rejection reasons): the largest share
    # first, equal counts by code — not the codes' alphabet.
    from claimdesk.service import reports

    assert queries.most_first({"attitude": 1, "claim_amount": 26, "delay": 24, "other": 1}) == [
        ("claim_amount", 26),
        ("delay", 24),
        ("attitude", 1),
        ("other", 1),
    ]
    found = reports.ComplaintsReport(
        total=3, by_cause={"attitude": 1, "delay": 2}, by_type={}, by_channel={}, by_month=[]
    )
    monkeypatch.setattr(reports, "complaints_report", lambda *_a, **_k: found)
    filters = queries.Filters(dt.date(2026, 3, 1), dt.date(2026, 4, 30), now=NOW)
    assert queries.complaints_by_cause(db, filters).rows == [("delay", 2), ("attitude", 1)]
