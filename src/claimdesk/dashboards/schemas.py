"""API shapes of the dashboards' datasets (CLM-T4 straight-through measures)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel


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
