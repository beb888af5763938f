"""A claim's case reserves are internal: the customer reads the claim, not its figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import ROLE_PERMISSIONS, Permission, Role
from claimdesk.auth.principal import Principal
from claimdesk.claims.intake.report import ReportIn, report_claim
from tests.builders import (
    demo_version,
    issue_policy,
    login_headers,
    make_person,
    make_user,
    seed_calendar,
)
from tests.claims.helpers import FrozenClock, local

PHONE = "13812345678"


def _claim_of_customer(db: Session) -> int:
    seed_calendar(db, years=(2025, 2026))
    person = make_person(db, phone=PHONE)
    make_user(db, username="cust", roles=["customer"], person_id=person.id)
    make_user(db, username="handler1", roles=["claims_handler"])
    make_user(db, username="desk", roles=["service_agent"])
    policy = issue_policy(db, version_id=demo_version(db).id, policyholder_id=person.id)
    claim = report_claim(
        db,
        actor=Principal.system("test"),
        data=ReportIn(
            channel="hotline",
            loss_date=dt.date(2026, 3, 1),
            loss_place="北京",
            loss_cause="illness",
            loss_overview="住院",
            claimant_name="王建国",
            policy_number=policy.number,
            estimated_amount=Decimal("1000.00"),
        ),
    )
    db.commit()
    return claim.id


def test_customer_cannot_read_the_reserves_of_their_claim(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC SEC-4 (least privilege), CLM-F2 (need to know): reserves are internal
    FrozenClock(monkeypatch, local("2026-03-03T10:00:00"))
    claim_id = _claim_of_customer(db)
    customer = login_headers(client, "cust")
    # The customer does read their claim (so this is not a row filter at work) ...
    assert client.get(f"/api/v1/claims/{claim_id}", headers=customer).status_code == 200
    # ... but not its case reserves, nor does the service desk that speaks to them.
    refused = client.get(f"/api/v1/claims/{claim_id}/financials", headers=customer)
    assert refused.status_code == 403
    assert "reserves" not in refused.text
    desk = login_headers(client, "desk")
    assert client.get(f"/api/v1/claims/{claim_id}/financials", headers=desk).status_code == 403
    handler = login_headers(client, "handler1")
    shown = client.get(f"/api/v1/claims/{claim_id}/financials", headers=handler)
    assert shown.status_code == 200 and "reserves" in shown.json()


def test_only_internal_roles_hold_the_financials_permission() -> None:
    # SPEC SEC-4: the table says it once; the customer never holds it
    holders = {
        r for r, granted in ROLE_PERMISSIONS.items() if Permission.CLAIMS_FINANCIALS in granted
    }
    assert Role.CUSTOMER not in holders and Role.SERVICE_AGENT not in holders
    assert {Role.CLAIMS_HANDLER, Role.ADJUSTER, Role.PAYMENT_OFFICER} <= holders
