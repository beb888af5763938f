"""Set-up shared by the review, payment and closing tests: more staff, a bank account,
and a claim walked through the HTTP API from report to adjusted."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.models.org import OrgUnit
from claimdesk.people.service import add_bank_account
from tests.builders import login_headers, make_person, make_user, resident_id
from tests.claims.helpers import (
    PDF,
    FrozenClock,
    PrebuiltWorld,
    World,
    build_world_now,
    plan_answers,
    prebuilt_for,
)

API = "/api/v1/claims"


def luhn_card(prefix: str = "621700000000000") -> str:
    """A card number with a valid Luhn check digit."""
    digits = [int(d) for d in prefix]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return prefix + str((10 - total % 10) % 10)


CARD = luhn_card("621700000000123")  # last four: 123x


@dataclass
class Settlement:
    w: World
    insured_id: int
    account_id: int
    stranger_id: int
    stranger_account_id: int


STAFF = {
    "reviewer1": ["reviewer_1"],
    "reviewer2": ["reviewer_2"],
    "reviewer3": ["reviewer_3"],
    "reviewer1b": ["reviewer_1"],
    "reviewer2b": ["reviewer_2"],
    "dual": ["reviewer_1", "reviewer_2"],
    "handler_reviewer": ["claims_handler", "reviewer_1"],
    "cashier": ["payment_officer"],
    "agent": ["service_agent"],
}


@dataclass(frozen=True)
class PrebuiltSettlement:
    """What build_settlement_now returned on a worker's prebuilt settlement database."""

    world: PrebuiltWorld
    insured_id: int
    account_id: int
    stranger_id: int
    stranger_account_id: int

    @classmethod
    def of(cls, s: Settlement) -> PrebuiltSettlement:
        return cls(
            PrebuiltWorld.of(s.w), s.insured_id, s.account_id, s.stranger_id, s.stranger_account_id
        )


def build_settlement(db: Session, client: TestClient) -> Settlement:
    """build_world, more staff (reviewers of each tier, a payment officer, a service
    agent; logged in), a bank account of the insured's and a stranger with one.

    On the worker's prebuilt settlement database (a test that asks for
    ``settlement_db``, tests/conftest.py) this was built once and committed, and the
    call hands back that settlement; anywhere else it builds it now."""
    prebuilt = prebuilt_for(db, "settlement")
    if isinstance(prebuilt, PrebuiltSettlement):
        return Settlement(
            prebuilt.world.world_for(db, client),
            prebuilt.insured_id,
            prebuilt.account_id,
            prebuilt.stranger_id,
            prebuilt.stranger_account_id,
        )
    return build_settlement_now(db, client)


def build_settlement_now(db: Session, client: TestClient) -> Settlement:
    """build_settlement's rows and logins, written through ``db`` and ``client`` now."""
    w = build_world_now(db, client)
    hq = db.query(OrgUnit).first()
    for name, roles in STAFF.items():
        w.users[name] = make_user(db, username=name, roles=roles, org_unit=hq).id
    insured_id = w.policies["MED-MILLION"].insured_id  # type: ignore[attr-defined]
    system = Principal.system("test")
    account = add_bank_account(
        db,
        actor=system,
        person_id=insured_id,
        holder_name="李四",
        bank_name="中国建设银行",
        account_number=CARD,
    )
    stranger = make_person(
        db, name="赵六", id_number=resident_id(birth="19900101", seq="777"), phone="13700000000"
    )
    stranger_account = add_bank_account(
        db,
        actor=system,
        person_id=stranger.id,
        holder_name="赵六",
        bank_name="中国银行",
        account_number=luhn_card("621790000000456"),
    )
    db.commit()
    for name in STAFF:
        w.h[name] = login_headers(client, name)
    return Settlement(w, insured_id, account.id, stranger.id, stranger_account.id)


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def hotline_report(w: World, *, policy: str, day: str = "2026-09-30") -> dict[str, Any]:
    """A hotline report of an illness on the policy, received on ``day`` (local)."""
    return {
        "channel": "hotline",
        "policy_number": w.policies[policy].number,  # type: ignore[attr-defined]
        "claimant_name": "李四",
        "contact_phone": "13912345678",
        "loss_date": "2026-09-28",
        "loss_place": "北京市朝阳区",
        "loss_cause": "illness",
        "loss_overview": "住院",
        "received_at": f"{day}T09:30:00+08:00",
    }


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as pdftotext lays it out (poppler-utils)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        done = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        )
    return done.stdout


def walk_to_adjusted(
    w: World,
    clock: FrozenClock,
    *,
    policy: str,
    day: str = "2026-09-30",
    report: dict[str, Any] | None = None,
    assessment: dict[str, Any],
) -> int:
    """Report → accept → survey → assess → adjust, all on ``day`` (local)."""
    c = w.client
    cid = walk_to_assessed(w, clock, policy=policy, day=day, report=report, assessment=assessment)
    clock.set(f"{day}T15:00:00")
    ok(
        c.post(
            f"{API}/{cid}/adjustments",
            json={
                "coverage_code": assessment["coverage_code"],
                "liability": "covered",
                "covered_items": [assessment["coverage_code"]],
            },
            headers=w.h["adjuster"],
        )
    )
    ok(c.post(f"{API}/{cid}/adjustment/complete", json={}, headers=w.h["adjuster"]))
    return cid


def walk_to_assessed(
    w: World,
    clock: FrozenClock,
    *,
    policy: str,
    day: str = "2026-09-30",
    report: dict[str, Any] | None = None,
    assessment: dict[str, Any],
    more_assessments: tuple[dict[str, Any], ...] = (),
) -> int:
    """Report → accept → survey → assess (completed), all on ``day`` (local): the claim
    waits for the adjuster's liability decision. ``more_assessments``: the claim's other
    coverages, assessed before the assessment is completed."""
    c = w.client
    clock.set(f"{day}T10:00:00")
    payload = {
        "channel": "hotline",
        "policy_number": w.policies[policy].number,  # type: ignore[attr-defined]
        "claimant_name": "李四",
        "contact_phone": "13912345678",
        "loss_date": "2026-09-28",
        "loss_place": "北京市朝阳区",
        "loss_cause": "illness" if policy == "MED-MILLION" else "water",
        "loss_overview": "出险",
        "estimated_amount": "50000.00",
        "received_at": f"{day}T09:30:00+08:00",
        **(report or {}),
    }
    claim = ok(c.post(API, json=payload, headers=w.h["handler"]), 201)
    cid = claim["id"]
    for item in claim["checklist"]:
        ok(
            c.post(
                f"{API}/{cid}/materials/receive",
                json={"code": item["code"]},
                headers=w.h["handler"],
            )
        )
    clock.set(f"{day}T10:30:00")
    ok(c.post(f"{API}/{cid}/accept", json={"reason": "材料齐全"}, headers=w.h["handler"]))
    clock.set(f"{day}T11:00:00")
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
    clock.set(f"{day}T13:00:00")
    ok(
        c.post(
            f"{API}/{cid}/survey/report",
            json={
                "surveyed_at": f"{day}T12:00:00+08:00",
                "place": "现场",
                "people": "李四",
                "actions": "核实",
                "conclusion": "属保险责任",
                "covered": True,
                "cause": "出险",
                "extent": "损失属实",
                "evidence_file_ids": [photo["id"]],
                "plan": plan_answers(c, cid, w.h["surveyor"]),
            },
            headers=w.h["surveyor"],
        )
    )
    clock.set(f"{day}T14:00:00")
    for facts in (assessment, *more_assessments):
        ok(c.post(f"{API}/{cid}/assessments", json=facts, headers=w.h["assessor"]))
    ok(c.post(f"{API}/{cid}/assessment/complete", json={}, headers=w.h["assessor"]))
    return int(cid)


MEDICAL_50K = {
    "coverage_code": "medical",
    "settled_with_social_insurance": True,
    "social_insurance_paid": "1000.00",
    "lines": [
        {"description": "住院费", "amount": "50000.00"},
        {"description": "药品", "amount": "11000.00"},
    ],
}
# ¥25,000 in hospital, settled through social insurance (¥1,000 paid by it): under the
# million medical product, 25,000 − 1,000 − the ¥10,000 deductible, × 100% = ¥14,000.
MEDICAL_25K_SI = {
    "coverage_code": "medical",
    "settled_with_social_insurance": True,
    "social_insurance_paid": "1000.00",
    "lines": [{"description": "住院费", "amount": "25000.00"}],
}
MEDICAL_4K = {
    "coverage_code": "medical",
    "settled_with_social_insurance": True,
    "social_insurance_paid": "1000.00",
    "lines": [{"description": "住院费", "amount": "15000.00"}],
}
PROPERTY_23500 = {
    "coverage_code": "property",
    "repair": {"materials": "20000.00", "labour": "5000.00", "salvage": "1000.00"},
    "actual_value": "100000.00",
    "insured_value": "800000.00",
}
ALL_CHECKS = {
    "policy_in_force": True,
    "adequately_insured": True,
    "disclosure_and_exclusions": True,
    "materials_complete": True,
    "process_compliant": True,
    "amount_correct": True,
}


def approve(w: World, cid: int, who: str) -> dict[str, Any]:
    return ok(
        w.client.post(
            f"{API}/{cid}/review/decisions",
            json={"decision": "approve", "checklist": ALL_CHECKS},
            headers=w.h[who],
        )
    )
