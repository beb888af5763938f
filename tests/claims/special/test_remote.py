"""Remote claims (全国通赔) through the HTTP API: the local branch surveys and assesses,
head office adjusts; materials mailed with the case number (SPEC CLM-Z1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.builders import login_headers, make_org_unit, make_user
from tests.claims.helpers import FrozenClock, World, build_world, local, plan_answers

API = "/api/v1/claims"


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    return build_world(db, client)


def test_remote_claim_split_between_local_branch_and_head_office(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-Z1 CLM-A3 CLM-S1 CLM-L1 GEN-6
    w = world
    clock = FrozenClock(monkeypatch, local("2026-10-12T09:00:00"))
    bj = make_org_unit(db, code="BJ", name="北京分公司", kind="branch")
    sz = make_org_unit(db, code="SZ", name="深圳分公司", kind="branch")
    w.policies["HOME-PROP"].org_unit_id = bj.id  # type: ignore[attr-defined]
    for name, roles in {
        "sz_surveyor": ["surveyor"],
        "sz_assessor": ["assessor"],
        "sz_adjuster": ["adjuster"],
    }.items():
        make_user(db, username=name, roles=roles, org_unit=sz)
    sz_surveyor = make_user(db, username="sz_surveyor2", roles=["surveyor"], org_unit=sz)
    db.commit()
    h = {
        name: login_headers(w.client, name)
        for name in ("sz_surveyor2", "sz_assessor", "sz_adjuster")
    }
    r = w.client.post(
        API,
        json={
            "channel": "branch_counter",
            "policy_number": w.policies["HOME-PROP"].number,  # type: ignore[attr-defined]
            "claimant_name": "李四",
            "contact_phone": "13912345678",
            "loss_date": "2026-10-10",
            "loss_place": "深圳市南山区",
            "loss_cause": "water",
            "loss_overview": "出差住所水管爆裂，随身财物受损",
            "estimated_amount": "8000.00",
        },
        headers=w.h["handler"],
    )
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    checklist = [m["code"] for m in r.json()["checklist"]]

    r = w.client.post(
        f"{API}/{cid}/remote", json={"local_org_unit_id": bj.id}, headers=w.h["handler"]
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "remote_same_unit"
    r = w.client.post(
        f"{API}/{cid}/remote", json={"local_org_unit_id": sz.id}, headers=w.h["handler"]
    )
    assert r.status_code == 200, r.text
    assert r.json()["policy_org_unit_id"] == bj.id and r.json()["local_org_unit_id"] == sz.id

    # Materials posted with the case number: waybill recorded, then received at the desk.
    r = w.client.post(
        f"{API}/{cid}/mailings",
        json={
            "carrier": "SF",
            "tracking_number": "SF1234567890",
            "items": ["loss_list", "x"],
            "sent_on": "2026-10-11",
        },
        headers=w.h["customer"],
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "items.1"
    r = w.client.post(
        f"{API}/{cid}/mailings",
        json={
            "carrier": "SF",
            "tracking_number": "SF1234567890",
            "items": checklist,
            "sent_on": "2026-10-11",
        },
        headers=w.h["customer"],
    )
    assert r.status_code == 201, r.text
    mailing = r.json()
    r = w.client.post(f"{API}/{cid}/mailings/{mailing['id']}/receive", headers=w.h["handler"])
    assert r.status_code == 200 and r.json()["received_at"] is not None
    r = w.client.post(f"{API}/{cid}/mailings/{mailing['id']}/receive", headers=w.h["handler"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "mailing_already_received"
    detail = w.client.get(f"{API}/{cid}", headers=w.h["handler"]).json()
    assert all(m["received"] for m in detail["checklist"])
    assert w.client.post(f"{API}/{cid}/accept", json={}, headers=w.h["handler"]).status_code == 200

    # The surveyor must be the local branch's.
    r = w.client.post(
        f"{API}/{cid}/survey/assign",
        json={"surveyor_id": w.users["surveyor"]},
        headers=w.h["handler"],
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "remote_surveyor_not_local"
    r = w.client.post(
        f"{API}/{cid}/survey/assign", json={"surveyor_id": sz_surveyor.id}, headers=w.h["handler"]
    )
    assert r.status_code == 200, r.text
    assert (
        w.client.post(
            f"{API}/{cid}/survey/contact", json={"note": "电话联系"}, headers=h["sz_surveyor2"]
        ).status_code
        == 200
    )
    clock.set("2026-10-12T16:00:00")
    r = w.client.post(
        f"{API}/{cid}/survey/report",
        json={
            "surveyed_at": "2026-10-12T14:00:00+08:00",
            "place": "深圳住所",
            "people": "李四",
            "actions": "查看现场",
            "conclusion": "水管爆裂所致，属保险责任",
            "covered": True,
            "cause": "水管老化",
            "extent": "电脑、衣物受损",
            "plan": plan_answers(w.client, cid, h["sz_surveyor2"], photos=False),
        },
        headers=h["sz_surveyor2"],
    )
    assert r.status_code == 200 and r.json()["state"] == "surveyed", r.text

    # Assessment by the local branch only.
    assessment = {
        "coverage_code": "property",
        "repair": {"materials": "6000.00", "labour": "1000.00", "salvage": "0.00"},
        "actual_value": "50000.00",
        "insured_value": "800000.00",
    }
    r = w.client.post(f"{API}/{cid}/assessments", json=assessment, headers=w.h["assessor"])
    assert r.status_code == 403 and r.json()["error"]["code"] == "remote_local_branch_only"
    r = w.client.post(f"{API}/{cid}/assessments", json=assessment, headers=h["sz_assessor"])
    assert r.status_code == 200, r.text
    r = w.client.post(f"{API}/{cid}/assessment/complete", json={}, headers=h["sz_assessor"])
    assert r.status_code == 200 and r.json()["state"] == "assessed"

    # Adjustment by head office only.
    adjust = {"coverage_code": "property", "liability": "covered", "covered_items": ["property"]}
    r = w.client.post(f"{API}/{cid}/adjustments", json=adjust, headers=h["sz_adjuster"])
    assert r.status_code == 403 and r.json()["error"]["code"] == "remote_head_office_only"
    assert w.client.get(f"{API}/{cid}", headers=w.h["handler"]).json()["adjustments"] == []
    r = w.client.post(f"{API}/{cid}/adjustments", json=adjust, headers=w.h["adjuster"])
    assert r.status_code == 200, r.text
    r = w.client.post(f"{API}/{cid}/adjustment/complete", json={}, headers=w.h["adjuster"])
    assert r.status_code == 200
    body = r.json()
    # repair 6000 + 1000 − 0 = 7000 − absolute deductible 500 = 6500.00
    assert body["state"] == "adjusted" and Decimal(body["payable_total"]) == Decimal("6500.00")
    actions = [e["action"] for e in body["timeline"]]
    for expected in ("claim.remote_designated", "claim.materials_mailed", "claim.mailing_received"):
        assert expected in actions
    remote = w.client.get(f"{API}/{cid}/remote", headers=w.h["handler"]).json()
    assert remote["mailings"][0]["tracking_number"] == "SF1234567890"
