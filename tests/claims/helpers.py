"""Shared set-up of the claims tests: staff, a customer, policies, a frozen clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from claimdesk.claims import timeutil
from claimdesk.models.claim import Claim
from claimdesk.models.event import MassEvent, MaterialDeferral
from tests.builders import (
    DEFAULT_PHONE,
    demo_version,
    issue_policy,
    login_headers,
    make_org_unit,
    make_person,
    make_user,
    resident_id,
    seed_calendar,
)

SH = ZoneInfo("Asia/Shanghai")

PDF = b"%PDF-1.4\n% test document\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


class FrozenClock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: dt.datetime) -> None:
        self.now = start
        monkeypatch.setattr(timeutil, "now", lambda: self.now)

    def set(self, text: str) -> None:
        self.now = local(text)


@dataclass
class World:
    client: TestClient
    h: dict[str, dict[str, str]]  # headers per role
    users: dict[str, int]
    policies: dict[str, object]
    insured_id_number: str


def build_world(db: Session, client: TestClient) -> World:
    seed_calendar(db, years=(2025, 2026))
    hq = make_org_unit(db)
    # The customer logs in to the portal with the SMS code sent to this phone.
    customer_person = make_person(
        db, name="李四", id_number=resident_id(birth="19850312", seq="456"), phone=DEFAULT_PHONE
    )
    users = {}
    for name, roles in {
        "handler": ["claims_handler"],
        "surveyor": ["surveyor"],
        "surveyor2": ["surveyor"],
        "assessor": ["assessor"],
        "adjuster": ["adjuster"],
        "supervisor": ["reviewer_1"],
        "investigator": ["fraud_investigator"],
    }.items():
        users[name] = make_user(db, username=name, roles=roles, org_unit=hq).id
    users["customer"] = make_user(
        db, username="customer", roles=["customer"], person_id=customer_person.id
    ).id
    policies = {}
    for code in ("MED-MILLION", "HOME-PROP"):
        version = demo_version(db, code)
        policies[code] = issue_policy(db, version_id=version.id, policyholder_id=customer_person.id)
    for policy in policies.values():
        policy.org_unit_id = hq.id  # type: ignore[attr-defined]
    db.commit()
    headers = {name: login_headers(client, name) for name in users}
    return World(
        client=client,
        h=headers,
        users=users,
        policies=policies,
        insured_id_number=resident_id(birth="19850312", seq="456"),
    )


def plan_answers(
    client: TestClient,
    claim_id: int,
    headers: dict[str, str],
    *,
    photos: bool = True,
    **overrides: dict[str, str],
) -> dict[str, dict[str, str]]:
    """Results for every item of the claim's survey plan (CLM-S2), read from the API:
    checks done, consistency items consistent — or, without photos on the report, the
    site photos not applicable with the reason; ``overrides`` replace single items."""
    response = client.get(f"/api/v1/claims/{claim_id}/survey/plan", headers=headers)
    assert response.status_code == 200, response.text
    answers = {
        item["code"]: {"status": "consistent" if item["kind"] == "consistency" else "done"}
        for item in response.json()["items"]
    }
    if not photos and "site_photos" in answers:
        answers["site_photos"] = {"status": "not_applicable", "note": "现场已清理，照片由客户另交"}
    return {**answers, **overrides}


def report_body(policy_number: str) -> dict[str, str]:
    """A report through the app of an illness on 28 September 2026 (CLM-R2)."""
    return {
        "channel": "app",
        "policy_number": policy_number,
        "claimant_name": "李四",
        "contact_phone": "13912345678",
        "loss_date": "2026-09-28",
        "loss_place": "北京市朝阳区",
        "loss_cause": "illness",
        "loss_overview": "住院",
    }


def claim_in_state(db: Session, w: World, state: str) -> int:
    """The customer's medical claim, reported through the API, then put in ``state``
    (seeded: the walk to each state is tested elsewhere; here only the state counts)."""
    response = w.client.post(
        "/api/v1/claims",
        json=report_body(w.policies["MED-MILLION"].number),  # type: ignore[attr-defined]
        headers=w.h["customer"],
    )
    assert response.status_code == 201, response.text
    claim = db.get_one(Claim, int(response.json()["id"]))
    claim.state = state
    claim.surveyor_id = w.users["surveyor"]  # a surveyor sees only their claims (CLM-F2)
    if state == "suspended":
        claim.resume_state = "accepted"
    db.commit()
    return claim.id


def upload_file(
    w: World, cid: int, who: str, *, purpose: str, code: str | None, lang: str = ""
) -> Response:
    """A PDF sent to POST /claims/{id}/files by ``who`` (``lang``: "?lang=en")."""
    data = {"purpose": purpose}
    if code is not None:
        data["material_code"] = code
    return w.client.post(
        f"/api/v1/claims/{cid}/files{lang}",
        data=data,
        files={"file": ("scan.pdf", PDF, "application/pdf")},
        headers=w.h[who],
    )


def add_staff(db: Session, w: World, username: str, roles: list[str]) -> None:
    """One more member of staff in the world, logged in (``w.users``, ``w.h``)."""
    w.users[username] = make_user(db, username=username, roles=roles).id
    db.commit()
    w.h[username] = login_headers(w.client, username)


def defer_on_flood(db: Session, claim_id: int, code: str) -> None:
    """A flood whose green channel lets ``code`` come later (CLM-Z2), deferred on the
    claim: small losses paid first, the deferred item completed after payment."""
    event = MassEvent(
        name="北京暴雨",
        event_type="flood",
        region="北京市",
        starts_on=dt.date(2026, 9, 27),
        deferrable_materials=[code],
        small_loss_amount=Decimal("10000.00"),
        guide_zh="指引",
        guide_en="Guide",
    )
    db.add(event)
    db.flush()
    db.add(
        MaterialDeferral(
            claim_id=claim_id,
            code=code,
            event_id=event.id,
            deferred_at=local("2026-09-30T10:00:00"),
        )
    )
    db.commit()
