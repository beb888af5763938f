"""Claim thresholds from versioned rows: a version applies from its instant, history is
kept, only administrators add one (SPEC CLM-V1, CLM-R4, CLM-P4, GEN-5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.claims.settlement.review import tiers_for
from claimdesk.field_labels import field_label
from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import Claim
from claimdesk.models.org import OrgUnit
from claimdesk.thresholds import service
from tests.builders import login_headers, make_user
from tests.claims.helpers import FrozenClock, World, build_world, local

API = "/api/v1/thresholds"
NOW = "2026-10-08 09:00"


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local(NOW))
    w = build_world(db, client)
    hq = db.scalars(select(OrgUnit)).first()
    make_user(db, username="admin", roles=["administrator"], org_unit=hq)
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
        "reason": "董事会决议 2026-17",
    }
    return {**body, **changes}


def report(w: World, amount: str) -> dict[str, Any]:
    payload = {
        "channel": "hotline",
        "policy_number": w.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
        "claimant_name": "李四",
        "contact_phone": "13912345678",
        "loss_date": "2026-09-28",
        "loss_place": "北京市朝阳区",
        "loss_cause": "illness",
        "loss_overview": "住院治疗",
        "estimated_amount": amount,
    }
    r = w.client.post("/api/v1/claims", json=payload, headers=w.h["handler"])
    assert r.status_code == 201, r.text
    return r.json()


def test_defaults_are_seeded_and_readable_by_staff(world: World) -> None:
    # SPEC CLM-V1 CLM-R4 CLM-P4: the SPEC defaults, from the migration's row
    r = world.client.get(API, headers=world.h["handler"])
    assert r.status_code == 200, r.text
    current = r.json()["current"]
    assert current["version_id"] is not None
    assert Decimal(current["review_tier1_max"]) == Decimal("10000.00")
    assert Decimal(current["review_tier2_max"]) == Decimal("100000.00")
    assert Decimal(current["small_payment_max"]) == Decimal("5000.00")


def test_new_tier_limit_effective_now_routes_a_new_claim_by_it(world: World, db: Session) -> None:
    # SPEC CLM-V1: 8,000 is one tier by default, two once tier 1 ends at 5,000
    claim = db.get(Claim, report(world, "8000.00")["id"])
    assert claim is not None
    claim.payable_total = Decimal("8000.00")
    assert tiers_for(db, claim, at=local(NOW))[0] == 1
    r = world.client.post(API, json=version(review_tier1_max="5000.00"), headers=world.h["admin"])
    assert r.status_code == 201, r.text
    db.expire_all()
    assert tiers_for(db, claim, at=local(NOW)) == (2, ["amount>5000.00"])


def test_new_major_amount_applies_to_the_next_report(world: World) -> None:
    # SPEC CLM-R4: the major-case amount in force at report time
    assert report(world, "300000.00")["is_major"] is False
    r = world.client.post(API, json=version(major_amount="200000.00"), headers=world.h["admin"])
    assert r.status_code == 201, r.text
    assert report(world, "300000.00")["is_major"] is True


def test_future_version_does_not_apply_yet_and_history_is_kept(world: World, db: Session) -> None:
    # SPEC CLM-P4 GEN-5: a version dated tomorrow waits; both versions stay listed
    tomorrow = local("2026-10-09 00:00").astimezone(dt.UTC).isoformat()
    body = version(small_payment_max="8000.00", effective_from=tomorrow)
    r = world.client.post(API, json=body, headers=world.h["admin"])
    assert r.status_code == 201, r.text
    listed = world.client.get(API, headers=world.h["handler"]).json()
    assert Decimal(listed["current"]["small_payment_max"]) == Decimal("5000.00")
    assert [Decimal(v["small_payment_max"]) for v in listed["history"]] == [
        Decimal("8000.00"),
        Decimal("5000.00"),
    ]
    later = service.in_force(db, at=local("2026-10-09 00:00"))
    assert later.small_payment_max == Decimal("8000.00")
    audit = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "thresholds.version_created")
    ).all()
    assert len(audit) == 1 and audit[0].reason == "董事会决议 2026-17"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"review_tier2_max": "10000.00"}, "review_tier2_max"),
        ({"major_amount": "0.00"}, "major_amount"),
        ({"small_payment_max": "-1.00"}, "small_payment_max"),
        ({"effective_from": "2026-10-01T00:00:00Z"}, "effective_from"),
        ({"skip_survey_lines": []}, "skip_survey_lines"),
    ],
)
def test_invalid_version_is_refused_naming_the_field(
    world: World, changes: dict[str, Any], field: str
) -> None:
    # SPEC CLM-V1: tiers increase, amounts positive, no version in the past (GEN-6)
    headers = {**world.h["admin"], "Accept-Language": "zh-CN"}
    r = world.client.post(f"{API}?lang=zh-CN", json=version(**changes), headers=headers)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    # The message names the field by its label (issue 12); programs read "field".
    assert error["field"] == field and field_label(field, "zh-CN") in error["message"]
    english = world.client.post(f"{API}?lang=en", json=version(**changes), headers=world.h["admin"])
    assert english.json()["error"]["message"] != error["message"]


def test_only_an_administrator_adds_a_version(world: World) -> None:
    # SPEC CLM-V1 SEC-4
    r = world.client.post(API, json=version(), headers=world.h["supervisor"])
    assert r.status_code == 403
