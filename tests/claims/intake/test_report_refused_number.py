"""A report the reporter may not make takes no report number.

On PostgreSQL the report's number comes from the day's sequence, and a sequence's draw
is not transactional: a report refused after its number was drawn leaves a gap for good.
A customer reporting on a policy where they are neither the insured nor the policyholder
is refused ("no policy found", 422: the policy's existence is not disclosed) before any
number is drawn, so the next report of the day gets the very next number.
# SPEC CLM-R2 CLM-R3 SEC-4 GEN-6"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import Claim
from tests.builders import demo_version, issue_policy, make_person, resident_id
from tests.claims.helpers import FrozenClock, World, build_world, local, report_body

API = "/api/v1/claims"


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    return build_world(db, client)


def _stranger_policy_number(db: Session) -> str:
    """A policy of someone else: neither insured nor policyholder is the customer."""
    stranger = make_person(db, name="赵六", id_number=resident_id(birth="19700505", seq="789"))
    version = demo_version(db, "MED-MILLION")
    policy = issue_policy(db, version_id=version.id, policyholder_id=stranger.id)
    db.commit()
    return str(policy.number)


def _report(w: World, policy_number: str, who: str = "customer") -> Any:
    return w.client.post(API, json=report_body(policy_number), headers=w.h[who])


def _sequence(number: str) -> int:
    assert number.startswith("BA20260930"), number
    return int(number[-6:])


def test_a_report_on_someone_elses_policy_takes_no_number(world: World, db: Session) -> None:
    # SPEC CLM-R3 SEC-4: the ownership check comes before the number is drawn
    own = world.policies["MED-MILLION"].number  # type: ignore[attr-defined]
    other = _stranger_policy_number(db)
    first = _report(world, own)
    assert first.status_code == 201, first.text
    claims_before = db.scalar(select(func.count()).select_from(Claim))
    audit_before = db.scalar(select(func.count()).select_from(AuditEntry))
    for _ in range(3):
        refused = _report(world, other)
        assert refused.status_code == 422, refused.text
        body = refused.json()["error"]
        assert body["code"] == "policy_not_found" and body["field"] == "policy_number"
    # Nothing written by the refusals (GEN-6).
    assert db.scalar(select(func.count()).select_from(Claim)) == claims_before
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
    # And no number drawn: the next report of the day is the very next number.
    second = _report(world, own)
    assert second.status_code == 201, second.text
    assert _sequence(second.json()["number"]) == _sequence(first.json()["number"]) + 1


def test_the_refusal_is_the_same_as_for_a_policy_that_does_not_exist(
    world: World, db: Session
) -> None:
    # SPEC SEC-4 GEN-6: a customer cannot tell someone else's policy from no policy
    other = _stranger_policy_number(db)
    refused = _report(world, other).json()["error"]
    missing = _report(world, "P-DOES-NOT-EXIST").json()["error"]
    assert refused == missing


def test_staff_still_report_on_any_policy(world: World, db: Session) -> None:
    # SPEC CLM-R1 CLM-R2: the handler takes the report of whoever calls, numbered in turn
    other = _stranger_policy_number(db)
    own = world.policies["MED-MILLION"].number  # type: ignore[attr-defined]
    first = _report(world, own)
    assert _report(world, other, "customer").status_code == 422
    by_handler = _report(world, other, "handler")
    assert by_handler.status_code == 201, by_handler.text
    assert _sequence(by_handler.json()["number"]) == _sequence(first.json()["number"]) + 1
