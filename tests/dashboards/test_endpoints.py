"""The dashboards API's filters (CLM-Q2, CLM-T4, GEN-7): one dependency per kind of
route (dashboards.endpoints.period_filters, scorecard_filters), and the parameters the
OpenAPI document lists for them — what schemathesis and API clients read — exactly as
they were when every route declared them itself."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from claimdesk.app import create_app
from tests.builders import login_headers, make_org_unit, make_user


def _optional(name: str, schema: dict[str, Any], description: str, title: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": {
            "anyOf": [schema, {"type": "null"}],
            "description": description,
            "title": title,
        },
        "description": description,
    }


PERIOD = [
    _optional(
        "date_from",
        {"type": "string", "format": "date"},
        "first day (YYYY-MM-DD), Beijing time",
        "Date From",
    ),
    _optional(
        "date_to",
        {"type": "string", "format": "date"},
        "last day (YYYY-MM-DD), Beijing time",
        "Date To",
    ),
    _optional(
        "org_unit_id", {"type": "integer", "exclusiveMinimum": 0}, "only this branch", "Org Unit Id"
    ),
]
BY = _optional(
    "by",
    {"type": "string", "maxLength": 20},
    "deadline scorecard rows by month, branch or month_branch (default: one row per "
    "time limit over the period)",
    "By",
)
NAME = {
    "name": "name",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "title": "Name"},
}
EXPECTED = {
    "/api/v1/dashboards/claims/stp": PERIOD,
    "/api/v1/dashboards/claims/stp/{name}.csv": [NAME, *PERIOD],
    "/api/v1/dashboards/claims/deadlines": [*PERIOD, BY],
    "/api/v1/dashboards/claims/deadlines.csv": [*PERIOD, BY],
    "/api/v1/dashboards/service/deadlines": [*PERIOD, BY],
    "/api/v1/dashboards/service/deadlines.csv": [*PERIOD, BY],
}


def test_the_filters_parameters_in_the_openapi_document_are_unchanged() -> None:
    # SPEC GEN-7, CLM-T4, GEN-6: names, places, types, limits, descriptions,
    # required-ness and order, as the routes declared them before the dependency
    # (recorded from the document at 52785c4).
    paths = create_app().openapi()["paths"]
    found = {path: paths[path]["get"]["parameters"] for path in EXPECTED}
    assert found == EXPECTED
    assert sorted(p for p in paths if p.startswith("/api/v1/dashboards/")) == sorted(EXPECTED)


def test_the_filters_dependency_refuses_bad_filters_naming_the_field(
    db: Any, client: TestClient
) -> None:
    # SPEC GEN-6, GEN-7: a reversed period, an unknown breakdown, a branch that is not a
    # positive number — each refused (422) naming its field, on every route; never
    # before the caller is known (401 first).
    hq = make_org_unit(db)
    make_user(db, username="aud", roles=["compliance_auditor"], org_unit=hq)
    headers = login_headers(client, "aud")
    for path in (
        "/api/v1/dashboards/claims/deadlines",
        "/api/v1/dashboards/claims/deadlines.csv",
        "/api/v1/dashboards/service/deadlines",
        "/api/v1/dashboards/service/deadlines.csv",
    ):
        reversed_period = client.get(
            f"{path}?date_from=2026-04-30&date_to=2026-03-01&lang=en", headers=headers
        )
        assert reversed_period.status_code == 422, path
        assert reversed_period.json()["error"]["field"] == "date_to"
        week = client.get(f"{path}?by=week&lang=en", headers=headers)
        assert week.status_code == 422 and week.json()["error"]["field"] == "by", path
        assert client.get(f"{path}?org_unit_id=0", headers=headers).status_code == 422
        assert client.get(f"{path}?by=week").status_code == 401, path
        fine = client.get(
            f"{path}?date_from=2026-03-01&date_to=2026-04-30&by=month", headers=headers
        )
        assert fine.status_code == 200, (path, fine.text)
    too_long = client.get(
        "/api/v1/dashboards/claims/stp?date_from=2020-01-01&date_to=2026-01-01&lang=en",
        headers=headers,
    )
    assert too_long.status_code == 422 and too_long.json()["error"]["field"] == "date_from"
