"""The automatic settings are versioned, audited thresholds an administrator sets
(SPEC CLM-T2, CLM-T3), and the rule set version changes with them and with the checks'
configuration (CLM-F3)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.org import OrgUnit
from tests.builders import login_headers, make_user
from tests.claims.helpers import FrozenClock, World, build_world, local

API = "/api/v1"


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-10-08 09:00"))
    w = build_world(db, client)
    make_user(
        db, username="admin", roles=["administrator"], org_unit=db.scalars(select(OrgUnit)).first()
    )
    db.commit()
    w.h["admin"] = login_headers(client, "admin")
    return w


def version(**changes: Any) -> dict[str, Any]:
    body = {
        "review_tier1_max": "10000.00",
        "review_tier2_max": "100000.00",
        "major_amount": "500000.00",
        "small_payment_max": "5000.00",
        "skip_survey_max_amount": "5000.00",
        "skip_survey_lines": ["health"],
        "reason": "理赔委员会决议 2026-21",
    }
    return {**body, **changes}


def _rule_set(world: World) -> dict[str, Any]:
    response = world.client.get(f"{API}/automatic/rule-set", headers=world.h["supervisor"])
    assert response.status_code == 200, response.text
    return response.json()


def test_defaults_and_a_new_version_of_the_automatic_settings(world, db):
    # SPEC CLM-T2, CLM-T3: ¥5,000, medical, 5% until an administrator changes them.
    current = world.client.get(f"{API}/thresholds", headers=world.h["admin"]).json()["current"]
    assert current["automatic_max_amount"] == "5000.00"
    assert current["automatic_lines"] == ["medical"] and current["sample_share"] == "0.0500"
    before = _rule_set(world)
    created = world.client.post(
        f"{API}/thresholds",
        json=version(
            automatic_max_amount="3000.00",
            automatic_lines=["medical", "accident_medical"],
            sample_share="0.1000",
        ),
        headers=world.h["admin"],
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["automatic_max_amount"] == "3000.00" and body["sample_share"] == "0.1000"
    assert body["automatic_lines"] == ["accident_medical", "medical"]
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "thresholds.version_created")
    ).all()[-1]
    assert json.loads(entry.details)["automatic_max_amount"] == "3000.00"
    after = _rule_set(world)
    assert after["version"] != before["version"]
    assert after["content"]["automatic_max_amount"] == "3000.00"
    # A version that leaves them out keeps the values in force.
    kept = world.client.post(f"{API}/thresholds", json=version(), headers=world.h["admin"])
    assert kept.status_code == 201 and kept.json()["automatic_max_amount"] == "3000.00"
    assert _rule_set(world)["version"] == after["version"]


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"sample_share": "1.5000"}, "sample_share", "sample_share_out_of_range"),
        ({"automatic_lines": ["property"]}, "automatic_lines.0", "automatic_line_unsupported"),
        ({"automatic_max_amount": "0.00"}, "automatic_max_amount", "threshold_not_positive"),
    ],
)
def test_a_bad_automatic_setting_is_refused_naming_its_field(world, changes, field, code):
    # SPEC CLM-T2, GEN-6
    response = world.client.post(
        f"{API}/thresholds", json=version(**changes), headers=world.h["admin"]
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert response.json()["error"]["code"] == code


def test_only_administrators_change_them(world):
    # SPEC CLM-T2: an administrator's setting.
    response = world.client.post(
        f"{API}/thresholds", json=version(sample_share="1.0000"), headers=world.h["supervisor"]
    )
    assert response.status_code == 403


def test_the_rule_set_changes_with_the_checks_configuration(world):
    # SPEC CLM-T2, CLM-F3: a check's new configuration is a new rule set.
    before = _rule_set(world)
    checks = world.client.get(f"{API}/checks", headers=world.h["admin"]).json()
    early = next(c for c in checks if c["code"] == "early_claim")
    changed = world.client.put(
        f"{API}/checks/early_claim",
        json={
            "enabled": not early["enabled"],
            "action": early["action"],
            "parameters": early["parameters"],
            "reason": "试行关闭",
        },
        headers=world.h["admin"],
    )
    assert changed.status_code == 200, changed.text
    after = _rule_set(world)
    assert after["version"] != before["version"]
    assert after["content"]["checks"]["early_claim"]["enabled"] is (not early["enabled"])
