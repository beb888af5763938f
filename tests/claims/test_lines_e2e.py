"""One claim of each remaining line through the HTTP API, report to adjusted, with a
frozen clock across National Day: payable amount, every clock's due time, audit
timeline (issue 4 acceptance; SPEC section 3, ADJ-*, GEN-4); and the art. 27 fraud
outcomes (CLM-F1). Medical and property are walked in test_workflow_api.py; every line
from report to close is walked in test_acceptance_e2e.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.claim import FraudFlag
from claimdesk.models.policy import Policy
from tests.builders import demo_version, issue_policy
from tests.claims.helpers import FrozenClock, World, build_world, local, plan_answers

API = "/api/v1/claims"


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    w = build_world(db, client)
    holder = w.policies["MED-MILLION"].policyholder_id  # type: ignore[attr-defined]
    hq = w.policies["MED-MILLION"].org_unit_id  # type: ignore[attr-defined]
    for code in ("CI-28", "ACC-PLUS", "PUB-LIAB"):
        policy = issue_policy(db, version_id=demo_version(db, code).id, policyholder_id=holder)
        policy.org_unit_id = hq
        w.policies[code] = policy
    db.commit()
    return w


def _clock(body: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in body["clocks"] if c["name"] == name)


def _ok(r: Any) -> dict[str, Any]:
    assert r.status_code in (200, 201), r.text
    return r.json()  # type: ignore[no-any-return]


def walk_to_adjusted(
    w: World,
    clock: FrozenClock,
    *,
    policy: str,
    coverage: str,
    cause: str,
    assessment: dict[str, Any],
) -> dict[str, Any]:
    """Report 30 Sep 10:00 → accept → survey → assess → adjust, checking each clock."""
    clock.set("2026-09-30T10:00:00")
    claim = _ok(
        w.client.post(
            API,
            json={
                "channel": "hotline",
                "policy_number": w.policies[policy].number,  # type: ignore[attr-defined]
                "claimant_name": "李四",
                "contact_phone": "13912345678",
                "loss_date": "2026-09-28",
                "loss_place": "北京市朝阳区",
                "loss_cause": cause,
                "loss_overview": "出险经过",
                "estimated_amount": "10000.00",
                "coverage_codes": [coverage],
                "received_at": "2026-09-30T09:30:00+08:00",
            },
            headers=w.h["handler"],
        )
    )
    cid = claim["id"]
    assert _clock(claim, "claim.report_entry")["due_local"].startswith("2026-09-30T10:30:00")
    # 3 working days after 30 Sep: 8, 9, 10 Oct (National Day skipped; 10 Oct is 调休).
    assert _clock(claim, "claim.review")["due_local"].startswith("2026-10-10T23:59:59")
    assert _clock(claim, "claim.determination")["due_local"].startswith("2026-10-30T23:59:59")
    for item in claim["checklist"]:
        _ok(
            w.client.post(
                f"{API}/{cid}/materials/receive",
                json={"code": item["code"]},
                headers=w.h["handler"],
            )
        )
    _ok(w.client.post(f"{API}/{cid}/accept", json={}, headers=w.h["handler"]))
    clock.set("2026-09-30T11:00:00")
    body = _ok(
        w.client.post(
            f"{API}/{cid}/survey/assign",
            json={"surveyor_id": w.users["surveyor"]},
            headers=w.h["handler"],
        )
    )
    assert _clock(body, "claim.survey_contact")["due_local"].startswith("2026-09-30T12:00:00")
    clock.set("2026-09-30T11:30:00")
    body = _ok(
        w.client.post(
            f"{API}/{cid}/survey/contact", json={"note": "电话联系"}, headers=w.h["surveyor"]
        )
    )
    assert _clock(body, "claim.survey_contact")["met"] is True
    clock.set("2026-10-01T09:00:00")  # a holiday: hours clocks run around the clock
    body = _ok(
        w.client.post(
            f"{API}/{cid}/survey/report",
            json={
                "surveyed_at": "2026-09-30T15:00:00+08:00",
                "place": "医院",
                "people": "李四",
                "actions": "调阅病历、询问经过",
                "conclusion": "属保险责任",
                "covered": True,
                "cause": cause,
                "extent": "见定损",
                "plan": plan_answers(w.client, cid, w.h["surveyor"], photos=False),
            },
            headers=w.h["surveyor"],
        )
    )
    survey = _clock(body, "claim.survey_report")
    assert survey["due_local"].startswith("2026-10-01T15:00:00") and survey["met"] is True
    clock.set("2026-10-08T10:00:00")
    _ok(
        w.client.post(
            f"{API}/{cid}/assessments",
            json={"coverage_code": coverage, **assessment},
            headers=w.h["assessor"],
        )
    )
    _ok(w.client.post(f"{API}/{cid}/assessment/complete", json={}, headers=w.h["assessor"]))
    _ok(
        w.client.post(
            f"{API}/{cid}/adjustments",
            json={"coverage_code": coverage, "liability": "covered", "covered_items": [coverage]},
            headers=w.h["adjuster"],
        )
    )
    body = _ok(w.client.post(f"{API}/{cid}/adjustment/complete", json={}, headers=w.h["adjuster"]))
    assert body["state"] == "adjusted"
    actions = [e["action"] for e in body["timeline"]]
    for expected in (
        "claim.report",
        "claim.accept",
        "claim.assign_surveyor",
        "claim.record_contact",
        "claim.submit_survey",
        "claim.complete_assessment",
        "claim.adjusted",
    ):
        assert expected in actions, expected
    assert (
        actions.index("claim.report")
        < actions.index("claim.accept")
        < actions.index("claim.submit_survey")
        < actions.index("claim.adjusted")
    )
    return body


@pytest.mark.parametrize(
    ("policy", "coverage", "cause", "assessment", "payable"),
    [
        # ADJ-CI: a covered severe disease after the 90-day waiting period pays the sum.
        ("CI-28", "ci", "illness", {"disease": "CI-01"}, "500000.00"),
        # ADJ-DIS: grades 5, 5, 8 → two share the most severe (5) → raised to 4 = 70%.
        (
            "ACC-PLUS",
            "disability",
            "accident",
            {
                "injuries": [
                    {"description": "左腿", "grade": 5},
                    {"description": "右腿", "grade": 5},
                    {"description": "手指", "grade": 8},
                ]
            },
            "350000.00",
        ),
        # ADJ-LIA: 200000 × 0.6 × (1 − 0.10) − 1000 = 107000.00
        (
            "PUB-LIAB",
            "liability",
            "liability",
            {"damages": "200000.00", "liability_ratio": "0.6"},
            "107000.00",
        ),
    ],
)
def test_line_report_to_adjusted(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    policy: str,
    coverage: str,
    cause: str,
    assessment: dict[str, Any],
    payable: str,
) -> None:
    # SPEC CLM-R3 CLM-A1 CLM-S1 CLM-S3 CLM-L4 CLM-C1 CLM-C3 ADJ-CI ADJ-DIS ADJ-LIA GEN-4
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    body = walk_to_adjusted(
        world, clock, policy=policy, coverage=coverage, cause=cause, assessment=assessment
    )
    assert Decimal(body["payable_total"]) == Decimal(payable)


def test_accident_death_with_certificate_after_an_unpaid_disability_claim(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-L4 ADJ-DTH: only disability actually PAID reduces the death benefit; an
    # adjusted-but-unpaid disability claim does not. (The paid variant, through the
    # payment API to close: test_acceptance_e2e.py.)
    w = world
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    disability = walk_to_adjusted(
        w,
        clock,
        policy="ACC-PLUS",
        coverage="disability",
        cause="accident",
        assessment={"injuries": [{"description": "双腿", "grade": 3}]},
    )
    assert Decimal(disability["payable_total"]) == Decimal("400000.00")  # grade 3 = 80%
    death = walk_to_adjusted(
        w, clock, policy="ACC-PLUS", coverage="death", cause="accident", assessment={}
    )
    assert "death_certificate" in [m["code"] for m in death["checklist"]]
    assert Decimal(death["payable_total"]) == Decimal("500000.00")


def test_fraud_outcomes_fabricated_event_and_exaggerated_loss(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-F1 (Insurance Law art. 27)
    w = world
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    # Exaggerated loss: only the exaggerated part is refused.
    liab = walk_to_adjusted(
        w,
        clock,
        policy="PUB-LIAB",
        coverage="liability",
        cause="liability",
        assessment={"damages": "200000.00", "liability_ratio": "0.6"},
    )
    r = w.client.post(
        f"{API}/{liab['id']}/fraud-flags",
        json={"description": "损失清单虚报"},
        headers=w.h["adjuster"],
    )
    assert _ok(r)["state"] == "suspended"
    flag = db.scalar(select(FraudFlag.id).where(FraudFlag.claim_id == liab["id"]))
    r = w.client.post(
        f"{API}/{liab['id']}/fraud-flags/{flag}/resolve",
        json={
            "outcome": "exaggerated_loss",
            "note": "虚报 7000 元",
            "exaggerated_amount": "7000.00",
        },
        headers=w.h["investigator"],
    )
    body = _ok(r)
    assert body["state"] == "adjusted" and Decimal(body["payable_total"]) == Decimal("100000.00")
    policy = db.get(Policy, w.policies["PUB-LIAB"].id)  # type: ignore[attr-defined]
    assert policy is not None and policy.status != "terminated"

    # Fabricated event: the policy is rescinded without refund and the claim rejected.
    ci = walk_to_adjusted(
        w, clock, policy="CI-28", coverage="ci", cause="illness", assessment={"disease": "CI-01"}
    )
    _ok(
        w.client.post(
            f"{API}/{ci['id']}/fraud-flags",
            json={"description": "病历系伪造"},
            headers=w.h["handler"],
        )
    )
    flag = db.scalar(select(FraudFlag.id).where(FraudFlag.claim_id == ci["id"]))
    body = _ok(
        w.client.post(
            f"{API}/{ci['id']}/fraud-flags/{flag}/resolve",
            json={
                "outcome": "fabricated_event",
                "note": "编造保险事故",
                "police_referred": True,
            },
            headers=w.h["investigator"],
        )
    )
    assert body["state"] == "rejected"
    db.expire_all()
    rescinded = db.get(Policy, w.policies["CI-28"].id)  # type: ignore[attr-defined]
    assert rescinded is not None and rescinded.status == "terminated"
    assert rescinded.refund_amount == Decimal("0.00")
    detail = _ok(w.client.get(f"{API}/{ci['id']}", headers=w.h["handler"]))
    actions = [e["action"] for e in detail["timeline"]]
    assert "claim.suspend" in actions and "claim.confirm_fraud_reject" in actions
    assert "policy.rescinded_for_fraud" not in actions  # on the policy's own trail
