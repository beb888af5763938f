"""The staff page offers an upload on a held claim exactly when the service takes it,
role by role: a held claim takes files whatever state it was held from (the page used
to offer them only on a claim held before its assessment, while the service took them
on any held claim), and a fraud investigator is offered the form — evidence only — on
the held claims given to them or to nobody yet (the evidence takes such a claim up),
never on a colleague's (claims.fraud.service.upload_refusal).
# SPEC CLM-F1 CLM-F2 SEC-4 GEN-6"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.claim import Claim, MaterialFile
from tests.claims.helpers import (
    PDF,
    FrozenClock,
    World,
    add_staff,
    build_world,
    claim_in_state,
    local,
)
from tests.web.claims.claim_pages import ClaimPages

# Staff whose page shows the held claim; the service's answer to their evidence upload
# (tests/claims/intake/test_investigator_uploads.py) is 201 exactly for the first four.
TAKEN = ("handler", "surveyor", "assessor", "investigator")
NOT_TAKEN = ("adjuster", "supervisor", "investigator2")
STAFF_PURPOSES = ["material", "evidence", "certificate", "adjuster_report"]


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    w = build_world(db, client)
    add_staff(db, w, "investigator2", ["fraud_investigator"])
    return w


def _held(db: Session, w: World, held_from: str) -> int:
    cid = claim_in_state(db, w, "suspended")
    claim = db.get_one(Claim, cid)
    claim.resume_state = held_from
    claim.investigator_id = w.users["investigator"]  # given by a supervisor (API-tested)
    db.commit()
    return cid


def _files(db: Session, cid: int) -> int:
    return int(db.scalar(select(func.count()).where(MaterialFile.claim_id == cid)) or 0)


@pytest.mark.parametrize("held_from", ("accepted", "in_review", "approved"))
@pytest.mark.parametrize("who", TAKEN + NOT_TAKEN)
def test_the_page_offers_an_upload_exactly_when_the_service_takes_it(
    world: World, client: TestClient, db: Session, who: str, held_from: str
) -> None:
    # SPEC CLM-F1 CLM-F2: page and service agree, role by role, held before or after
    # the assessment
    cid = _held(db, world, held_from)
    web = ClaimPages(client, db)
    web.login(who)
    assert ("upload_file" in web.offered(cid)) == (who in TAKEN)


@pytest.mark.parametrize("who", ("handler", "surveyor", "assessor"))
def test_staff_are_offered_every_purpose_on_a_claim_held_after_assessment(
    world: World, client: TestClient, db: Session, who: str
) -> None:
    # SPEC CLM-F1: a hold stops the money, not the evidence
    cid = _held(db, world, "in_review")
    web = ClaimPages(client, db)
    web.login(who)
    form = web.open(cid, "upload_file")
    assert form.fields["purpose"].options == STAFF_PURPOSES
    web.do(
        cid,
        "upload_file",
        {"purpose": "evidence"},
        files={"file": ("e.pdf", PDF, "application/pdf")},
    )
    assert _files(db, cid) == 1


def test_the_investigator_is_offered_evidence_only_and_it_is_stored(
    world: World, client: TestClient, db: Session
) -> None:
    # SPEC CLM-F1 CLM-F2: what the page offers is what the service takes
    cid = _held(db, world, "in_review")
    web = ClaimPages(client, db)
    web.login("investigator")
    form = web.open(cid, "upload_file")
    assert form.fields["purpose"].options == ["evidence", "certificate"]
    assert "领取本挂起案件" not in form.html  # theirs already
    assert "material_code" not in form.fields
    assert "record_mailing" not in web.offered(cid)
    web.do(
        cid,
        "upload_file",
        {"purpose": "certificate"},
        files={"file": ("police.pdf", PDF, "application/pdf")},
    )
    assert _files(db, cid) == 1


@pytest.mark.parametrize("state", ("reported", "awaiting_materials"))
def test_the_investigator_is_offered_nothing_on_a_claim_not_held(
    world: World, client: TestClient, db: Session, state: str
) -> None:
    # SPEC CLM-F2: no upload, no mailing of materials outside their held claims
    cid = claim_in_state(db, world, state)
    web = ClaimPages(client, db)
    web.login("investigator")
    offered = web.offered(cid)
    assert "upload_file" not in offered and "record_mailing" not in offered


def test_an_investigator_takes_up_an_unassigned_held_claim_from_the_page(
    world: World, client: TestClient, db: Session
) -> None:
    # SPEC CLM-F1 CLM-F2: the unassigned held claims of their queue take their evidence,
    # as the API does; the claim is theirs then, and a colleague is offered no upload
    cid = _held(db, world, "accepted")
    claim = db.get_one(Claim, cid)
    claim.investigator_id = None
    db.commit()
    web = ClaimPages(client, db)
    web.login("investigator2")
    form = web.open(cid, "upload_file")
    assert form.fields["purpose"].options == ["evidence", "certificate"]
    # Told before the click that the file makes the claim theirs, in both languages.
    assert "提交调查证据即领取本挂起案件" in form.html
    english = client.get(f"/claims/{cid}/actions/upload_file?lang=en")
    assert "takes this held claim up" in english.text
    web.do(
        cid,
        "upload_file",
        {"purpose": "evidence"},
        files={"file": ("e.pdf", PDF, "application/pdf")},
    )
    assert _files(db, cid) == 1
    db.expire_all()
    assert db.get_one(Claim, cid).investigator_id == world.users["investigator2"]
    web.login("investigator")
    assert "upload_file" not in web.offered(cid)
