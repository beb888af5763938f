"""Who adds a file to a held claim (suspended for a fraud investigation), by role.

A flag suspends the claim until an investigator clears or confirms it (CLM-F1); the
investigator judges it on evidence, so a fraud investigator holds claims:upload — but
row-level (CLM-F2, SEC-4): only on a held claim that is theirs (claims.investigator_id,
POST /work/assignments with role fraud_investigator, audited) or nobody's yet — their
queue shows those, and the evidence takes such a claim up (audited) —, never on a
colleague's (403 claim_of_another_investigator), and only the investigation's evidence (evidence, certificate), never a claim material
nor a mailing of originals. A held claim takes files whatever state it was held from
(a hold stops the money, not the evidence), as the staff page now offers.
# SPEC CLM-F1 CLM-F2 SEC-4 GEN-5 GEN-6"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import ROLE_PERMISSIONS, Permission, Role
from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import Claim, MaterialFile
from tests.claims.helpers import (
    FrozenClock,
    World,
    add_staff,
    build_world,
    claim_in_state,
    local,
    upload_file,
)

API = "/api/v1/claims"
WORK = "/api/v1/work"
# Held from before and from after the assessment: both take files (CLM-F1).
HELD_FROM = ("accepted", "in_review")
# What each role's evidence upload on the held claim gets. "investigator" is the one the
# claim was given to; "investigator2" another investigator; "surveyor2" a surveyor the
# claim is not assigned to (it is not in their rows: 404).
EVIDENCE_ON_HELD = {
    "customer": 201,
    "handler": 201,
    "surveyor": 201,
    "surveyor2": 404,
    "assessor": 201,
    "adjuster": 403,
    "supervisor": 403,
    "investigator": 201,
    "investigator2": 403,
}


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    w = build_world(db, client)
    add_staff(db, w, "investigator2", ["fraud_investigator"])
    return w


def _held(db: Session, w: World, held_from: str, *, given: bool = True) -> int:
    cid = claim_in_state(db, w, "suspended")
    claim = db.get_one(Claim, cid)
    claim.resume_state = held_from
    db.commit()
    if given:
        done = _give(w, cid)
        assert done.status_code == 200, done.text
    return cid


def _give(w: World, cid: int, who: str = "investigator") -> Any:
    return w.client.post(
        f"{WORK}/assignments",
        json={"claim_ids": [cid], "role": "fraud_investigator", "user_id": w.users[who]},
        headers=w.h["supervisor"],
    )


def _upload(
    w: World, cid: int, who: str, purpose: str = "evidence", code: str | None = None
) -> Any:
    return upload_file(w, cid, who, purpose=purpose, code=code)


def _files(db: Session, cid: int) -> int:
    return int(db.scalar(select(func.count()).where(MaterialFile.claim_id == cid)) or 0)


def test_investigators_hold_the_upload_permission() -> None:
    # SPEC CLM-F1 SEC-4: the permission; the row rule is the service's
    assert Permission.CLAIMS_UPLOAD in ROLE_PERMISSIONS[Role.FRAUD_INVESTIGATOR]


@pytest.mark.parametrize("held_from", HELD_FROM)
@pytest.mark.parametrize("who", sorted(EVIDENCE_ON_HELD))
def test_evidence_on_a_held_claim_by_role(
    world: World, db: Session, who: str, held_from: str
) -> None:
    # SPEC CLM-F1 CLM-F2 SEC-4: the investigator given the claim adds evidence; another
    # investigator is refused (named, 403) and nothing is stored
    cid = _held(db, world, held_from)
    done = _upload(world, cid, who)
    assert done.status_code == EVIDENCE_ON_HELD[who], done.text
    assert _files(db, cid) == (1 if done.status_code == 201 else 0)
    if who == "investigator2":
        assert done.json()["error"]["code"] == "claim_of_another_investigator"


def test_the_refusal_is_worded_in_chinese_and_english(world: World, db: Session) -> None:
    # SPEC GEN-6
    cid = _held(db, world, "accepted")
    zh = _upload(world, cid, "investigator2").json()["error"]["message"]
    en = upload_file(
        world, cid, "investigator2", purpose="evidence", code=None, lang="?lang=en"
    ).json()["error"]["message"]
    assert "已指派给另一名反欺诈调查员" in zh and "补充调查证据" in zh
    assert "assigned to another fraud investigator" in en and "add evidence" in en
    # Outside the hold: the other refusal, worded too.
    claim = db.get_one(Claim, cid)
    claim.state = "accepted"
    db.commit()
    zh = _upload(world, cid, "investigator").json()["error"]["message"]
    assert "只能为挂起调查中的案件补充证据" in zh


def test_an_unassigned_held_claim_is_taken_up_with_the_evidence(world: World, db: Session) -> None:
    # SPEC CLM-F1 CLM-F2 SEC-4 GEN-5: an unassigned held claim is in every investigator's
    # queue; the first to add evidence takes it (audited as the assignment, taken), and a
    # colleague is then refused by name with nothing stored
    cid = _held(db, world, "accepted", given=False)
    done = _upload(world, cid, "investigator2")
    assert done.status_code == 201, done.text
    db.expire_all()
    assert db.get_one(Claim, cid).investigator_id == world.users["investigator2"]
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "claim.investigator_assigned", AuditEntry.entity_id == str(cid)
        )
    ).one()
    details = json.loads(entry.details)
    assert details == {"before": None, "after": world.users["investigator2"], "taken": True}
    assert entry.actor_id == world.users["investigator2"]
    refused = _upload(world, cid, "investigator")
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "claim_of_another_investigator"
    # Their own claim now: a second file takes nothing more.
    assert _upload(world, cid, "investigator2", "certificate").status_code == 201
    assert _files(db, cid) == 2
    assert (
        len(
            db.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "claim.investigator_assigned",
                    AuditEntry.entity_id == str(cid),
                )
            ).all()
        )
        == 1
    )


def test_a_supervisors_evidence_on_a_colleagues_claim_is_an_audited_override(
    world: World, db: Session
) -> None:
    # SPEC CLM-F2 GEN-5: a fraud supervisor (who hands the work out) may file evidence on
    # a claim given to an investigator; the claim stays that investigator's, and the
    # trail says whose investigation was overridden. On an unassigned claim it is no
    # override, and the supervisor's evidence takes nothing.
    add_staff(db, world, "fraudlead", ["reviewer_1", "fraud_investigator"])
    given = _held(db, world, "accepted")
    pool = _held(db, world, "accepted", given=False)
    assert _upload(world, given, "fraudlead").status_code == 201
    assert _upload(world, pool, "fraudlead").status_code == 201
    db.expire_all()
    assert db.get_one(Claim, given).investigator_id == world.users["investigator"]
    assert db.get_one(Claim, pool).investigator_id is None
    overrides = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "claim.fraud_evidence_overridden")
    ).all()
    assert [(e.entity_id, e.actor_id) for e in overrides] == [
        (str(given), world.users["fraudlead"])
    ]
    assert json.loads(overrides[0].details) == {"investigator": world.users["investigator"]}


def test_a_refused_file_takes_nothing(world: World, db: Session) -> None:
    # SPEC CLM-F2 GEN-6: a claim material (not the investigator's to file) leaves the
    # unassigned claim in the pool
    cid = _held(db, world, "accepted", given=False)
    refused = _upload(world, cid, "investigator", "material", "claim_form")
    assert refused.status_code == 422, refused.text
    db.expire_all()
    assert db.get_one(Claim, cid).investigator_id is None


@pytest.mark.parametrize("state", ("accepted", "in_review", "paid", "closed"))
def test_no_investigator_upload_outside_the_hold(world: World, db: Session, state: str) -> None:
    # SPEC CLM-F1 CLM-F2: given the claim while it was held, not once it is out of it
    cid = _held(db, world, "accepted")
    claim = db.get_one(Claim, cid)
    claim.state = state
    db.commit()
    refused = _upload(world, cid, "investigator")
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "claim_not_investigators"
    assert _files(db, cid) == 0


@pytest.mark.parametrize("purpose", ("material", "adjuster_report"))
def test_an_investigator_files_evidence_only(world: World, db: Session, purpose: str) -> None:
    # SPEC CLM-F1 CLM-A2: no claim material (it would tick the checklist), no report
    cid = _held(db, world, "accepted")
    refused = _upload(
        world, cid, "investigator", purpose, "claim_form" if purpose == "material" else None
    )
    assert refused.status_code == 422, refused.text
    body = refused.json()["error"]
    assert body["code"] == "investigator_files_evidence" and body["field"] == "purpose"
    assert _upload(world, cid, "investigator", "certificate").status_code == 201
    assert _files(db, cid) == 1


def test_an_investigator_records_no_mailing(world: World, db: Session) -> None:
    # SPEC CLM-Z1 CLM-F2: claims:upload does not make an investigator a sender of materials
    cid = _held(db, world, "accepted")
    refused = world.client.post(
        f"{API}/{cid}/mailings",
        json={
            "carrier": "SF",
            "tracking_number": "SF0001",
            "items": ["claim_form"],
            "sent_on": "2026-09-29",
        },
        headers=world.h["investigator"],
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "investigator_files_evidence"


def test_the_supervisor_gives_held_claims_only_and_it_is_audited(world: World, db: Session) -> None:
    # SPEC CLM-F1 CLM-F2 GEN-5: all or nothing, a named refusal for a claim not held
    held = _held(db, world, "accepted", given=False)
    open_claim = claim_in_state(db, world, "accepted")
    refused = world.client.post(
        f"{WORK}/assignments",
        json={
            "claim_ids": [held, open_claim],
            "role": "fraud_investigator",
            "user_id": world.users["investigator"],
        },
        headers=world.h["supervisor"],
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "claim_not_assignable"
    db.expire_all()
    assert db.get_one(Claim, held).investigator_id is None
    # Not a person of that role: refused.
    wrong = world.client.post(
        f"{WORK}/assignments",
        json={"claim_ids": [held], "role": "fraud_investigator", "user_id": world.users["handler"]},
        headers=world.h["supervisor"],
    )
    assert wrong.status_code in (404, 422), wrong.text
    done = _give(world, held)
    assert done.status_code == 200, done.text
    db.expire_all()
    assert db.get_one(Claim, held).investigator_id == world.users["investigator"]
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "claim.investigator_assigned", AuditEntry.entity_id == str(held)
        )
    ).one()
    assert json.loads(entry.details)["after"] == world.users["investigator"]
    # Only a supervisor gives claims out; the investigator cannot take one.
    taken = world.client.post(
        f"{WORK}/assignments",
        json={
            "claim_ids": [held],
            "role": "fraud_investigator",
            "user_id": world.users["investigator2"],
        },
        headers=world.h["investigator2"],
    )
    assert taken.status_code == 403, taken.text
    listed = world.client.get(
        f"{WORK}/assignees?role=fraud_investigator", headers=world.h["supervisor"]
    )
    assert {a["user_id"] for a in listed.json()} == {
        world.users["investigator"],
        world.users["investigator2"],
    }
