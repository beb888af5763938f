"""The report's response is built without the queries for records a new claim cannot
have yet (claims.read.new_claim, issue 4's report path): it must
still say exactly what reading the claim back says."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.claims.helpers import FrozenClock, World, build_world, local

API = "/api/v1/claims"


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
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


# The report's response as bytes (issue 14: the lean report path must not change it):
# every case's body with only the ids the database hands out (claim, policy, clocks) and
# the report number put in words, the rest byte for byte — key order, number and date
# formats, non-ASCII text as written.
_GOLDEN = Path(__file__).with_name("report_response_golden.json")

_CASES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "handler_medical": ("handler", "MED-MILLION", {}),
    "handler_property_major": (
        "handler",
        "HOME-PROP",
        {
            "loss_cause": "fire",
            "contact_phone": "13812345678",
            "loss_at": "2026-09-27T21:15:00+08:00",
            "received_at": "2026-09-28T09:40:00+08:00",
            "casualties": 3,
            "group_incident": True,
            "estimated_amount": "250000.50",
            "claimant_relationship": "spouse",
            "channel": "app",
        },
    ),
    "customer_medical": ("customer", "MED-MILLION", {"estimated_amount": None}),
}


def _normalised(body: bytes, answer: dict[str, Any]) -> str:
    """The body with the claim's, policy's and clocks' ids, the report number and the
    policy number in words; every other byte as sent."""
    text = body.decode()
    claim, policy = answer["id"], answer["policy_id"]
    assert text.startswith(f'{{"id":{claim},"number":"{answer["number"]}",')
    text = text.replace(
        f'{{"id":{claim},"number":"{answer["number"]}",', '{"id":"<claim>","number":"<number>",', 1
    )
    text = text.replace(f'"policy_id":{policy},', '"policy_id":"<policy>",', 1)
    text = text.replace(
        f'"policy_number":"{answer["policy_number"]}",', '"policy_number":"<policy>",', 1
    )
    for index, clock in enumerate(answer["clocks"]):
        shown = f'{{"id":{clock["id"]},"subject_type":"claim","subject_id":"{claim}",'
        assert shown in text
        text = text.replace(
            shown, f'{{"id":"<clock{index}>","subject_type":"claim","subject_id":"<claim>",', 1
        )
    return text


def _report_body(world: World, case: str) -> str:
    role, policy, changes = _CASES[case]
    payload: dict[str, Any] = {
        "channel": "hotline",
        "policy_number": world.policies[policy].number,  # type: ignore[attr-defined]
        "claimant_name": "李四",
        "loss_date": "2026-09-27",
        "loss_place": "北京",
        "loss_cause": "illness",
        "loss_overview": '报案 "引号" 与换行\n第二行',
        "estimated_amount": "3000.00",
        **changes,
    }
    created = world.client.post(API, json=payload, headers=world.h[role])
    assert created.status_code == 201, created.text
    return _normalised(created.content, created.json())


@pytest.mark.parametrize("case", sorted(_CASES))
def test_report_response_bytes_are_pinned(
    world: World, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    # SPEC CLM-R1 CLM-R3 CLM-R4 CLM-A1: the report's answer, byte for byte but the ids
    FrozenClock(monkeypatch, local("2026-09-28T10:00:00").astimezone(dt.UTC))
    body = _report_body(world, case)
    if os.environ.get("CLAIMDESK_WRITE_GOLDEN") == "1":  # to record a deliberate change
        golden = json.loads(_GOLDEN.read_text()) if _GOLDEN.exists() else {}
        golden[case] = body
        _GOLDEN.write_text(json.dumps(golden, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    assert body == json.loads(_GOLDEN.read_text())[case]
