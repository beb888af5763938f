"""Dashboards (CLM-Q2, GEN-7, SVC-3, SVC-5): charts, tables and one CSV per dataset.

The HTML page and the CSV are built from the same Dataset, so the export is exactly
the table the user sees. Period, branch and the deadline scorecards' breakdown (by month and/or branch, GEN-7)
come from the query string; a bad value is
shown in place on the page (GEN-6) and refused for the CSV.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from claimdesk import formatting
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil
from claimdesk.code_labels import CLAIM_STATES
from claimdesk.dashboards import service as dashboards
from claimdesk.deps import DB, require
from claimdesk.errors import ClaimdeskError
from claimdesk.org import service as org_service
from claimdesk.rules.deadlines import to_local
from claimdesk.web.kit import (
    error_of,
    language_of,
    page,
    parse_date,
    parse_id,
    translator,
)
from claimdesk.web.labels import column_labeller, labeller

router = APIRouter(prefix="/dashboards")

ClaimsReader = Annotated[Principal, Depends(require(Permission.CLAIMS_REPORTS))]
ServiceReader = Annotated[Principal, Depends(require(Permission.SERVICE_REPORTS))]
TITLES = {"claims": "Claims dashboard", "service": "Service dashboard"}


def filters_from(request: Request) -> dashboards.Filters:
    """The period and branch of the query string, checked by the service as the API's;
    the branch names in the page's language (its CSV's too)."""
    params = request.query_params
    now = timeutil.now()
    today = to_local(now).date()
    date_to = parse_date(params.get("date_to"), "date_to", today)
    date_from = parse_date(params.get("date_from"), "date_from", date_to.replace(month=1, day=1))
    return dashboards.filters_for(
        date_from=date_from,
        date_to=date_to,
        org_unit_id=parse_id(params.get("org_unit_id"), "org_unit_id"),
        now=now,
        breakdown=(params.get("by") or "").strip(),
        language=language_of(request),
    )


def _cell(value: dashboards.Cell) -> str | int | float | None:
    # JSON for the chart only: ECharts needs numbers. Tables and CSV keep the Decimal.
    if isinstance(value, Decimal):
        return float(value)
    return value


def cell_labeller(label: Any, gettext: Any, language: str | None = None) -> Any:
    """A cell's code in words; a claim's state (the claims board's ``state`` columns) in
    a claim's words (code_labels.CLAIM_STATES: "decided" is 已核定，无需支付, not a
    complaint's 已决定); a month as people write it (2026年3月 / Mar 2026), as the CSV's
    month column says it."""

    def cell(value: object, column: str | None = None) -> str:
        if column == "month":
            return formatting.month(value, language)
        if column == "state":
            msgid = CLAIM_STATES.get(str(value))
            if msgid:
                return str(gettext(msgid))
        return str(label(value))

    return cell


def cell_text(value: dashboards.Cell, column: str) -> str:
    """A figure of the page's tables as a manager reads it: an amount with thousands
    separators (AMOUNT_COLUMNS: 135,429.00, where the table showed 135429.00), a
    month-on-month change signed (+5, -6: a bare 5 read as a count), none as a dash.
    The CSV keeps the plain figures (dashboards.to_csv)."""
    if value is None:
        return "—"
    if column in dashboards.AMOUNT_COLUMNS:
        return formatting.amount(value)
    if column == "change" and isinstance(value, int) and value > 0:
        return f"+{value}"
    return str(value)


def chart_payload(dataset: dashboards.Dataset, label: Any, gettext: Any) -> str:
    header = column_labeller(gettext)
    label_columns = {
        dataset.chart.category,
        *(filter(None, [dataset.chart.series_by])),
        *dataset.chart.labelled,
    }
    rows = [
        {
            col: (label(v, col) if col in label_columns else _cell(v))
            for col, v in zip(dataset.columns, row, strict=True)
        }
        for row in dataset.rows
    ]
    payload = {
        "name": dataset.name,
        "title": gettext(dataset.title),
        "kind": dataset.chart.kind,
        "category": dataset.chart.category,
        "values": list(dataset.chart.values),
        "series_by": dataset.chart.series_by,
        "names": {col: header(col) for col in dataset.columns},
        "colors": dict(dataset.chart.colors),
        "rows": rows,
    }
    # Safe inside <script type="application/json">: no "</" can close the element.
    return json.dumps(payload, ensure_ascii=False).replace("</", "<\\/")


def _board(request: Request, db: Session, board: str, principal: Principal) -> Response:
    title = TITLES[board]
    gettext = translator(request)
    label = cell_labeller(labeller(gettext), gettext, language_of(request))
    units = org_service.list_units(db)
    try:
        filters = filters_from(request)
    except ClaimdeskError as error:
        return page(
            request,
            "admin/dashboard.html",
            status_code=error.status_code,
            board=board,
            title=title,
            datasets=[],
            units=units,
            label=label,
            column_label=column_labeller(gettext),
            error=error_of(request, error),
            params=request.query_params,
            query="",
        )
    # CLM-T4: the straight-through measures, a section of the claims board (row-filtered).
    found, stp = dashboards.board_datasets(db, board=board, actor=principal, filters=filters)
    charts = [(ds, chart_payload(ds, label, gettext)) for ds in found]
    stp_charts = [(ds, chart_payload(ds, label, gettext)) for ds in stp]
    query_string = urlencode(
        [
            ("date_from", filters.date_from.isoformat()),
            ("date_to", filters.date_to.isoformat()),
            *([("org_unit_id", str(filters.org_unit_id))] if filters.org_unit_id else []),
            *([("by", filters.breakdown)] if filters.breakdown else []),
        ]
    )
    return page(
        request,
        "admin/dashboard.html",
        board=board,
        title=title,
        charts=charts,
        stp_charts=stp_charts,
        units=units,
        label=label,
        shown=cell_text,
        column_label=column_labeller(gettext),
        filters=filters,
        error=None,
        params=request.query_params,
        query=query_string,
    )


def csv_response(
    request: Request, dataset: dashboards.Dataset, filters: dashboards.Filters
) -> Response:
    """The dataset as a CSV for Excel, in the page's language (dashboards.to_csv)."""
    return Response(
        dashboards.to_csv(dataset=dataset, language=language_of(request)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": (
                f'attachment; filename="{dashboards.csv_filename(dataset=dataset, filters=filters)}"'
            )
        },
    )


def _csv(request: Request, db: Session, board: str, name: str, principal: Principal) -> Response:
    filters = filters_from(request)
    found = dashboards.board_dataset(db, board=board, name=name, actor=principal, filters=filters)
    return csv_response(request, found, filters)


@router.get("/claims")
def claims_board(request: Request, db: DB, principal: ClaimsReader) -> Response:
    return _board(request, db, "claims", principal)


@router.get("/claims/{name}.csv")
def claims_csv(name: str, request: Request, db: DB, principal: ClaimsReader) -> Response:
    return _csv(request, db, "claims", name, principal)


@router.get("/service")
def service_board(request: Request, db: DB, principal: ServiceReader) -> Response:
    return _board(request, db, "service", principal)


@router.get("/service/{name}.csv")
def service_csv(name: str, request: Request, db: DB, principal: ServiceReader) -> Response:
    return _csv(request, db, "service", name, principal)
