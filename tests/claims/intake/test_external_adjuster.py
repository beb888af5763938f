"""An external loss adjuster's report (公估) counts only when both sides accepted it
(SPEC CLM-L2)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.claim import Assessment
from tests.claims.helpers import PDF, FrozenClock, build_world, local, plan_answers
from tests.claims.steps import PROPERTY_23500, ok

# Each test builds the world first: on the worker's prebuilt one (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("world_db")

API = "/api/v1/claims"


def _surveyed_property_claim(w, clock) -> int:  # type: ignore[no-untyped-def]
    c = w.client
    claim = ok(
        c.post(
            API,
            json={
                "channel": "hotline",
                "policy_number": w.policies["HOME-PROP"].number,
                "claimant_name": "李四",
                "contact_phone": "13912345678",
                "loss_date": "2026-09-28",
                "loss_place": "北京市朝阳区",
                "loss_cause": "water",
                "loss_overview": "水管爆裂",
                "estimated_amount": "30000.00",
            },
            headers=w.h["handler"],
        ),
        201,
    )
    cid = claim["id"]
    for item in claim["checklist"]:
        ok(
            c.post(
                f"{API}/{cid}/materials/receive",
                json={"code": item["code"]},
                headers=w.h["handler"],
            )
        )
    ok(c.post(f"{API}/{cid}/accept", json={}, headers=w.h["handler"]))
    ok(
        c.post(
            f"{API}/{cid}/survey/assign",
            json={"surveyor_id": w.users["surveyor"]},
            headers=w.h["handler"],
        )
    )
    ok(c.post(f"{API}/{cid}/survey/contact", json={"note": "电话联系"}, headers=w.h["surveyor"]))
    photo = ok(
        c.post(
            f"{API}/{cid}/files",
            data={"purpose": "evidence"},
            files={"file": ("p.pdf", PDF, "application/pdf")},
            headers=w.h["surveyor"],
        ),
        201,
    )
    clock.set("2026-09-30T13:00:00")
    ok(
        c.post(
            f"{API}/{cid}/survey/report",
            json={
                "surveyed_at": "2026-09-30T12:00:00+08:00",
                "place": "现场",
                "people": "李四",
                "actions": "核实",
                "conclusion": "属保险责任",
                "covered": True,
                "cause": "水管爆裂",
                "extent": "地板受损",
                "evidence_file_ids": [photo["id"]],
                "plan": plan_answers(c, cid, w.h["surveyor"]),
            },
            headers=w.h["surveyor"],
        )
    )
    return int(cid)


def test_assessment_completes_only_after_both_sides_accept_the_adjusters_report(
    db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-L2
    w = build_world(db, client)
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = _surveyed_property_claim(w, clock)
    ok(
        client.post(
            f"{API}/{cid}/assessments",
            json={**PROPERTY_23500, "external_adjuster": "民太安公估"},
            headers=w.h["assessor"],
        )
    )
    assessment_id = db.scalars(select(Assessment.id).where(Assessment.claim_id == cid)).one()
    refused = client.post(f"{API}/{cid}/assessment/complete", json={}, headers=w.h["assessor"])
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "adjuster_report_not_accepted"
    ok(
        client.post(
            f"{API}/{cid}/assessments/{assessment_id}/accept",
            json={"side": "insurer"},
            headers=w.h["assessor"],
        )
    )
    # One side is not enough.
    again = client.post(f"{API}/{cid}/assessment/complete", json={}, headers=w.h["assessor"])
    assert again.status_code == 409
    ok(
        client.post(
            f"{API}/{cid}/assessments/{assessment_id}/accept",
            json={"side": "customer", "accepted_by": "李四（签字确认书）"},
            headers=w.h["assessor"],
        )
    )
    done = ok(client.post(f"{API}/{cid}/assessment/complete", json={}, headers=w.h["assessor"]))
    assert done["state"] == "assessed"
