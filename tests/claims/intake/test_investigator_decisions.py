"""Who decides a fraud flag, and whose queue a held claim is in, by role.

A flag suspends the claim until an investigator clears or confirms it (CLM-F1). Once a
supervisor gave the held claim to one investigator (claims.investigator_id), a colleague
deciding its flag would undo an investigation they do not run: refused, named and
worded in both languages (403 claim_of_another_investigator); a fraud supervisor (an
investigator who also hands out the work, claims:assign) keeps the override, and the
override is a step of its own on the audit trail. An unassigned held claim is any
investigator's to decide. An investigator's queues hold their own held claims and the
unassigned ones, never a colleague's (CLM-F2).
# SPEC CLM-F1 CLM-F2 CLM-F3 SEC-4 GEN-5 GEN-6"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import Claim, FraudFlag
from tests.claims.helpers import (
    FrozenClock,
    World,
    add_staff,
    build_world,
    claim_in_state,
    local,
)

API = "/api/v1/claims"
WORK = "/api/v1/work"
# The answer to each role's decision on a flag of a claim given to "investigator".
# "investigator2" is a colleague; "lead" a fraud supervisor (investigator + tier-1
# supervisor, who hands out the work); "supervisor" a tier-1 supervisor who is no
# investigator (no fraud:investigate).
DECIDES_GIVEN = {
    "investigator": 200,
    "investigator2": 403,
    "lead": 200,
    "supervisor": 403,
    "handler": 403,
}
# Each decision: the outcome sent, the flag's status after, the claim's state after.
DECISIONS = {
    "cleared": ({"outcome": "cleared", "note": "核实发票为真"}, "cleared", "accepted"),
    "confirmed": (
        {"outcome": "exaggerated_loss", "note": "虚报 300 元", "exaggerated_amount": "300.00"},
        "confirmed",
        "accepted",
    ),
}


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    w = build_world(db, client)
    add_staff(db, w, "investigator2", ["fraud_investigator"])
    add_staff(db, w, "lead", ["fraud_investigator", "reviewer_1"])
    return w


def _held(db: Session, w: World, *, given_to: str | None = "investigator") -> tuple[int, int]:
    """An accepted claim flagged by its handler (so held, CLM-F1), given to ``given_to``
    by the supervisor through the API; the claim's and the flag's ids."""
    cid = claim_in_state(db, w, "accepted")
    flagged = w.client.post(
        f"{API}/{cid}/fraud-flags", json={"description": "发票可疑"}, headers=w.h["handler"]
    )
    assert flagged.status_code == 200 and flagged.json()["state"] == "suspended", flagged.text
    if given_to is not None:
        done = w.client.post(
            f"{WORK}/assignments",
            json={"claim_ids": [cid], "role": "fraud_investigator", "user_id": w.users[given_to]},
            headers=w.h["supervisor"],
        )
        assert done.status_code == 200, done.text
    flag_id = db.scalars(select(FraudFlag.id).where(FraudFlag.claim_id == cid)).one()
    return cid, flag_id


def _decide(
    w: World, cid: int, flag_id: int, who: str, body: dict[str, Any], lang: str = ""
) -> Any:
    return w.client.post(
        f"{API}/{cid}/fraud-flags/{flag_id}/resolve{lang}", json=body, headers=w.h[who]
    )


def _overrides(db: Session, cid: int) -> list[AuditEntry]:
    return list(
        db.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "claim.fraud_decision_overridden",
                AuditEntry.entity_id == str(cid),
            )
        )
    )


@pytest.mark.parametrize("decision", sorted(DECISIONS))
@pytest.mark.parametrize("who", sorted(DECIDES_GIVEN))
def test_a_flag_of_a_claim_given_to_an_investigator_by_role(
    world: World, db: Session, who: str, decision: str
) -> None:
    # SPEC CLM-F1 CLM-F2 SEC-4: the investigator given the claim decides; a colleague is
    # refused (named, 403) and nothing changes; the fraud supervisor overrides, audited
    cid, flag_id = _held(db, world)
    body, status_after, state_after = DECISIONS[decision]
    done = _decide(world, cid, flag_id, who, body)
    assert done.status_code == DECIDES_GIVEN[who], done.text
    db.expire_all()
    flag = db.get_one(FraudFlag, flag_id)
    claim = db.get_one(Claim, cid)
    if done.status_code == 200:
        assert (flag.status, claim.state) == (status_after, state_after)
        assert flag.resolved_by_id == world.users[who]
    else:
        assert (flag.status, claim.state) == ("open", "suspended")
        expected = "claim_of_another_investigator" if who == "investigator2" else None
        assert done.json()["error"]["code"] == (expected or "permission_denied")
    overrides = _overrides(db, cid)
    if who == "lead":
        # The override names whose investigation it overrode (GEN-5).
        (entry,) = overrides
        details = json.loads(entry.details)
        assert entry.actor_id == world.users["lead"]
        assert details["investigator"] == world.users["investigator"]
        assert details["flag_id"] == flag_id and details["outcome"] == body["outcome"]
    else:
        assert overrides == []
    # The claim stays the investigator's whoever decided.
    assert claim.investigator_id == world.users["investigator"]


@pytest.mark.parametrize("who", ("investigator", "investigator2", "lead"))
def test_an_unassigned_held_claim_is_any_investigators_to_decide(
    world: World, db: Session, who: str
) -> None:
    # SPEC CLM-F1: nobody was given it, so no investigation is overridden (no override entry)
    cid, flag_id = _held(db, world, given_to=None)
    done = _decide(world, cid, flag_id, who, DECISIONS["cleared"][0])
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "accepted"
    assert _overrides(db, cid) == []


def test_a_fraud_supervisors_own_claim_is_no_override(world: World, db: Session) -> None:
    # SPEC GEN-5: the override entry marks a decision on someone else's investigation only
    cid, flag_id = _held(db, world, given_to="lead")
    assert _decide(world, cid, flag_id, "lead", DECISIONS["cleared"][0]).status_code == 200
    assert _overrides(db, cid) == []
    cid, flag_id = _held(db, world, given_to="lead")
    refused = _decide(world, cid, flag_id, "investigator", DECISIONS["cleared"][0])
    assert refused.status_code == 403, refused.text


def test_the_refusal_is_worded_in_chinese_and_english(world: World, db: Session) -> None:
    # SPEC GEN-6: what went wrong and who may do it, in both languages
    cid, flag_id = _held(db, world)
    body = DECISIONS["cleared"][0]
    zh = _decide(world, cid, flag_id, "investigator2", body).json()["error"]["message"]
    en = _decide(world, cid, flag_id, "investigator2", body, "?lang=en").json()["error"]["message"]
    assert "已指派给另一名反欺诈调查员" in zh and "理赔主管" in zh
    assert "assigned to another fraud investigator" in en and "claims supervisor" in en


def test_reassigned_the_claim_changes_who_decides(world: World, db: Session) -> None:
    # SPEC CLM-F1 CLM-F2: the rule follows claims.investigator_id, not who held it first
    cid, flag_id = _held(db, world)
    moved = world.client.post(
        f"{WORK}/assignments",
        json={
            "claim_ids": [cid],
            "role": "fraud_investigator",
            "user_id": world.users["investigator2"],
        },
        headers=world.h["supervisor"],
    )
    assert moved.status_code == 200, moved.text
    body = DECISIONS["cleared"][0]
    assert _decide(world, cid, flag_id, "investigator", body).status_code == 403
    assert _decide(world, cid, flag_id, "investigator2", body).status_code == 200


# -- the queues (CLM-F2) -----------------------------------------------------------------------

# Which of the three held claims (given to investigator, to investigator2, to nobody)
# each role's stage queue lists.
QUEUED = {
    "investigator": {"mine", "unassigned"},
    "investigator2": {"theirs", "unassigned"},
    "lead": {"mine", "theirs", "unassigned"},
}


@pytest.mark.parametrize("who", sorted(QUEUED))
def test_an_investigators_queue_is_their_own_and_the_unassigned(
    world: World, db: Session, who: str
) -> None:
    # SPEC CLM-F2 SEC-4: the repository's row filter; the count says the same
    held = {
        "mine": _held(db, world)[0],
        "theirs": _held(db, world, given_to="investigator2")[0],
        "unassigned": _held(db, world, given_to=None)[0],
    }
    page = world.client.get(f"{WORK}/queues/work?limit=50", headers=world.h[who])
    assert page.status_code == 200, page.text
    listed = {item["claim_id"] for item in page.json()["items"]}
    assert listed == {held[k] for k in QUEUED[who]}
    counts = world.client.get(f"{WORK}/queues", headers=world.h[who]).json()
    assert {q["key"]: q["count"] for q in counts}["work"] == len(QUEUED[who])
    # A colleague's claim stays readable by id (the network around a claim spans them).
    opened = world.client.get(f"{API}/{held['theirs']}", headers=world.h[who])
    assert opened.status_code == 200, opened.text
