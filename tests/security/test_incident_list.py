"""The incidents list (SEC-7, SEC-4, GEN-6): read through security.service.incidents_page,
whose repository holds the row filter; the stage and severity filters narrow inside the
caller's rows, and a value outside their lists is refused naming the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.paging import PageRequest
from claimdesk.security import service
from claimdesk.security.errors import UnknownIncidentCode
from tests.security.helpers import API, build_staff, incident_body, ok

PAGE = PageRequest(limit=50)


@pytest.fixture
def incidents(db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch):
    staff = build_staff(db, client, monkeypatch, "2026-09-21 09:00")
    made = {}
    for who, severity in (("agent", "low"), ("agent", "critical"), ("surveyor", "low")):
        body = incident_body(title=f"{who}-{severity}", severity=severity)
        made[(who, severity)] = ok(client.post(API, json=body, headers=staff.h[who]), 201)["id"]
    return staff, made


def _principal(staff, name: str, roles: list[str]) -> Principal:
    return Principal.build(user_id=staff.ids[name], username=name, roles=roles)


@pytest.mark.parametrize(
    ("name", "roles", "severity", "expected"),
    [
        # A reporter sees their own only, the severity narrowing inside them (SEC-4).
        ("agent", ["service_agent"], None, {("agent", "low"), ("agent", "critical")}),
        ("agent", ["service_agent"], "low", {("agent", "low")}),
        ("surveyor", ["surveyor"], None, {("surveyor", "low")}),
        ("surveyor", ["surveyor"], "critical", set()),
        # Readers of every incident (SEC-7).
        ("auditor", ["compliance_auditor"], "low", {("agent", "low"), ("surveyor", "low")}),
        (
            "admin",
            ["administrator"],
            None,
            {("agent", "low"), ("agent", "critical"), ("surveyor", "low")},
        ),
    ],
)
def test_service_page_is_row_filtered_and_narrowed(
    db: Session, incidents, name: str, roles: list[str], severity: str | None, expected: set
) -> None:
    # SPEC SEC-4 SEC-7
    staff, made = incidents
    found = service.incidents_page(
        db, actor=_principal(staff, name, roles), paging=PAGE, severity=severity
    )
    assert {i.id for i in found.rows} == {made[key] for key in expected}
    assert found.total == len(expected)


def test_api_list_matches_the_service_and_states_narrow(client: TestClient, incidents) -> None:
    # SPEC SEC-4 SEC-7: the route answers what the service finds for the same caller.
    staff, made = incidents
    listed = ok(client.get(f"{API}?severity=low", headers=staff.h["agent"]))
    assert [row["id"] for row in listed["items"]] == [made[("agent", "low")]]
    reported = ok(client.get(f"{API}?state=reported", headers=staff.h["auditor"]))
    assert {row["id"] for row in reported["items"]} == set(made.values())
    assert ok(client.get(f"{API}?state=reviewed", headers=staff.h["auditor"]))["items"] == []


@pytest.mark.parametrize(
    ("query", "field"), [("state=lost", "state"), ("severity=grave", "severity")]
)
def test_an_unknown_filter_is_refused_naming_it(
    db: Session, client: TestClient, incidents, query: str, field: str
) -> None:
    # SPEC GEN-6 SEC-7: in both languages, naming the field, through the API and the service.
    staff, _ = incidents
    for language in ("zh-CN", "en"):
        answer = client.get(
            f"{API}?{query}", headers={**staff.h["auditor"], "Accept-Language": language}
        )
        assert answer.status_code == 422
        error = answer.json()["error"]
        assert error["field"] == field
        assert query.split("=")[1] in error["message"]
    name, value = query.split("=")
    with pytest.raises(UnknownIncidentCode) as refused:
        service.incidents_page(
            db,
            actor=_principal(staff, "auditor", ["compliance_auditor"]),
            paging=PAGE,
            **{name: value},
        )
    assert refused.value.field == field
