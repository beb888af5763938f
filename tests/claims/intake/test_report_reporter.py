"""Who reported a claim staff took (报案人, CLM-R1/CLM-R2): the caller on the hotline or the
person at the counter — their name, relationship to the insured and phone (encrypted,
shown masked; SEC-1) — and the agent who took it (the claim's ``entered_by_id``), on the
API's answer and on the claim page. A customer reporting for themself is the reporter."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from claimdesk.models.claim import Claim
from tests.claims.helpers import FrozenClock, World, build_world, local

API = "/api/v1/claims"
CALLER_PHONE = "13911112222"


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    built = build_world(db, client)
    # The report's clock (the loss on 27 September is before "today"), after the build.
    FrozenClock(monkeypatch, local("2026-09-28T10:00:00").astimezone(dt.UTC))
    return built


def _payload(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "channel": "hotline",
        "policy_number": world.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
        "claimant_name": "李四",
        "contact_phone": "13812345678",
        "loss_date": "2026-09-27",
        "loss_place": "北京",
        "loss_cause": "illness",
        "loss_overview": "住院",
        **extra,
    }


def _claims(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(Claim)) or 0)


def test_a_hotline_report_records_the_caller_and_the_agent(world: World, db: Session) -> None:
    # SPEC CLM-R1 (channel and who reported), CLM-R2 (contact details), SEC-1
    caller = {"name": "王芳", "relationship": "spouse", "phone": CALLER_PHONE}
    created = world.client.post(
        API, json=_payload(world, reporter=caller), headers=world.h["handler"]
    )
    assert created.status_code == 201, created.text
    answer = created.json()
    assert answer["reporter"] == {
        "name": "王芳",
        "relationship": "spouse",
        "phone_masked": "139****2222",
    }
    assert CALLER_PHONE not in created.text
    claim = db.get(Claim, answer["id"])
    assert claim is not None
    assert (claim.reporter_name, claim.reporter_relationship, claim.reporter_phone) == (
        "王芳",
        "spouse",
        CALLER_PHONE,
    )
    assert claim.entered_by_id == world.users["handler"]  # the agent who took the call
    raw = db.execute(
        text("SELECT reporter_phone FROM claims WHERE id = :id"), {"id": claim.id}
    ).scalar_one()
    assert CALLER_PHONE not in str(raw)  # encrypted at rest
    # Read back: the same.
    read = world.client.get(f"{API}/{claim.id}", headers=world.h["handler"])
    assert read.json()["reporter"] == answer["reporter"]


def test_without_a_caller_the_claimant_reported(world: World, db: Session) -> None:
    # SPEC CLM-R1: a staff report always says who reported
    created = world.client.post(
        API, json=_payload(world, channel="branch_counter"), headers=world.h["handler"]
    )
    assert created.status_code == 201, created.text
    assert created.json()["reporter"] == {
        "name": "李四",
        "relationship": "self",
        "phone_masked": "138****5678",
    }


def test_a_customers_own_report_names_no_one_else(world: World, db: Session) -> None:
    # SPEC CLM-R1, SEC-4, GEN-6: the customer is the reporter; naming another is refused
    own = world.client.post(API, json=_payload(world, channel="app"), headers=world.h["customer"])
    assert own.status_code == 201, own.text
    assert own.json()["reporter"] is None
    before = _claims(db)
    caller = {"name": "王芳", "relationship": "spouse", "phone": CALLER_PHONE}
    refused = world.client.post(
        API, json=_payload(world, channel="app", reporter=caller), headers=world.h["customer"]
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "reporter"
    assert _claims(db) == before


@pytest.mark.parametrize(
    ("caller", "field"),
    [
        ({"name": "王芳", "relationship": "spouse", "phone": "12345"}, "reporter.phone"),
        (
            {"name": "王芳", "relationship": "neighbour", "phone": CALLER_PHONE},
            "reporter.relationship",
        ),
        ({"name": "", "relationship": "spouse", "phone": CALLER_PHONE}, "reporter.name"),
        ({"name": "王芳", "relationship": "spouse"}, "reporter.phone"),
    ],
)
def test_a_bad_caller_is_refused_naming_the_field(
    world: World, db: Session, caller: dict[str, str], field: str
) -> None:
    # SPEC GEN-6: the field and the rule named, nothing written
    before = _claims(db)
    refused = world.client.post(
        API, json=_payload(world, reporter=caller), headers=world.h["handler"]
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == field, refused.text
    assert _claims(db) == before


def test_the_report_page_takes_the_caller_and_the_claim_page_shows_them(
    world: World, db: Session
) -> None:
    # SPEC CLM-R1 (who reported, who took it), SEC-1 (the phone masked on the page)
    handler = world.h["handler"]
    form = {
        "channel": "hotline",
        "policy_number": world.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
        "loss_date": "2026-09-27",
        "coverage_codes": "medical",
        "loss_cause": "illness",
        "loss_place": "北京",
        "loss_overview": "住院",
        "claimant_name": "李四",
        "claimant_relationship": "self",
        "contact_phone": "13812345678",
        "reporter_name": "王芳",
        "reporter_relationship": "spouse",
        "reporter_phone": "139111",
    }
    refused = world.client.post("/claims/new", data=form, headers=handler)
    assert refused.status_code == 422
    assert 'id="reporter_phone"' in refused.text and 'aria-invalid="true"' in refused.text
    assert 'value="王芳"' in refused.text  # what was typed is kept
    done = world.client.post(
        "/claims/new",
        data={**form, "reporter_phone": CALLER_PHONE},
        headers=handler,
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    page = world.client.get(done.headers["location"] + "&lang=en", headers=handler).text
    # The claim page right after the report says it was entered and who takes it up
    assert "Done: Enter the report" in page and "a claims handler takes it up next" in page
    shown = page.split('id="claim-reporter">')[1].split("</dd>")[0]
    assert "王芳" in shown and "Spouse" in shown and "139****2222" in shown
    assert "taken by handler" in shown
    assert CALLER_PHONE not in page
