"""Confirming the coverages a claim is for, before acceptance: a customer unsure what to
claim reports on every coverage of the product; the handler narrows them and the
checklist follows (CLM-A1)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.claims.coverages_world import accident_world, report_unsure
from tests.claims.helpers import World
from tests.claims.steps import ok

API = "/api/v1/claims"


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    return accident_world(db, client)


def _report(w: World) -> dict[str, Any]:
    return report_unsure(w)


def _codes(claim: dict[str, Any]) -> set[str]:
    return {m["code"] for m in claim["checklist"]}


def test_handler_narrows_the_coverages_and_the_checklist_follows(world: World) -> None:
    # SPEC CLM-A1 (checklist from the coverages claimed), GEN-5 (audited)
    w = world
    claim = _report(w)
    cid = claim["id"]
    assert claim["coverage_codes"] == ["death", "disability", "acc_medical"]
    everything = _codes(claim)
    medical_only = ok(
        w.client.post(
            f"{API}/{cid}/coverages",
            json={"coverage_codes": ["acc_medical"], "reason": "客户电话确认仅门诊医疗"},
            headers=w.h["handler"],
        )
    )
    assert medical_only["coverage_codes"] == ["acc_medical"]
    narrowed = _codes(medical_only)
    assert narrowed < everything
    assert "death_certificate" in everything and "death_certificate" not in narrowed
    # Widening again brings the items back; the audit trail holds both changes.
    both = ok(
        w.client.post(
            f"{API}/{cid}/coverages",
            json={"coverage_codes": ["acc_medical", "disability"]},
            headers=w.h["handler"],
        )
    )
    assert both["coverage_codes"] == ["acc_medical", "disability"]
    assert narrowed < _codes(both) < everything
    staff = ok(w.client.get(f"{API}/{cid}", headers=w.h["handler"]))
    changes = [e for e in staff["timeline"] if e["action"] == "claim.coverages_set"]
    assert [c["details"]["after"] for c in changes] == [
        ["acc_medical"],
        ["acc_medical", "disability"],
    ]
    assert changes[0]["reason"] == "客户电话确认仅门诊医疗"


def test_a_received_item_stays_when_its_coverage_is_dropped(world: World) -> None:
    # SPEC CLM-A1: what the customer already handed in is never thrown away
    w = world
    cid = _report(w)["id"]
    ok(
        w.client.post(
            f"{API}/{cid}/materials/receive",
            json={"code": "death_certificate"},
            headers=w.h["handler"],
        )
    )
    claim = ok(
        w.client.post(
            f"{API}/{cid}/coverages",
            json={"coverage_codes": ["acc_medical"]},
            headers=w.h["handler"],
        )
    )
    kept = {m["code"]: m["received"] for m in claim["checklist"]}
    assert kept["death_certificate"] is True


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"coverage_codes": []}, 422, "coverage_codes"),
        ({"coverage_codes": ["fire"]}, 422, "coverage_codes.0"),
        ({"coverage_codes": ["acc_medical", "theft"]}, 422, "coverage_codes.1"),
    ],
)
def test_bad_coverages_are_refused_naming_the_field(
    world: World, body: dict[str, Any], status: int, field: str
) -> None:
    # SPEC GEN-6: the field and the rule; nothing changed
    w = world
    claim = _report(w)
    r = w.client.post(f"{API}/{claim['id']}/coverages", json=body, headers=w.h["handler"])
    assert r.status_code == status, r.text
    assert r.json()["error"]["field"] == field
    after = ok(w.client.get(f"{API}/{claim['id']}", headers=w.h["handler"]))
    assert after["coverage_codes"] == claim["coverage_codes"] and _codes(after) == _codes(claim)


def test_only_before_acceptance_and_only_by_the_handler(world: World) -> None:
    # SPEC CLM-A4 (the one-time notice lists what the claim needs), SEC-5 (who may)
    w = world
    cid = _report(w)["id"]
    r = w.client.post(
        f"{API}/{cid}/coverages", json={"coverage_codes": ["acc_medical"]}, headers=w.h["customer"]
    )
    assert r.status_code == 403
    ok(w.client.post(f"{API}/{cid}/materials-notice", json={}, headers=w.h["handler"]))
    r = w.client.post(
        f"{API}/{cid}/coverages", json={"coverage_codes": ["acc_medical"]}, headers=w.h["handler"]
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "coverages_already_fixed"
