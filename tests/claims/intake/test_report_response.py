"""The report's response is built without the queries for records a new claim cannot
have yet (claims.read.new_claim, issue 4's report path): it must
still say exactly what reading the claim back says."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.claims.helpers import FrozenClock, World, build_world, local

API = "/api/v1/claims"


@pytest.fixture
def world(db: Session, client: TestClient) -> World:
    return build_world(db, client)


@pytest.mark.parametrize("policy", ["MED-MILLION", "HOME-PROP"])
def test_report_response_matches_the_claim_read_back(
    world: World, monkeypatch: pytest.MonkeyPatch, policy: str
) -> None:
    # SPEC CLM-R1 CLM-R2 CLM-A1: number, entry clock and checklist as stored
    # The service's clock runs in UTC, as timeutil.now does in production.
    FrozenClock(monkeypatch, local("2026-09-28T10:00:00").astimezone(dt.UTC))
    payload = {
        "channel": "hotline",
        "policy_number": world.policies[policy].number,  # type: ignore[attr-defined]
        "claimant_name": "李四",
        "loss_date": "2026-09-27",
        "loss_place": "北京",
        "loss_cause": "illness" if policy == "MED-MILLION" else "fire",
        "loss_overview": "报案",
        "estimated_amount": "3000.00",
    }
    created = world.client.post(API, json=payload, headers=world.h["handler"])
    assert created.status_code == 201, created.text
    reported: dict[str, Any] = created.json()
    read = world.client.get(f"{API}/{reported['id']}", headers=world.h["handler"])
    assert read.status_code == 200, read.text
    stored: dict[str, Any] = read.json()
    # The audit entries are chained at commit, after the response was built; everything
    # else is identical.
    assert reported.pop("timeline") == []
    assert [e["action"] for e in stored.pop("timeline")][:1] == ["claim.report"]
    assert reported == stored
    assert reported["checklist"] and reported["clocks"]
    for empty in ("files", "notices", "reserves", "reserve_history", "adjustments"):
        assert stored[empty] == []
