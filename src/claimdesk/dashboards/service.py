"""Straight-through measures (CLM-T4): the share of eligible claims paid automatically,
the time from complete materials to the payment instruction, hits and false holds per
check — by line and month, as dashboard datasets (chart, table and CSV from one table).

Definitions (docs/benchmarks.md, "CLM-T4 measures"):

- **eligible**: a claim with medical e-bills (CLM-T1) whose total is within the
  automatic limit in force when it was received (the administrator's, versioned;
  default ¥5,000), with complete materials (every checklist item received) and no fraud
  flag an investigator confirmed.
- **paid automatically**: its first payment instruction was made by no person (the
  automatic path's system actor; a person's payment names the user).
- **time to payment**: from complete materials (the last checklist item's receipt) to
  the first payment instruction; nearest-rank p50 and p95 in seconds, per path.
- **the quality sample** (CLM-T3): automatically paid claims chosen for review, how
  many a tier-1 reviewer has judged and the share who agreed with the machine.
- **hits and false holds per check**: a false hold is a hit whose fraud flag an
  investigator cleared, or a referral whose claim a person then paid without confirming
  fraud. A hit is a finding, recorded once (check_hits.finding_key).

Month = the Asia/Shanghai month the claim was received (the dashboards' period is the
claims received in it), found-at month for the checks.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections import defaultdict
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from claimdesk import formatting
from claimdesk.auth.principal import Principal
from claimdesk.code_labels import code_label, column_label
from claimdesk.dashboards import repository
from claimdesk.dashboards.errors import (
    PeriodReversed,
    PeriodTooLong,
    UnknownBreakdown,
    UnknownDataset,
)
from claimdesk.dashboards.queries import (
    AMOUNT_COLUMNS,
    CLAIMS_DATASETS,
    CODE_COLUMNS,
    SERVICE_DATASETS,
    Cell,
    Chart,
    Dataset,
    Query,
)
from claimdesk.dashboards.schemas import BREAKDOWNS, Filters
from claimdesk.i18n import gettext
from claimdesk.rules.deadlines import to_local
from claimdesk.service import reports
from claimdesk.thresholds import service as thresholds

ONE = Decimal("0.1")


def _month(at: dt.datetime) -> str:
    return to_local(at).strftime("%Y-%m")


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(ONE, rounding=ROUND_HALF_UP)


def percentile(*, values: list[float], pct: int) -> Decimal | None:
    """Nearest-rank percentile (the smallest value with ``pct`` % at or below it)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return Decimal(str(ordered[rank - 1])).quantize(ONE, rounding=ROUND_HALF_UP)


def _automatic(session: Session, actor: Principal, f: Filters) -> dict[int, dt.datetime]:
    """Claims of the period whose first payment instruction no person made."""
    return {
        cid: at
        for cid, _line, _received, at, by in repository.first_payments(session, actor=actor, f=f)
        if by is None
    }


def stp_share(session: Session, *, actor: Principal, filters: Filters) -> Dataset:
    complete = repository.materials_complete(session, actor=actor, f=filters)
    fraud = repository.confirmed_fraud(session, actor=actor, f=filters)
    automatic = _automatic(session, actor, filters)
    eligible: dict[tuple[str, str], int] = defaultdict(int)
    paid: dict[tuple[str, str], int] = defaultdict(int)
    for cid, line, received, total in repository.claims_with_bills(session, actor=actor, f=filters):
        # The limit the administrator set (CLM-T2), not the default: a raised or lowered
        # limit changes which claims the automatic path could take.
        limit = thresholds.in_force(session, at=received).automatic_max_amount
        if total > limit or cid in fraud or complete.get(cid) is None:
            continue
        key = (_month(received), line)
        eligible[key] += 1
        paid[key] += cid in automatic
    rows: list[tuple[Cell, ...]] = [
        (month, line, n, paid[(month, line)], _pct(paid[(month, line)], n))
        for (month, line), n in sorted(eligible.items())
    ]
    return Dataset(
        "stp_share",
        "Eligible claims paid automatically",
        ("month", "line", "eligible", "paid_automatically", "share_automatic"),
        rows,
        Chart("stacked", "month", ("paid_automatically",), series_by="line"),
    )


def stp_time(session: Session, *, actor: Principal, filters: Filters) -> Dataset:
    complete = repository.materials_complete(session, actor=actor, f=filters)
    waits: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for cid, line, received, paid_at, by in repository.first_payments(
        session, actor=actor, f=filters
    ):
        done = complete.get(cid)
        if done is None:
            continue
        path = "automatic" if by is None else "manual"
        waits[(_month(received), line, path)].append(max((paid_at - done).total_seconds(), 0.0))
    rows: list[tuple[Cell, ...]] = [
        (month, line, path, len(s), percentile(values=s, pct=50), percentile(values=s, pct=95))
        for (month, line, path), s in sorted(waits.items())
    ]
    return Dataset(
        "stp_time",
        "Complete materials to payment instruction (seconds)",
        ("month", "line", "path", "payments", "p50_seconds", "p95_seconds"),
        rows,
        Chart("table", "month", ("p50_seconds",), labelled=("line", "path")),
    )


def stp_checks(session: Session, *, actor: Principal, filters: Filters) -> Dataset:
    counts: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for code, line, found, action, outcome, paid in repository.check_hits(
        session, actor=actor, f=filters
    ):
        row = counts[(code, line, _month(found))]
        row[0] += 1
        row[1] += action == "hold"
        false = outcome == "false_hold" or (action != "hold" and outcome is None and paid)
        row[2] += false
        row[3] += outcome == "confirmed"
    rows: list[tuple[Cell, ...]] = [
        (code, line, month, hits, holds, hits - holds, false, confirmed, _pct(false, hits))
        for (code, line, month), (hits, holds, false, confirmed) in sorted(counts.items())
    ]
    return Dataset(
        "stp_checks",
        "Hits and false holds per check",
        (
            "check",
            "line",
            "month",
            "hits",
            "holds",
            "referrals",
            "false_holds",
            "confirmed",
            "false_hold_share",
        ),
        rows,
        Chart("stacked", "check", ("hits",), series_by="month", labelled=("line",)),
    )


def stp_sample(session: Session, *, actor: Principal, filters: Filters) -> Dataset:
    """The quality sample (CLM-T3): automatically paid claims chosen for a tier-1
    review, how many were reviewed and how many reviewers agreed with the machine."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for line, received, agrees in repository.sample_verdicts(session, actor=actor, f=filters):
        row = counts[(_month(received), line)]
        row[0] += 1
        row[1] += agrees is not None
        row[2] += bool(agrees)
    rows: list[tuple[Cell, ...]] = [
        (month, line, sampled, reviewed, agreed, _pct(agreed, reviewed))
        for (month, line), (sampled, reviewed, agreed) in sorted(counts.items())
    ]
    return Dataset(
        "stp_sample",
        "Quality sample of automatic payments",
        ("month", "line", "sampled", "reviewed", "agreed", "agreement_rate"),
        rows,
        Chart("table", "month", ("agreement_rate",), labelled=("line",)),
    )


STP_DATASETS: dict[str, Callable[..., Dataset]] = {
    "stp_share": stp_share,
    "stp_time": stp_time,
    "stp_checks": stp_checks,
    "stp_sample": stp_sample,
}


def stp_datasets(session: Session, *, actor: Principal, filters: Filters) -> list[Dataset]:
    """Every CLM-T4 dataset for the reader (row-filtered) and period."""
    return [build(session, actor=actor, filters=filters) for build in STP_DATASETS.values()]


def stp_dataset(session: Session, *, actor: Principal, filters: Filters, name: str) -> Dataset:
    build = STP_DATASETS.get(name)
    if build is None:
        raise UnknownDataset(what=name, field="dataset")
    return build(session, actor=actor, filters=filters)


# The dashboards' boards: each a set of datasets over the period's claims or contacts
# (CLM-Q2, GEN-7, SVC-3, SVC-5); the claims board adds the straight-through measures
# (CLM-T4), row-filtered for the reader. The pages and the API call these, never the
# queries themselves.
BOARDS: dict[str, dict[str, Query]] = {"claims": CLAIMS_DATASETS, "service": SERVICE_DATASETS}


def board_datasets(
    session: Session, *, board: str, actor: Principal, filters: Filters
) -> tuple[list[Dataset], list[Dataset]]:
    """A board's datasets for the period: (its own, the straight-through section)."""
    found = [query(session, filters) for query in BOARDS[board].values()]
    stp = stp_datasets(session, actor=actor, filters=filters) if board == "claims" else []
    return found, stp


def board_dataset(
    session: Session, *, board: str, name: str, actor: Principal, filters: Filters
) -> Dataset:
    """One dataset of a board by name (its CSV); an unknown name is refused (404)."""
    if board == "claims" and name in STP_DATASETS:
        return stp_dataset(session, actor=actor, filters=filters, name=name)
    query = BOARDS[board].get(name)
    if query is None:
        raise UnknownDataset(what=name, field="dataset")
    return query(session, filters)


MAX_DAYS = reports.MAX_DAYS


def filters_for(
    *,
    date_from: dt.date | None,
    date_to: dt.date | None,
    org_unit_id: int | None,
    now: dt.datetime,
    breakdown: str | None = None,
    language: str = "zh-CN",
) -> Filters:
    """The period of the API and the pages: this year so far by default, at most three
    years, ordered; the deadline scorecards' breakdown (GEN-7), one of BREAKDOWNS.
    ``now`` (the app's clock) is both "today" of the default period and the instant a
    running clock is judged at, so the two never disagree. ``language``: the reader's,
    of the branch names in the rows (``Filters.language``)."""
    end = date_to or to_local(now).date()
    start = date_from or end.replace(month=1, day=1)
    if end < start:
        raise PeriodReversed(field="date_to")
    if (end - start).days > MAX_DAYS:
        raise PeriodTooLong(field="date_from", max_days=MAX_DAYS)
    if (breakdown or "") not in BREAKDOWNS:
        raise UnknownBreakdown(field="by")
    return Filters(
        date_from=start,
        date_to=end,
        org_unit_id=org_unit_id,
        now=now,
        breakdown=breakdown or "",
        language=language,
    )


DEADLINE_DATASETS = {"claims": "claims_deadlines", "service": "service_deadlines"}


def deadlines(session: Session, *, board: str, actor: Principal, filters: Filters) -> Dataset:
    """A board's deadline scorecard (GEN-7, CLM-Q2): per time limit, and by month and/or
    branch as ``filters.breakdown`` asks; one grouped query."""
    return board_dataset(
        session, board=board, name=DEADLINE_DATASETS[board], actor=actor, filters=filters
    )


def _csv_cell(value: Cell) -> str:
    """A value as the CSV holds it: numbers plain (no thousands separator, never an
    exponent), amounts and shares as their exact decimal string (GEN-1), none empty."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


# Columns the CSV gives in words, each followed by a column that keeps the value a
# program reads: the codes (CODE_COLUMNS: "时限", "时限（代码）") and the month ("月份"
# 2026年3月 / Month "Mar 2026", then "月份（代码）" 2026-03). Excel opens "2026-03" as a
# date (1 March, shown "Mar-26" or "2026/3/1"); the month in words is what the page
# says, the code column stays as programs have always read it (docs/operations.md).
WORDED_COLUMNS = CODE_COLUMNS | {"month"}


def _words(column: str, value: Cell, language: str) -> str:
    if value is None:
        return ""
    if column == "month":
        return formatting.month(value, language)
    return code_label(value, language)


def csv_rows(*, dataset: Dataset, language: str) -> list[list[str]]:
    """The dataset as the CSV's rows, header first, in the reader's language: each column
    named in words, each code or month column (WORDED_COLUMNS) in words followed by a
    column that keeps its value for a program to read ("时限", "时限（代码）")."""
    header: list[str] = []
    for column in dataset.columns:
        header.append(column_label(column, language))
        if column in WORDED_COLUMNS:
            header.append(gettext("%(column)s (code)", language) % {"column": header[-1]})
    rows = [header]
    for row in dataset.rows:
        cells: list[str] = []
        for column, value in zip(dataset.columns, row, strict=True):
            if column in WORDED_COLUMNS:
                cells.append(_words(column, value, language))
            cells.append(_csv_cell(value))
        rows.append(cells)
    return rows


def to_csv(*, dataset: Dataset, language: str) -> bytes:
    """The dataset as a CSV file for Excel (CLM-Q2, GEN-7 "exportable"): UTF-8 with a
    byte-order mark, without which Excel on a Chinese Windows reads the file in GBK and
    shows mojibake; the header and the codes in the reader's language (csv_rows)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(csv_rows(dataset=dataset, language=language))
    return buffer.getvalue().encode("utf-8-sig")


def csv_filename(*, dataset: Dataset, filters: Filters) -> str:
    """The export's file name: the dataset and the period (and the branch when one is
    chosen), so two exports of different periods never overwrite each other."""
    by = f"_by_{filters.breakdown}" if filters.breakdown else ""
    unit = f"_unit{filters.org_unit_id}" if filters.org_unit_id is not None else ""
    return f"{dataset.name}{by}_{filters.date_from}_{filters.date_to}{unit}.csv"


__all__ = [
    "AMOUNT_COLUMNS",
    "BOARDS",
    "BREAKDOWNS",
    "MAX_DAYS",
    "STP_DATASETS",
    "Cell",
    "Dataset",
    "Filters",
    "board_dataset",
    "board_datasets",
    "csv_filename",
    "csv_rows",
    "deadlines",
    "filters_for",
    "stp_dataset",
    "stp_datasets",
    "to_csv",
]
