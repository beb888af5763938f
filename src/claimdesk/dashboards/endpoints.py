"""Straight-through measures API (CLM-T4): the claims dashboard's STP datasets as JSON
and one CSV per dataset, for the roles that read the claims dashboard, row-filtered."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil
from claimdesk.dashboards import service
from claimdesk.dashboards.queries import Dataset, Filters
from claimdesk.dashboards.schemas import DatasetOut, StpMeasuresOut
from claimdesk.deps import DB, require
from claimdesk.rules.deadlines import to_local

router = APIRouter(prefix="/dashboards/claims", tags=["dashboards"])

Analyst = Annotated[Principal, Depends(require(Permission.CLAIMS_REPORTS))]
DateFrom = Annotated[dt.date | None, Query(description="first day (YYYY-MM-DD), Beijing time")]
DateTo = Annotated[dt.date | None, Query(description="last day (YYYY-MM-DD), Beijing time")]
Unit = Annotated[int | None, Query(gt=0, description="only this branch")]


def _filters(date_from: dt.date | None, date_to: dt.date | None, unit: int | None) -> Filters:
    return service.filters_for(
        date_from=date_from,
        date_to=date_to,
        org_unit_id=unit,
        today=to_local(timeutil.now()).date(),
    )


def _out(dataset: Dataset) -> DatasetOut:
    return DatasetOut(
        name=dataset.name,
        title=dataset.title,
        columns=list(dataset.columns),
        rows=[list(row) for row in dataset.rows],
    )


@router.get("/stp", response_model=StpMeasuresOut)
def stp_measures(
    db: DB,
    principal: Analyst,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    org_unit_id: Unit = None,
) -> StpMeasuresOut:
    filters = _filters(date_from, date_to, org_unit_id)
    datasets = service.stp_datasets(db, actor=principal, filters=filters)
    return StpMeasuresOut(
        date_from=filters.date_from.isoformat(),
        date_to=filters.date_to.isoformat(),
        org_unit_id=filters.org_unit_id,
        datasets=[_out(d) for d in datasets],
    )


@router.get(
    "/stp/{name}.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "the dataset as CSV"}},
)
def stp_csv(
    name: str,
    db: DB,
    principal: Analyst,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    org_unit_id: Unit = None,
) -> Response:
    filters = _filters(date_from, date_to, org_unit_id)
    dataset = service.stp_dataset(db, actor=principal, filters=filters, name=name)
    filename = f"{dataset.name}_{filters.date_from}_{filters.date_to}.csv"
    return Response(
        service.to_csv(dataset),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
