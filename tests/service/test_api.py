"""Service desk API: permissions, row filter, clear errors (SEC-4, GEN-6, SVC-3)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.service import Complaint
from tests.builders import login_headers, make_org_unit, make_user
from tests.service.helpers import make_person, seed_calendar


def test_complaint_api_roles_rows_and_errors(db: Session, client: TestClient) -> None:
    # SPEC SVC-3 SEC-4 GEN-6
    seed_calendar(db)
    branch = make_org_unit(db, code="CD01", name="成都分公司", kind="branch")
    make_user(db, username="desk_api", roles=("service_agent",), org_unit=branch)
    mine, other = make_person(db), make_person(db, name="赵六")
    mine.phone = "13800000001"  # the customer's SMS login code goes here (SEC-9)
    make_user(db, username="cust_api", roles=("customer",), person_id=mine.id)
    make_user(db, username="auditor_api", roles=("compliance_auditor",))
    db.commit()
    desk = login_headers(client, "desk_api")
    customer = login_headers(client, "cust_api")
    body = {
        "person_id": other.id,
        "contact": "13800138000",
        "channel": "phone",
        "complaint_type": "claims",
        "cause": "delay",
        "description": "慢",
        "received_at": "2026-09-28T10:00:00+08:00",
    }
    before = db.scalar(select(func.count()).select_from(Complaint))
    bad = client.post("/api/v1/complaints", json={**body, "channel": "fax"}, headers=desk)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "channel"
    missing = client.post("/api/v1/complaints", json={**body, "contact": None}, headers=desk)
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "contact"
    assert db.scalar(select(func.count()).select_from(Complaint)) == before
    created = client.post("/api/v1/complaints", json=body, headers=desk)
    assert created.status_code == 201, created.text
    data = created.json()
    assert data["decision_rule"] == "days:15"
    assert data["decision_due_at"].startswith("2026-10-13T15:59:59")  # 23:59:59 +08:00
    # The customer sees only their own complaints and cannot decide.
    assert client.get(f"/api/v1/complaints/{data['id']}", headers=customer).status_code == 404
    assert client.get("/api/v1/complaints", headers=customer).json()["items"] == []
    decide = client.post(
        f"/api/v1/complaints/{data['id']}/decide",
        headers=customer,
        json={"outcome": "upheld", "decision": "x"},
    )
    assert decide.status_code == 403
    own = client.post(
        "/api/v1/complaints",
        headers=customer,
        json={**body, "person_id": None, "channel": "web_app"},
    )
    assert own.status_code == 201 and own.json()["person_id"] == mine.id
    # Reports: auditors yes, desk agents no.
    query = "?date_from=2026-09-01&date_to=2026-10-31"
    assert client.get(f"/api/v1/reports/service/complaints{query}", headers=desk).status_code == 403
    report = client.get(
        f"/api/v1/reports/service/complaints{query}", headers=login_headers(client, "auditor_api")
    )
    assert report.status_code == 200 and report.json()["total"] == 2
