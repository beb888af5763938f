"""Row filters: every list endpoint × every role counts the rows the role may not see.

The role × endpoint matrix (test_access_matrix) proves who may call a route; this
proves what comes back. List routes (GET, no path parameter) are discovered from the
live application, so a list another domain adds later is checked too. Two customers
each hold a policy with a claim; the surveyor is assigned the first claim only and the
sales agent sold the first policy only; each customer has a service record; a claims
handler reported a security incident. Every row that names the second customer's
policy, claim or record (or someone else's incident) in a role's answer is a leak.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.auth import service as auth_service
from claimdesk.auth.permissions import ROLE_PERMISSIONS, Permission, Role
from claimdesk.auth.principal import Principal
from claimdesk.claims.intake.report import ReportIn, report_claim
from claimdesk.models.base import utcnow
from claimdesk.security.service import report_incident
from claimdesk.service.service import open_service_record
from tests.builders import (
    demo_version,
    issue_policy,
    make_org_unit,
    make_person,
    make_user,
    resident_id,
    seed_calendar,
)
from tests.claims.helpers import FrozenClock, local
from tests.test_access_matrix import PUBLIC_ROUTES, api_routes

SYSTEM = Principal.system("test")
OWN_SUBJECT = "row-filter: own consultation"
OTHER_SUBJECT = "row-filter: other customer's consultation"
OTHER_INCIDENT = "row-filter: someone else's incident"
# Roles whose rows are filtered by whose the claim or policy is (SEC-4, CLM-F2).
NARROW = {Role.CUSTOMER, Role.SURVEYOR, Role.SALES_AGENT}


@dataclass
class Scene:
    own_markers: dict[Role, set[str]]  # rows each narrow role must see (not vacuous)
    other_policy: str
    other_claim: str
    own_policy: str
    own_claim: str


def _claim(db: Session, policy_number: str, name: str) -> Any:
    return report_claim(
        db,
        actor=SYSTEM,
        data=ReportIn(
            channel="hotline",
            loss_date=dt.date(2026, 3, 1),
            loss_place="北京",
            loss_cause="illness",
            loss_overview="住院",
            claimant_name=name,
            policy_number=policy_number,
            estimated_amount=Decimal("1000.00"),
        ),
    )


def _scene(db: Session, users: dict[Role, Any]) -> Scene:
    version = demo_version(db, "MED-MILLION")
    own_person = make_person(db, name="甲客户", id_number=resident_id(seq="111"))
    other_person = make_person(
        db, name="乙客户", id_number=resident_id(seq="222"), phone="13987654321"
    )
    own = issue_policy(db, version_id=version.id, policyholder_id=own_person.id)
    other = issue_policy(db, version_id=version.id, policyholder_id=other_person.id)
    own.agent_user_id = users[Role.SALES_AGENT].id
    own_claim = _claim(db, own.number, "甲客户")
    other_claim = _claim(db, other.number, "乙客户")
    own_claim.surveyor_id = users[Role.SURVEYOR].id
    users[Role.CUSTOMER].person_id = own_person.id
    for person, subject in ((own_person, OWN_SUBJECT), (other_person, OTHER_SUBJECT)):
        open_service_record(
            db,
            actor=SYSTEM,
            service_type="consultation",
            channel="phone",
            person_id=person.id,
            subject=subject,
        )
    reporter = make_user(db, username="reporter", roles=["claims_handler"])
    report_incident(
        db,
        actor=Principal.build(user_id=reporter.id, username="reporter", roles=["claims_handler"]),
        title=OTHER_INCIDENT,
        description="a laptop was left on a train",
        severity="low",
        affected_systems="laptop",
    )
    db.flush()
    return Scene(
        own_markers={
            Role.CUSTOMER: {own.number, own_claim.number, OWN_SUBJECT},
            Role.SURVEYOR: {own.number, own_claim.number},
            Role.SALES_AGENT: {own.number},
        },
        other_policy=other.number,
        other_claim=other_claim.number,
        own_policy=own.number,
        own_claim=own_claim.number,
    )


def _forbidden(role: Role, scene: Scene) -> set[str]:
    """What the role may not see in any list (SEC-4, CLM-F2)."""
    markers: set[str] = set()
    if role in NARROW:
        markers |= {scene.other_policy, scene.other_claim, "乙客户"}
    if Permission.SERVICE_DESK not in ROLE_PERMISSIONS[role]:
        markers.add(OTHER_SUBJECT)
    if Permission.SECURITY_INCIDENT_READ not in ROLE_PERMISSIONS[role]:
        markers.add(OTHER_INCIDENT)
    return markers


def _rows(body: Any) -> list[Any]:
    """The rows of a list answer: the items of a JSON list, or of every list inside a
    JSON object (pages of results, grouped answers)."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        return [row for value in body.values() if isinstance(value, list) for row in value]
    return []


def list_routes(app: Any) -> list[str]:
    return sorted(
        {
            r.path
            for r in api_routes(app)
            if r.method == "GET" and "{" not in r.path and (r.method, r.path) not in PUBLIC_ROUTES
        }
    )


def test_list_routes_are_discovered(app: Any) -> None:  # SPEC SEC-4
    paths = list_routes(app)
    for expected in ("/policies", "/claims/queue", "/service/records", "/security-incidents"):
        assert f"/api/v1{expected}" in paths


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_no_list_shows_rows_the_role_may_not_see(
    role: Role, app: Any, client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC SEC-4 (row-level rules on every request), CLM-F2 (need to know: a surveyor
    # sees only the claims assigned to them, a customer only their own)
    FrozenClock(monkeypatch, local("2026-03-03T10:00:00"))
    seed_calendar(db, years=(2025, 2026))
    unit = make_org_unit(db, code="HQ")
    users = {
        r: make_user(db, username=f"rows_{r.value}", roles=[r.value], org_unit=unit) for r in Role
    }
    users[Role.CUSTOMER].person_id = make_person(
        db, name="占位", id_number=resident_id(seq="999")
    ).id
    scene = _scene(db, users)
    method = "password+sms" if role is Role.CUSTOMER else "password"
    issued = auth_service.open_session(
        db, user=users[role], ip="127.0.0.1", kind="api", auth_method=method, now=utcnow()
    )
    db.commit()
    headers = {"Authorization": f"Bearer {issued.token}"}
    forbidden = _forbidden(role, scene)

    leaks: list[str] = []
    seen = ""
    for path in list_routes(app):
        response = client.get(path, headers=headers)
        if response.status_code != 200 or "json" not in response.headers.get("content-type", ""):
            continue
        for row in _rows(response.json()):
            text = json.dumps(row, ensure_ascii=False, default=str)
            seen += text
            hits = sorted(m for m in forbidden if m in text)
            if hits:
                leaks.append(f"{path}: row shows {hits}")
    assert leaks == [], f"{len(leaks)} rows {role.value} may not see:\n" + "\n".join(leaks)
    # Not vacuous: the narrow roles do see their own rows in the same lists.
    missing = sorted(m for m in scene.own_markers.get(role, set()) if m not in seen)
    assert missing == [], f"{role.value} does not see its own rows: {missing}"
