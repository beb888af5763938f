"""A customer with an accident policy (death, disability, medical) — the product whose
"not sure" report claims every coverage."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.builders import demo_version, issue_policy
from tests.claims.helpers import World, build_world
from tests.claims.steps import ok

API = "/api/v1/claims"


def accident_world(db: Session, client: TestClient) -> World:
    w = build_world(db, client)
    medical = w.policies["MED-MILLION"]
    policy = issue_policy(
        db,
        version_id=demo_version(db, "ACC-PLUS").id,
        policyholder_id=medical.policyholder_id,  # type: ignore[attr-defined]
    )
    policy.org_unit_id = medical.org_unit_id  # type: ignore[attr-defined]
    db.commit()
    w.policies["ACC-PLUS"] = policy
    return w


def report_unsure(w: World) -> dict[str, Any]:
    """The customer reports without choosing a coverage."""
    payload = {
        "channel": "app",
        "policy_number": w.policies["ACC-PLUS"].number,  # type: ignore[attr-defined]
        "claimant_name": "李四",
        "loss_date": "2026-09-28",
        "loss_place": "北京",
        "loss_cause": "accident",
        "loss_overview": "摔伤，门诊治疗",
        "estimated_amount": "2000.00",
    }
    return ok(w.client.post(API, json=payload, headers=w.h["customer"]), 201)
