"""API shapes of the dashboards' datasets (CLM-T4 straight-through measures)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from pydantic import BaseModel

from claimdesk.models.base import utcnow

# How the deadline scorecards break their figures down (GEN-7: by branch, by month):
# "" = one row per time limit over the period.
BREAKDOWNS = ("", "month", "branch", "month_branch")


@dataclass(frozen=True)
class Filters:
    """What a dashboard reads: the period, the branch, the clock and the breakdown. Here,
    not in queries.py, because both the datasets and the repository read it."""

    date_from: dt.date
    date_to: dt.date
    org_unit_id: int | None = None
    # The app's clock (models.base.utcnow), the one tests freeze, as `today` is read.
    now: dt.datetime = field(default_factory=utcnow)
    breakdown: str = ""  # one of BREAKDOWNS
    # The reader's language of the names the rows carry (a branch's, GEN-6): the page's,
    # the CSV's and the JSON API's (the request's); Chinese where none is set.
    language: str = "zh-CN"


class DatasetOut(BaseModel):
    name: str
    title: str
    columns: list[str]
    # Amounts, shares and seconds as decimal strings (never float, GEN-1).
    rows: list[list[str | int | Decimal | None]]


class StpMeasuresOut(BaseModel):
    date_from: str
    date_to: str
    org_unit_id: int | None
    datasets: list[DatasetOut]


class DeadlinesOut(BaseModel):
    """A deadline scorecard (GEN-7): the period, the branch filter, the breakdown
    (month, branch, month_branch; null = per time limit over the period) and its rows."""

    date_from: str
    date_to: str
    org_unit_id: int | None
    by: str | None
    dataset: DatasetOut
