"""The datasets behind the dashboards.

Every dataset is a plain table (named columns, rows of str/int/Decimal) so one shape
feeds the chart, the HTML table and the CSV export, and the three can never disagree.
Service figures reuse service.reports (the GEN-7 scorecard); claims figures are
counted in SQL where a count is all they need, otherwise computed here from narrow
column selections in Python (time arithmetic, Decimal rounding), so SQLite and
PostgreSQL give the same answers. Periods are Asia/Shanghai dates (GEN-2).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from claimdesk import formatting
from claimdesk.dashboards import repository
from claimdesk.dashboards.schemas import Filters
from claimdesk.models.clock import Clock
from claimdesk.models.states import ClaimState
from claimdesk.rules.deadlines import to_local
from claimdesk.service import reports
from claimdesk.service.service import SERVICE_CLOCKS

CENT = Decimal("0.01")
Cell = str | int | Decimal | None
# Claims that no longer carry an outstanding reserve (FIN-1: closing releases it).
FINISHED_STATES = ("closed", "withdrawn")
# Age buckets of outstanding reserves, in days since the report.
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    ("365+", 366, None),
)


@dataclass(frozen=True)
class Chart:
    """How to draw a dataset: kind, the category column, the value columns, and an
    optional column whose values become separate series (stacked bars)."""

    kind: str  # bar | line | stacked | table (no chart: the table says it best)
    category: str
    values: tuple[str, ...]
    series_by: str | None = None
    # Further columns whose values are codes the page shows in words.
    labelled: tuple[str, ...] = ()
    # Value columns drawn in a fixed colour: a breach in the alarm colour, never in the
    # palette's green (issue 12). Column name -> CSS colour.
    colors: tuple[tuple[str, str], ...] = ()


# Met in green, missed (超时) in the alarm red of the pages (.breached), pending in grey.
DEADLINE_COLORS = (("met", "#2e7d32"), ("missed", "#c62828"), ("pending", "#9e9e9e"))
# The time limits in the order a claim or a contact meets them, as the step-time table
# lists the states (issue 12): a manager reads the scorecard from the report to the
# callback, where the codes' alphabet put the callback first (回访, 核定, 支付 … 报案录入).
# A limit not listed comes after these, by its code.
CLOCK_ORDER = {
    name: index
    for index, name in enumerate(
        (
            "claim.report_entry",
            "claim.survey_contact",
            "claim.survey_report",
            "claim.review",
            "claim.determination",
            "claim.advance_payment",
            "claim.rejection_notice",
            "claim.payment_small",
            "claim.payment_working",
            "claim.payment_agreement",
            "claim.callback",
            "claim.rejection_callback",
            "claim_dispute.response",
            *SERVICE_CLOCKS,
        )
    )
}
# The workflow's order of states (models.states.ClaimState lists them in it).
STATE_ORDER = {state.value: index for index, state in enumerate(ClaimState)}


# Columns whose values are codes of code_labels (a line, a state, a time limit ...), by
# name in every dataset: the page and the CSV show them in words, and the CSV keeps the
# code beside the words for a program that reads it (dashboards.service.to_csv).
CODE_COLUMNS = frozenset(
    {"line", "state", "clock", "ground", "cause", "service_type", "path", "check"}
)


# Columns of amounts in CNY (GEN-1): the page writes them as people read an amount
# (135,429.00); the CSV keeps the exact decimal, with no separator, for Excel and programs.
AMOUNT_COLUMNS = frozenset({"outstanding"})


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str  # an English msgid; the page translates it
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    chart: Chart


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- claims -----------------------------------------------------------------------------


def claims_volume(session: Session, f: Filters) -> Dataset:
    """Claims reported in the period, by line and current state (CLM-Q2)."""
    rows: list[tuple[Cell, ...]] = sorted(
        (line, state, int(n)) for line, state, n in repository.volume_by_line_state(session, f=f)
    )
    return Dataset(
        "claims_volume",
        "Claims by line and state",
        ("line", "state", "claims"),
        rows,
        Chart("stacked", "line", ("claims",), series_by="state"),
    )


def claims_step_time(session: Session, f: Filters) -> Dataset:
    """Hours spent in each state before leaving it, over the claims of the period: a
    state is entered at the previous transition (the report's own row, from no state,
    enters "reported") and left at the next one to another state. A move within the
    state (accepted -> accepted: a reassignment) ends no stay: counted as two, it halved
    the step's average and doubled its count. The report's row leaves no state: it is
    no row of the table (it was one, of a blank state, 0 h, one per claim)."""
    spent: dict[str, list[Decimal]] = defaultdict(list)
    entered: dict[int, dt.datetime] = {}
    for claim_id, from_state, to_state, at, received in repository.moves_in_period(session, f=f):
        if from_state == to_state:
            continue
        if from_state:
            seconds = max((at - entered.get(claim_id, received)).total_seconds(), 0.0)
            spent[from_state].append(Decimal(str(seconds)) / Decimal(3600))
        entered[claim_id] = at
    rows: list[tuple[Cell, ...]] = [
        (state, len(hours), _round(sum(hours, Decimal(0)) / len(hours)), _round(max(hours)))
        # In workflow order, as a handler walks a claim (reported first, closed last).
        for state, hours in sorted(
            spent.items(), key=lambda item: (STATE_ORDER.get(item[0], len(STATE_ORDER)), item[0])
        )
    ]
    return Dataset(
        "claims_step_time",
        "Time per step (hours)",
        ("state", "stays", "average_hours", "max_hours"),
        rows,
        Chart("bar", "state", ("average_hours",)),
    )


def _deadlines(
    session: Session,
    f: Filters,
    clocks: ColumnElement[bool],
    name: str,
    title: str,
    *,
    ended_early: bool = True,
) -> Dataset:
    """Per clock name: how many clocks started in the period the limit governed, met
    and missed (service.reports.each_clock, the rows the service scorecard counts too),
    pending, and ended early (closed in time without their step — a surveyor
    reassigned, a claim withdrawn —: neither governed nor met, shown apart), counted by the database (issue 6: 200,000 clocks took 2 s in Python) in
    one grouped query: over the whole period, or by the month the clock started and/or
    its branch (机构) as ``f.breakdown`` asks (GEN-7). ``ended_early=False`` leaves that
    column out: a board none of whose clocks can end early (the service desk's)."""
    by_month = f.breakdown in ("month", "month_branch")
    by_branch = f.breakdown in ("branch", "month_branch")
    columns: list[str] = []
    if by_month:
        columns.append("month")
    if by_branch:
        columns += ["branch", "branch_code"]
    rows: list[tuple[Cell, ...]] = []
    found = [
        _branch_in_language(row, at=len(columns) - 2, language=f.language) if by_branch else row
        for row in repository.deadline_counts(
            session, clocks=clocks, f=f, by_month=by_month, by_branch=by_branch
        )
    ]
    # Month, branch code, then the limit: a handful of grouped rows, ordered here. The
    # row's leading columns are one per breakdown column (branch: its name and code).
    clock_at = len(columns)

    def order(row: Any) -> tuple[Any, ...]:
        month = (str(row[0]),) if by_month else ()
        branch = (row[clock_at - 1] or "",) if by_branch else ()
        clock = str(row[clock_at])
        return (*month, *branch, CLOCK_ORDER.get(clock, len(CLOCK_ORDER)), clock)

    for *group, clock, governed, met_n, missed_n, ended in sorted(found, key=order):
        governed, met_n, missed_n = int(governed), int(met_n), int(missed_n)
        decided = met_n + missed_n
        share = reports.share_met(met_n, decided)
        early = (int(ended),) if ended_early else ()
        rows.append((*group, clock, governed, met_n, missed_n, governed - decided, *early, share))
    counted = ("governed", "met", "missed", "pending", *(("ended_early",) if ended_early else ()))
    return Dataset(
        name,
        title,
        (*columns, "clock", *counted, "share_met"),
        rows,
        _deadline_chart(f.breakdown),
    )


def _branch_in_language(row: Sequence[Any], *, at: int, language: str) -> tuple[Any, ...]:
    """The row with its branch's name (at ``at``, its English name after it) in the
    reader's language, the Chinese one where it has none (formatting.name_in, GEN-6)."""
    name, english = row[at], row[at + 1]
    named = formatting.name_in({"name": name, "name_en": english}, language)
    return (*row[:at], named or None, *row[at + 2 :])


def _deadline_chart(breakdown: str) -> Chart:
    """Totals: met, missed and pending per limit. By month or by branch: the missed
    deadlines stacked per limit, where the time goes; by both, the table alone."""
    if breakdown == "month":
        return Chart("stacked", "month", ("missed",), series_by="clock")
    if breakdown == "branch":
        return Chart("stacked", "branch", ("missed",), series_by="clock")
    if breakdown == "month_branch":
        return Chart("table", "month", ("missed",), labelled=("clock",))
    return Chart("bar", "clock", ("met", "missed", "pending"), colors=DEADLINE_COLORS)


def most_first(counts: Mapping[str, int]) -> list[tuple[Cell, ...]]:
    """(code, count) rows, the largest count first and, at equal counts, by code: a
    manager reads a breakdown by cause or ground for its largest share (the codes'
    alphabet put 服务态度 1 before 赔付金额 26)."""
    return [(code, n) for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


# The subjects of the claims' time limits: the claim's own clocks, its callbacks (CLM-X2:
# claims.settlement.callbacks and decision_notices run them on the callback) and its
# disputes' answers (CLM-Z3: claims.special.disputes). Counting "claim" alone left
# every callback and dispute limit off the board (GEN-7: every time limit); the demo's
# history wrote its callbacks on the claim, which hid it.
CLAIM_CLOCK_SUBJECTS = ("claim", "claim_callback", "claim_dispute")


def claims_deadlines(session: Session, f: Filters) -> Dataset:
    """Every claim, callback and claim dispute clock started in the period: how many met
    their limit (GEN-7)."""
    return _deadlines(
        session,
        f,
        Clock.subject_type.in_(CLAIM_CLOCK_SUBJECTS),
        "claims_deadlines",
        "Deadline compliance per clock",
    )


def claims_rejections(session: Session, f: Filters) -> Dataset:
    """Claims of the period that were rejected, by the ground of their last rejecting
    review decision (CLM-Q2 rejection reasons)."""
    grounds = {cid: "unspecified" for cid in repository.rejected_in_period(session, f=f)}
    # In decision order: the last rejecting decision's ground is the one that stands.
    for claim_id, ground in repository.rejection_grounds(session, f=f):
        grounds[claim_id] = ground or "unspecified"
    rows = most_first(Counter(grounds.values()))
    return Dataset(
        "claims_rejections",
        "Rejection reasons",
        ("ground", "claims"),
        rows,
        Chart("bar", "ground", ("claims",)),
    )


def age_bucket(days: int) -> str:
    for label, low, high in AGE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return AGE_BUCKETS[0][0]  # a report dated after "now" counts as new


def claims_reserves(session: Session, f: Filters) -> Dataset:
    """Outstanding case reserves now (FIN-1) of open claims reported up to the end of
    the period, by line and age since the report."""
    _, end = reports.period_bounds(f.date_from, f.date_to)
    found = repository.outstanding_reserves(
        session, received_before=end, org_unit_id=f.org_unit_id, finished=FINISHED_STATES
    )
    today = to_local(f.now).date()
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    order = {label: i for i, (label, _, _) in enumerate(AGE_BUCKETS)}
    for line, received, amount in found:
        bucket = age_bucket((today - to_local(received).date()).days)
        sums[(line, bucket)] += amount
    rows: list[tuple[Cell, ...]] = [
        (line, bucket, _round(total))
        for (line, bucket), total in sorted(sums.items(), key=lambda i: (i[0][0], order[i[0][1]]))
    ]
    return Dataset(
        "claims_reserves",
        "Outstanding reserves by line and age (CNY)",
        ("line", "age_days", "outstanding"),
        rows,
        Chart("stacked", "line", ("outstanding",), series_by="age_days"),
    )


# --- service ------------------------------------------------------------------------------


def complaints_by_cause(session: Session, f: Filters) -> Dataset:
    report = reports.complaints_report(
        session, date_from=f.date_from, date_to=f.date_to, org_unit_id=f.org_unit_id
    )
    rows = most_first(report.by_cause)
    return Dataset(
        "complaints_by_cause",
        "Complaints by cause",
        ("cause", "complaints"),
        rows,
        Chart("bar", "cause", ("complaints",)),
    )


def complaints_trend(session: Session, f: Filters) -> Dataset:
    report = reports.complaints_report(
        session, date_from=f.date_from, date_to=f.date_to, org_unit_id=f.org_unit_id
    )
    rows: list[tuple[Cell, ...]] = [(m.month, m.count, m.change) for m in report.by_month]
    return Dataset(
        "complaints_trend",
        "Complaints per month",
        ("month", "complaints", "change"),
        rows,
        Chart("line", "month", ("complaints",)),
    )


def satisfaction(session: Session, f: Filters) -> Dataset:
    found = reports.satisfaction_report(
        session, date_from=f.date_from, date_to=f.date_to, org_unit_id=f.org_unit_id
    )
    dimensions = tuple(reports.DIMENSIONS)
    rows: list[tuple[Cell, ...]] = [
        (r.service_type, r.surveys, *(r.averages[d] for d in dimensions)) for r in found
    ]
    return Dataset(
        "satisfaction",
        "Satisfaction by service type and dimension (1-5)",
        ("service_type", "surveys", *dimensions),
        rows,
        Chart("bar", "service_type", dimensions),
    )


def service_deadlines(session: Session, f: Filters) -> Dataset:
    """Every consultation and complaint clock started in the period (GEN-7, SVC-3,
    SVC-4), without the claims board's "ended early" column: no service-desk clock can
    close before its step (service.service, "Service clocks end only by their step")."""
    return _deadlines(
        session,
        f,
        Clock.name.in_(list(SERVICE_CLOCKS)),
        "service_deadlines",
        "Service deadlines met",
        ended_early=False,
    )


Query = Callable[[Session, Filters], Dataset]
CLAIMS_DATASETS: dict[str, Query] = {
    "claims_volume": claims_volume,
    "claims_step_time": claims_step_time,
    "claims_deadlines": claims_deadlines,
    "claims_rejections": claims_rejections,
    "claims_reserves": claims_reserves,
}
SERVICE_DATASETS: dict[str, Query] = {
    "complaints_by_cause": complaints_by_cause,
    "complaints_trend": complaints_trend,
    "satisfaction": satisfaction,
    "service_deadlines": service_deadlines,
}
