"""The checks API: administrators configure the checks (validated, versioned, audited);
investigators alone read the network around a claim (SPEC CLM-F3, CLM-F2, GEN-5)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.checks import service
from claimdesk.models.audit import AuditEntry
from claimdesk.rules.checks.params import to_json, validate
from claimdesk.rules.checks.rules import RULES
from tests.builders import (
    demo_version,
    issue_policy,
    login_headers,
    make_person,
    make_user,
    resident_id,
)
from tests.checks.helpers import API, only_checks, report
from tests.claims.helpers import FrozenClock, World, build_world, local


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-06-10T10:00:00"))
    w = build_world(db, client)
    make_user(db, username="admin", roles=["administrator"])
    db.commit()
    w.h["admin"] = login_headers(client, "admin")
    return w


def _audits(db: Session, action: str) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _details(entry: AuditEntry) -> dict[str, Any]:
    raw = entry.details
    return json.loads(raw) if isinstance(raw, str) else dict(raw or {})


def test_administrator_lists_and_changes_a_check(world: World, db: Session):
    # SPEC CLM-F3 GEN-5: every check seeded by migration 0025, a change is a new version
    # (0032 wrote early_claim's second: its window counted from the waiting period's end;
    # 0034 claim_frequency's: against the insured's own rate).
    listed = world.client.get(f"{API}/checks", headers=world.h["admin"]).json()
    assert {c["code"] for c in listed} >= {"duplicate_receipt", "amount_outlier"}
    early = next(c for c in listed if c["code"] == "early_claim")
    seeded = {"days_after_waiting": 60, "amount_ratio": "1.5", "min_samples": 10}
    assert (early["version"], early["action"], early["parameters"]) == (2, "refer", seeded)
    cluster = next(c for c in listed if c["code"] == "provider_cluster")
    # 0035 wrote its third: five unrelated insureds (issue 13's replay); 0040 its
    # fourth: judged against the rest of the book's surge (issue 13's flu wave).
    assert (cluster["version"], cluster["parameters"]["min_insureds"]) == (4, 5)
    assert cluster["parameters"]["relative_to_book"] == 1
    # 0034 wrote claim_frequency's second: the seeded ceiling (max_claims) is gone, the
    # version holds the rule's parameters and validates as the rule declares them; 0039
    # its third, with pattern_min_insureds (a series as frequent as its diagnosis's).
    frequency = next(c for c in listed if c["code"] == "claim_frequency")
    rule = RULES["claim_frequency"]
    assert (frequency["version"], frequency["action"]) == (3, "refer")
    assert frequency["parameters"] == to_json(validate(rule.params, {}))
    assert "max_claims" not in frequency["parameters"]
    wanted = {"days_after_waiting": 45, "amount_ratio": "2", "min_samples": 10}
    body = {"enabled": True, "action": "hold", "parameters": wanted, "reason": "新产品观察期"}
    response = world.client.put(f"{API}/checks/early_claim", json=body, headers=world.h["admin"])
    assert response.status_code == 200, response.text
    assert (response.json()["version"], response.json()["action"]) == (3, "hold")
    entry = _audits(db, "check.config_changed")[0]
    assert entry.entity_id == "early_claim" and entry.reason == "新产品观察期"
    assert _details(entry)["before"]["parameters"] == seeded
    assert _details(entry)["after"]["parameters"] == wanted


@pytest.mark.parametrize(
    ("parameters", "field", "words"),
    [
        ({"days_after_waiting": 0}, "days_after_waiting", "须在 1 至 730 之间"),
        ({"days_after_waiting": 2.5}, "days_after_waiting", "必须是数字"),
        ({"weeks": 2}, "weeks", "未知参数"),
    ],
)
def test_wrong_parameters_are_refused_with_the_field(world: World, parameters, field, words):
    # SPEC CLM-F3 GEN-6
    body = {"enabled": True, "action": "refer", "parameters": parameters, "reason": "试一下"}
    response = world.client.put(f"{API}/checks/early_claim", json=body, headers=world.h["admin"])
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == field and words in error["message"], error


def test_unknown_check_and_bad_action_and_other_roles(world: World):  # SPEC CLM-F3 SEC-4
    body = {"enabled": True, "action": "refer", "parameters": {}, "reason": "试一下"}
    assert (
        world.client.put(f"{API}/checks/nope", json=body, headers=world.h["admin"]).status_code
        == 404
    )
    bad = {**body, "action": "reject"}  # the machine never rejects (CLM-T2)
    assert (
        world.client.put(
            f"{API}/checks/early_claim", json=bad, headers=world.h["admin"]
        ).status_code
        == 422
    )
    assert (
        world.client.put(
            f"{API}/checks/early_claim", json=body, headers=world.h["investigator"]
        ).status_code
        == 403
    )


def test_network_shows_a_phone_shared_by_two_unrelated_claimants(world: World, db: Session):
    # SPEC CLM-F3 CLM-F2 GEN-5: the customer of build_world and a stranger on another
    # policy share one mobile number; only the investigator sees the network, audited.
    stranger = make_person(
        db, name="赵六", id_number=resident_id(birth="19700101", seq="777"), phone="13812345678"
    )
    version = demo_version(db, "MED-MILLION")
    policy = issue_policy(db, version_id=version.id, policyholder_id=stranger.id)
    db.commit()
    mine = report(world, policy_number=world.policies["MED-MILLION"].number)  # type: ignore[attr-defined]
    theirs = report(world, policy_number=policy.number, phone="13812345678")
    url = f"{API}/claims/{mine['id']}/network"
    for who in ("handler", "supervisor", "customer"):
        assert world.client.get(url, headers=world.h[who]).status_code == 403
    response = world.client.get(url, headers=world.h["investigator"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["summary"]["shared_phones"] == 1
    assert body["summary"]["connected_claims"] >= 1
    ids = {n["id"] for n in body["nodes"]}
    assert f"claim:{theirs['id']}" in ids and f"person:{stranger.id}" in ids
    phones = [n for n in body["nodes"] if n["kind"] == "phone"]
    assert any(n["label"] == "138****5678" for n in phones)
    assert "13812345678" not in response.text  # masked, never the clear number
    entry = _audits(db, "claim.network_read")[0]
    assert stranger.id in _details(entry)["people"] and entry.entity_id == str(mine["id"])
    # One number on two records, shared by one other person, is a household's (0039's
    # household_phone_others = 1): no hit. Counting every shared phone, the
    # shared_contact check holds the claim on the same facts.
    result = service.run_checks(db, claim_id=mine["id"], actor=service.system_actor())
    assert "shared_contact" not in [h.check_code for h in result.new_hits]
    only_checks(db, shared_contact={"action": "hold", "parameters": {"household_phone_others": 0}})
    result = service.run_checks(db, claim_id=mine["id"], actor=service.system_actor())
    assert "shared_contact" in [h.check_code for h in result.new_hits]
