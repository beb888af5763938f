"""Dashboards API: the straight-through measures (CLM-T4) — the claims dashboard's STP
datasets as JSON and one CSV per dataset, for the roles that read the claims dashboard,
row-filtered — and the deadline scorecards of both boards (GEN-7, CLM-Q2), per time
limit and by month and/or branch, as JSON and CSV."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil
from claimdesk.dashboards import service
from claimdesk.dashboards.queries import Dataset
from claimdesk.dashboards.schemas import DatasetOut, DeadlinesOut, Filters, StpMeasuresOut
from claimdesk.deps import DB, require
from claimdesk.i18n import request_language

router = APIRouter(prefix="/dashboards/claims", tags=["dashboards"])
service_router = APIRouter(prefix="/dashboards/service", tags=["dashboards"])

Analyst = Annotated[Principal, Depends(require(Permission.CLAIMS_REPORTS))]
ServiceAnalyst = Annotated[Principal, Depends(require(Permission.SERVICE_REPORTS))]
DateFrom = Annotated[dt.date | None, Query(description="first day (YYYY-MM-DD), Beijing time")]
DateTo = Annotated[dt.date | None, Query(description="last day (YYYY-MM-DD), Beijing time")]
Unit = Annotated[int | None, Query(gt=0, description="only this branch")]
By = Annotated[
    str | None,
    Query(
        max_length=20,
        description="deadline scorecard rows by month, branch or month_branch (default: "
        "one row per time limit over the period)",
    ),
]


def _filters(
    date_from: dt.date | None, date_to: dt.date | None, unit: int | None, by: str | None = None
) -> Filters:
    return service.filters_for(
        date_from=date_from,
        date_to=date_to,
        org_unit_id=unit,
        now=timeutil.now(),
        breakdown=by,
    )


# The filters of the query string, as one dependency per kind of route rather than the
# same parameters written out on every route. FastAPI lists a dependency's parameters
# as the route's own, so the OpenAPI document is the one the routes had when they
# declared them (tests/dashboards/test_endpoints.py compares). async: they only check
# and build an object, where a plain def would cost a trip through the thread pool on
# every request (issue 14). A bad period is refused (422) before the route runs.


async def period_filters(
    date_from: DateFrom = None, date_to: DateTo = None, org_unit_id: Unit = None
) -> Filters:
    """``?date_from=&date_to=&org_unit_id=`` of the straight-through measures."""
    return _filters(date_from, date_to, org_unit_id)


PeriodFilters = Annotated[Filters, Depends(period_filters)]


async def scorecard_filters(
    date_from: DateFrom = None, date_to: DateTo = None, org_unit_id: Unit = None, by: By = None
) -> Filters:
    """The period's filters and ``?by=`` of the deadline scorecards (GEN-7). Its own
    parameters, not period_filters' plus ``by``: FastAPI would list a sub-dependency's
    parameters after ``by``, and the document's order would change."""
    return _filters(date_from, date_to, org_unit_id, by)


ScorecardFilters = Annotated[Filters, Depends(scorecard_filters)]


def _out(dataset: Dataset) -> DatasetOut:
    return DatasetOut(
        name=dataset.name,
        title=dataset.title,
        columns=list(dataset.columns),
        rows=[list(row) for row in dataset.rows],
    )


@router.get("/stp", response_model=StpMeasuresOut)
def stp_measures(db: DB, principal: Analyst, filters: PeriodFilters) -> StpMeasuresOut:
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
    name: str, request: Request, db: DB, principal: Analyst, filters: PeriodFilters
) -> Response:
    dataset = service.stp_dataset(db, actor=principal, filters=filters, name=name)
    return csv_response(dataset, filters, language(request))


def csv_response(dataset: Dataset, filters: Filters, lang: str) -> Response:
    """A dataset as the CSV download (service.to_csv: BOM, words in ``lang``)."""
    filename = service.csv_filename(dataset=dataset, filters=filters)
    return Response(
        service.to_csv(dataset=dataset, language=lang),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def language(request: Request) -> str:
    """The reader's language for the CSV's words and the branch names of the JSON and
    the CSV (deps.require set it from ?lang=, the cookie, the user and the browser)."""
    return getattr(request.state, "language", None) or request_language(request)


def _deadlines_out(dataset: Dataset, filters: Filters) -> DeadlinesOut:
    return DeadlinesOut(
        date_from=filters.date_from.isoformat(),
        date_to=filters.date_to.isoformat(),
        org_unit_id=filters.org_unit_id,
        by=filters.breakdown or None,
        dataset=_out(dataset),
    )


CSV_RESPONSE: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/csv": {}}, "description": "the scorecard as CSV (UTF-8 with BOM)"}
}


@router.get("/deadlines", response_model=DeadlinesOut)
def claims_deadlines(
    request: Request, db: DB, principal: Analyst, filters: ScorecardFilters
) -> DeadlinesOut:
    """The claims deadline scorecard (GEN-7): per claim time limit, how many clocks the
    period's limit governed, met, missed and pending; by month and/or branch — each
    branch named in the reader's language, as the CSV does (GEN-6)."""
    filters = replace(filters, language=language(request))
    dataset = service.deadlines(db, board="claims", actor=principal, filters=filters)
    return _deadlines_out(dataset, filters)


@router.get("/deadlines.csv", response_class=Response, responses=CSV_RESPONSE)
def claims_deadlines_csv(
    request: Request, db: DB, principal: Analyst, filters: ScorecardFilters
) -> Response:
    lang = language(request)
    filters = replace(filters, language=lang)  # the branch names in the CSV's language
    dataset = service.deadlines(db, board="claims", actor=principal, filters=filters)
    return csv_response(dataset, filters, lang)


@service_router.get("/deadlines", response_model=DeadlinesOut)
def service_deadlines(
    request: Request, db: DB, principal: ServiceAnalyst, filters: ScorecardFilters
) -> DeadlinesOut:
    """The service deadline scorecard (GEN-7, SVC-3, SVC-4): consultations, complaints
    and claim disputes, by month and/or branch, each branch in the reader's language."""
    filters = replace(filters, language=language(request))
    dataset = service.deadlines(db, board="service", actor=principal, filters=filters)
    return _deadlines_out(dataset, filters)


@service_router.get("/deadlines.csv", response_class=Response, responses=CSV_RESPONSE)
def service_deadlines_csv(
    request: Request, db: DB, principal: ServiceAnalyst, filters: ScorecardFilters
) -> Response:
    lang = language(request)
    filters = replace(filters, language=lang)  # the branch names in the CSV's language
    dataset = service.deadlines(db, board="service", actor=principal, filters=filters)
    return csv_response(dataset, filters, lang)
