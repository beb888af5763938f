"""The staff claim page as a claims department reads it (issue 12): the policy number
with its link, and deadlines that say what they are for and which rule made them — the
article of law, the standard or the manual, never a requirement ID of the SPEC."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.claims.helpers import FrozenClock, World, build_world, local
from tests.web.helpers import staff_login

API = "/api/v1/claims"
SPEC_ID = re.compile(r"\b(CLM|GEN|SVC|SEC|POL|PRD|ADJ|FIN)-[A-Z]?\d")


def report(world: World, *, estimate: str = "3000", phone: str = "13912345678") -> dict:  # type: ignore[type-arg]
    response = world.client.post(
        API,
        headers=world.h["handler"],
        json={
            "channel": "hotline",
            "policy_number": world.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
            "claimant_name": "李四",
            "contact_phone": phone,
            "loss_date": "2026-03-02",
            "loss_place": "北京",
            "loss_cause": "illness",
            "loss_overview": "住院",
            "estimated_amount": estimate,
            "coverage_codes": ["medical"],
        },
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def accept_and_assign(world: World, claim: dict, surveyor: str = "surveyor") -> None:  # type: ignore[type-arg]
    c, cid = world.client, claim["id"]
    for item in claim["checklist"]:
        r = c.post(
            f"{API}/{cid}/materials/receive",
            json={"code": item["code"]},
            headers=world.h["handler"],
        )
        assert r.status_code == 200, r.text
    r = c.post(f"{API}/{cid}/accept", json={"reason": "材料齐全"}, headers=world.h["handler"])
    assert r.status_code == 200, r.text
    r = c.post(
        f"{API}/{cid}/survey/assign",
        json={"surveyor_id": world.users[surveyor]},
        headers=world.h["handler"],
    )
    assert r.status_code == 200, r.text


def as_staff(world: World, username: str) -> TestClient:
    world.client.headers.clear()
    world.client.cookies.clear()
    staff_login(world.client, username)
    return world.client


@pytest.fixture
def world(client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch) -> World:
    FrozenClock(monkeypatch, local("2026-03-03T10:00:00"))
    return build_world(db, client)


def test_claim_page_shows_the_policy_number_with_its_link(world: World) -> None:
    # SPEC CLM-R2 (the claim records its policy), issue 12 (policy number and link)
    claim = report(world)
    page = as_staff(world, "handler").get(f"/claims/{claim['id']}")
    assert page.status_code == 200
    number = world.policies["MED-MILLION"].number  # type: ignore[attr-defined]
    policy_id = world.policies["MED-MILLION"].id  # type: ignore[attr-defined]
    assert f'<a href="/admin/policies/{policy_id}">{number}</a>' in page.text
    # The link leads to the policy's own page, which the handler may open.
    assert world.client.get(f"/admin/policies/{policy_id}").status_code == 200


def test_every_deadline_names_its_purpose_and_rule_without_spec_ids(world: World) -> None:
    # SPEC GEN-4 (every deadline says which rule made it), CLM-S1, CLM-V4
    claim = report(world)
    accept_and_assign(world, claim)
    for lang, purpose, basis in (
        ("zh-CN", "查勘员联系客户", "《保险理赔流程规范化操作手册》 三(三)1"),
        ("en", "Surveyor contacts the customer", "Claims Process Operations Manual §3(3)1"),
    ):
        page = as_staff(world, "handler").get(f"/claims/{claim['id']}?lang={lang}").text
        section = page.split('id="clocks-title"', 1)[1].split("</section>", 1)[0]
        items = re.findall(
            r'<li class="urgency-[a-z]+" data-clock="([a-z_.]+)">(.*?)</li>', section, re.S
        )
        names = [n for n, _ in items]
        # Both one-hour deadlines are there, and no longer look the same.
        assert "claim.report_entry" in names and "claim.survey_contact" in names
        purposes = re.findall(r'class="deadline-purpose">([^<]+)<', section)
        assert len(purposes) == len(items) and len(set(purposes)) == len(purposes)
        assert purpose in purposes
        assert basis in section
        assert "《保险法》第二十三条" in section or "Insurance Law art. 23" in section
        assert not SPEC_ID.search(section), SPEC_ID.search(section)
