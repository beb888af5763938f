"""Which claims take a file, by state and by who sends it (POST /claims/{id}/files).

A claim that is decided or has ended (rejected, paid, decided, closed, withdrawn) takes
no more claim materials: the customer's upload and the staff's claim material are
refused with a named 409 and nothing is stored. What the staff file there for a fraud
investigation, a recovery or a correction (evidence, certificate, adjuster's report,
payee authorisation) still comes in, and so does a green-channel item deferred until
after payment. Open and held claims take everything, as before.
# SPEC CLM-A2 CLM-F1 CLM-T3 CLM-Z2 GEN-5 GEN-6"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.claims import workflow
from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import Claim, MaterialFile
from tests.claims.helpers import (
    FrozenClock,
    World,
    build_world,
    claim_in_state,
    defer_on_flood,
    local,
    upload_file,
)

UPLOADERS = ("customer", "handler", "surveyor", "assessor")
STAFF = ("handler", "surveyor", "assessor")
FINAL = tuple(str(s) for s in workflow.FINAL_STATES)
# Open and held states (a hold stops the money, not the evidence).
TAKING = ("reported", "awaiting_materials", "accepted", "approved", "reopened", "suspended")
STAFF_EVIDENCE = ("evidence", "certificate", "adjuster_report")


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    return build_world(db, client)


def _upload(
    w: World, cid: int, who: str, *, purpose: str = "material", code: str | None = "claim_form"
) -> Response:
    return upload_file(w, cid, who, purpose=purpose, code=code)


def _stored(db: Session, cid: int) -> tuple[int, int]:
    files = db.scalar(select(func.count()).where(MaterialFile.claim_id == cid))
    audited = db.scalar(
        select(func.count()).where(
            AuditEntry.action == "claim.file_uploaded", AuditEntry.entity_id == str(cid)
        )
    )
    return int(files or 0), int(audited or 0)


@pytest.mark.parametrize("state", FINAL)
@pytest.mark.parametrize("who", UPLOADERS)
def test_a_decided_or_ended_claim_refuses_materials_and_stores_nothing(
    world: World, db: Session, state: str, who: str
) -> None:
    # SPEC CLM-A2 GEN-6: a named refusal (409), in the user's language, nothing written
    cid = claim_in_state(db, world, state)
    before = _stored(db, cid)
    refused = _upload(world, cid, who)
    assert refused.status_code == 409, refused.text
    body = refused.json()["error"]
    assert body["code"] == "claim_closed_for_materials"
    assert body["field"] == "file"
    assert state in body["message"]
    assert _stored(db, cid) == before
    db.expire_all()
    assert db.get_one(Claim, cid).state == state


@pytest.mark.parametrize("state", FINAL)
def test_the_refusal_is_worded_in_chinese_and_english(
    world: World, db: Session, state: str
) -> None:
    # SPEC GEN-6: the rule named in the user's language
    cid = claim_in_state(db, world, state)
    zh = _upload(world, cid, "customer")
    en = upload_file(world, cid, "customer", purpose="material", code="claim_form", lang="?lang=en")
    assert "不再接收理赔材料" in zh.json()["error"]["message"]
    assert "takes no more claim materials" in en.json()["error"]["message"]


@pytest.mark.parametrize("state", TAKING)
@pytest.mark.parametrize("who", UPLOADERS)
def test_open_and_held_claims_take_materials(
    world: World, db: Session, state: str, who: str
) -> None:
    # SPEC CLM-A2 CLM-F1 (a hold stops the money, not the evidence)
    cid = claim_in_state(db, world, state)
    done = _upload(world, cid, who)
    assert done.status_code == 201, done.text
    assert _stored(db, cid) == (1, 1)


@pytest.mark.parametrize("state", FINAL)
@pytest.mark.parametrize("who", STAFF)
def test_staff_evidence_still_comes_in_after_the_decision(
    world: World, db: Session, state: str, who: str
) -> None:
    # SPEC CLM-F1 (a series re-check after payment, recovery), CLM-T3 (correction)
    cid = claim_in_state(db, world, state)
    for purpose in STAFF_EVIDENCE:
        done = _upload(world, cid, who, purpose=purpose, code=None)
        assert done.status_code == 201, (purpose, done.text)
        assert done.json()["purpose"] == purpose
    assert _stored(db, cid) == (len(STAFF_EVIDENCE), len(STAFF_EVIDENCE))


@pytest.mark.parametrize("state", FINAL)
def test_the_customer_cannot_pass_a_material_off_as_evidence(
    world: World, db: Session, state: str
) -> None:
    # SPEC CLM-A2: the evidence purposes are the staff's, not a way round the rule
    cid = claim_in_state(db, world, state)
    refused = _upload(world, cid, "customer", purpose="evidence", code=None)
    assert refused.status_code == 409, refused.text
    assert _stored(db, cid) == (0, 0)


@pytest.mark.parametrize("state", ("paid", "decided", "closed"))
@pytest.mark.parametrize("who", ("customer", "handler"))
def test_a_green_channel_item_deferred_past_payment_still_comes_in(
    world: World, db: Session, state: str, who: str
) -> None:
    # SPEC CLM-Z2: small losses paid first, the deferred materials completed later
    cid = claim_in_state(db, world, state)
    defer_on_flood(db, cid, "medical_record")
    assert _upload(world, cid, who, code="claim_form").status_code == 409
    done = _upload(world, cid, who, code="medical_record")
    assert done.status_code == 201, done.text
    # Once it is in, the item is no longer awaited: a second copy is refused.
    assert _upload(world, cid, who, code="medical_record").status_code == 409
    assert _stored(db, cid) == (1, 1)


@pytest.mark.parametrize("state", ("rejected", "withdrawn"))
def test_a_deferred_item_does_not_reopen_a_rejected_or_withdrawn_claim(
    world: World, db: Session, state: str
) -> None:
    # SPEC CLM-Z2 (only what was paid first is completed later), CLM-A2
    cid = claim_in_state(db, world, state)
    defer_on_flood(db, cid, "medical_record")
    assert _upload(world, cid, "customer", code="medical_record").status_code == 409
