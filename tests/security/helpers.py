"""Shared set-up of the security incident tests: staff of several roles, their API
headers, a frozen clock (the claims.timeutil seam the service reads) and small calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.models.base import utcnow
from tests.builders import login_headers, make_org_unit, make_user, seed_calendar
from tests.claims.helpers import FrozenClock, local

API = "/api/v1/security-incidents"

STAFF = {
    "admin": ["administrator"],
    "auditor": ["compliance_auditor"],
    "agent": ["service_agent"],
    "surveyor": ["surveyor"],
}


@dataclass
class Staff:
    client: TestClient
    h: dict[str, dict[str, str]]  # headers per user
    ids: dict[str, int]
    clock: FrozenClock


def build_staff(
    db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch, start: str
) -> Staff:
    seed_calendar(db, years=(2025, 2026))
    hq = make_org_unit(db)
    ids = {
        name: make_user(db, username=name, roles=roles, org_unit=hq).id
        for name, roles in STAFF.items()
    }
    db.commit()
    headers = {name: login_headers(client, name) for name in STAFF}
    return Staff(client, headers, ids, FrozenClock(monkeypatch, local(start)))


def incident_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "核心理赔库异常外联",
        "description": "防火墙告警：理赔数据库服务器向境外地址持续外发数据。",
        "severity": "critical",
        "affected_systems": "理赔数据库 db-claims-01",
        "affected_data": "理赔案件及被保险人信息",
        "personal_data_involved": True,
        "detected_at": "2026-09-21T08:30:00+08:00",
    }
    body.update(overrides)
    return body


def due(data: dict[str, Any], stage: str) -> dt.datetime:
    """The due time of the (last) clock of ``stage`` in an incident's API answer."""
    found = [c for c in data["clocks"] if c["name"] == f"security_incident.{stage}"]
    assert found, f"no {stage} clock in {[c['name'] for c in data['clocks']]}"
    return dt.datetime.fromisoformat(found[-1]["due_at"])


def clock(data: dict[str, Any], stage: str) -> dict[str, Any]:
    found = [c for c in data["clocks"] if c["name"] == f"security_incident.{stage}"]
    assert found
    return found[-1]


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


__all__ = ["API", "Staff", "build_staff", "clock", "due", "incident_body", "local", "ok", "utcnow"]
