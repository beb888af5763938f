"""What a customer reads of their own claim through the API (GET /claims/{id}): the
workflow's steps in plain form, no case reserves, nothing of a fraud hold — while staff
see all of it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.claims.helpers import FrozenClock, World, build_world, local
from tests.claims.steps import ok

API = "/api/v1/claims"


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    return build_world(db, client)


def test_customer_sees_steps_but_not_reserves_or_the_fraud_hold(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-F1 (the hold and its findings stay with the investigator), FIN-1 (the case
    # reserve is the insurer's estimate), SEC-5 (least privilege on personal claims data)
    w, c = world, world.client
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    payload = {
        "channel": "hotline",
        "policy_number": w.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
        "claimant_name": "李四",
        "loss_date": "2026-09-28",
        "loss_place": "北京市朝阳区",
        "loss_cause": "illness",
        "loss_overview": "住院",
        "estimated_amount": "8000.00",
    }
    cid = ok(c.post(API, json=payload, headers=w.h["handler"]), 201)["id"]
    for item in ok(c.get(f"{API}/{cid}", headers=w.h["handler"]))["checklist"]:
        ok(
            c.post(
                f"{API}/{cid}/materials/receive",
                json={"code": item["code"]},
                headers=w.h["handler"],
            )
        )
    clock.set("2026-09-30T10:30:00")
    ok(
        c.post(
            f"{API}/{cid}/accept",
            json={"reserves": {"medical": "8000.00"}, "reason": "材料齐全"},
            headers=w.h["handler"],
        )
    )
    ok(
        c.post(
            f"{API}/{cid}/fraud-flags",
            json={"description": "发票号与医院记录不符"},
            headers=w.h["handler"],
        )
    )

    staff: dict[str, Any] = ok(c.get(f"{API}/{cid}", headers=w.h["handler"]))
    customer: dict[str, Any] = ok(c.get(f"{API}/{cid}", headers=w.h["customer"]))

    staff_actions = [e["action"] for e in staff["timeline"]]
    assert staff["state"] == "suspended" and "claim.suspend" in staff_actions
    assert any("发票号" in (e["reason"] or "") + str(e["details"]) for e in staff["timeline"])
    assert staff["reserves"] and staff["reserve_history"]

    actions = [e["action"] for e in customer["timeline"]]
    assert actions[:2] == ["claim.report", "claim.accept"]
    assert not any("fraud" in a or a == "claim.suspend" or a == "claim.read" for a in actions)
    assert all(
        e["reason"] is None and e["details"] == {} and e["actor"] == ""
        for e in customer["timeline"]
    )
    assert "发票号" not in str(customer)
    assert customer["reserves"] == [] and customer["reserve_history"] == []
    # The rest of the claim is the same for both.
    for key in ("number", "state", "checklist", "clocks", "payable_total"):
        assert customer[key] == staff[key]
