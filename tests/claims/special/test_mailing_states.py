"""Which claims take a record of materials mailed with the case number (SPEC CLM-Z1).

Posted originals are claim materials (they are received into the checklist): a claim
that is decided or has ended (rejected, paid, decided, closed, withdrawn — the
transition table's final states) takes no mailing, with a named 409 in the user's
language, and nothing is recorded. The same rule as uploads (acceptance.takes_upload):
open and held claims take them (a hold stops the money, not the evidence, CLM-F1), and
a green-channel item deferred past payment (CLM-Z2) can still be posted. The check is
in the service (remote.record_mailing), so the API and the staff page both get it.
# SPEC CLM-Z1 CLM-Z2 CLM-F1 GEN-5 GEN-6"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims import workflow
from claimdesk.claims.special import remote
from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import Claim
from claimdesk.models.event import MaterialMailing
from tests.claims.helpers import (
    FrozenClock,
    World,
    build_world,
    claim_in_state,
    defer_on_flood,
    local,
)

API = "/api/v1/claims"
FINAL = tuple(str(s) for s in workflow.FINAL_STATES)
TAKING = ("reported", "awaiting_materials", "accepted", "in_review", "reopened", "suspended")
SENDERS = ("customer", "handler")


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    return build_world(db, client)


def _mail(w: World, cid: int, who: str, *, items: list[str], lang: str = ""):  # type: ignore[no-untyped-def]
    return w.client.post(
        f"{API}/{cid}/mailings{lang}",
        json={
            "carrier": "SF",
            "tracking_number": f"SF{cid:06d}{len(items)}",
            "items": items,
            "sent_on": "2026-09-29",
        },
        headers=w.h[who],
    )


def _recorded(db: Session, cid: int) -> tuple[int, int]:
    mailings = db.scalar(select(func.count()).where(MaterialMailing.claim_id == cid))
    audited = db.scalar(
        select(func.count()).where(
            AuditEntry.action == "claim.materials_mailed", AuditEntry.entity_id == str(cid)
        )
    )
    return int(mailings or 0), int(audited or 0)


@pytest.mark.parametrize("state", FINAL)
@pytest.mark.parametrize("who", SENDERS)
def test_a_decided_or_ended_claim_refuses_a_mailing_and_records_nothing(
    world: World, db: Session, state: str, who: str
) -> None:
    # SPEC CLM-Z1 GEN-6: a named refusal (409), nothing written, the state unchanged
    cid = claim_in_state(db, world, state)
    refused = _mail(world, cid, who, items=["claim_form"])
    assert refused.status_code == 409, refused.text
    body = refused.json()["error"]
    assert body["code"] == "claim_closed_for_mailing"
    assert body["field"] == "items.0"
    assert state in body["message"]
    assert _recorded(db, cid) == (0, 0)
    db.expire_all()
    assert db.get_one(Claim, cid).state == state


@pytest.mark.parametrize("state", FINAL)
def test_the_refusal_is_worded_in_chinese_and_english(
    world: World, db: Session, state: str
) -> None:
    # SPEC GEN-6: the rule named in the user's language
    cid = claim_in_state(db, world, state)
    zh = _mail(world, cid, "customer", items=["claim_form"])
    en = _mail(world, cid, "customer", items=["claim_form"], lang="?lang=en")
    assert "不再登记邮寄的理赔材料" in zh.json()["error"]["message"]
    assert "no mailing of claim materials" in en.json()["error"]["message"]


@pytest.mark.parametrize("state", FINAL)
def test_the_service_refuses_whoever_calls_it(world: World, db: Session, state: str) -> None:
    # SPEC CLM-Z1: the rule is the service's, so the staff page (which calls the service)
    # gets it as the API does
    cid = claim_in_state(db, world, state)
    claim = db.get_one(Claim, cid)
    handler = Principal.build(
        user_id=world.users["handler"], username="handler", roles=["claims_handler"]
    )
    with pytest.raises(remote.ClaimClosedForMailing):
        remote.record_mailing(
            db,
            actor=handler,
            claim=claim,
            carrier="EMS",
            tracking_number="EMS0001",
            items=["claim_form"],
            sent_on=dt.date(2026, 9, 29),
        )
    db.rollback()
    assert _recorded(db, cid) == (0, 0)


@pytest.mark.parametrize("state", TAKING)
def test_open_and_held_claims_take_a_mailing(world: World, db: Session, state: str) -> None:
    # SPEC CLM-Z1 CLM-F1 (a hold stops the money, not the evidence)
    cid = claim_in_state(db, world, state)
    done = _mail(world, cid, "customer", items=["claim_form"])
    assert done.status_code == 201, done.text
    assert _recorded(db, cid) == (1, 1)


@pytest.mark.parametrize("state", ("paid", "decided", "closed"))
def test_a_green_channel_item_deferred_past_payment_can_still_be_posted(
    world: World, db: Session, state: str
) -> None:
    # SPEC CLM-Z2: small losses paid first, the deferred materials completed later
    cid = claim_in_state(db, world, state)
    defer_on_flood(db, cid, "medical_record")
    refused = _mail(world, cid, "customer", items=["medical_record", "claim_form"])
    assert refused.status_code == 409 and refused.json()["error"]["field"] == "items.1"
    assert _recorded(db, cid) == (0, 0)
    done = _mail(world, cid, "customer", items=["medical_record"])
    assert done.status_code == 201, done.text
    assert _recorded(db, cid) == (1, 1)


@pytest.mark.parametrize("state", ("rejected", "withdrawn"))
def test_a_deferred_item_does_not_reopen_a_rejected_or_withdrawn_claim(
    world: World, db: Session, state: str
) -> None:
    # SPEC CLM-Z2 (only what was paid first is completed later)
    cid = claim_in_state(db, world, state)
    defer_on_flood(db, cid, "medical_record")
    assert _mail(world, cid, "customer", items=["medical_record"]).status_code == 409
    assert _recorded(db, cid) == (0, 0)
