"""Work queues over the API (issue 12): every pending action has a queue for the role
that acts, ordered by deadline, counted, paged and row-filtered; a paid claim goes from
the service agent's callbacks to the claims supervisor's closing queue. Both databases.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.claim import Claim
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import (
    API,
    MEDICAL_4K,
    MEDICAL_50K,
    Settlement,
    approve,
    build_settlement,
    ok,
    walk_to_adjusted,
)

WORK = "/api/v1/work"


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


def _queues(s: Settlement, who: str) -> dict[str, int]:
    return {q["key"]: q["count"] for q in ok(s.w.client.get(f"{WORK}/queues", headers=s.w.h[who]))}


def _items(s: Settlement, who: str, key: str, **params: Any) -> dict[str, Any]:
    return ok(s.w.client.get(f"{WORK}/queues/{key}", params=params, headers=s.w.h[who]))


def _ids(s: Settlement, who: str, key: str) -> list[int]:
    return [i["claim_id"] for i in _items(s, who, key)["items"]]


def _report(s: Settlement, name: str = "李四", **extra: Any) -> dict[str, Any]:
    body = {
        "channel": "hotline",
        "policy_number": s.w.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
        "claimant_name": name,
        "loss_date": "2026-09-28",
        "loss_place": "北京",
        "loss_cause": "illness",
        "loss_overview": "住院",
        "estimated_amount": "3000",
        "coverage_codes": ["medical"],
        **extra,
    }
    return ok(s.w.client.post(API, json=body, headers=s.w.h["handler"]), 201)


def _paid(s: Settlement, clock: FrozenClock) -> int:
    """A tier-1 claim walked to paid through the API (4,000.00 payable)."""
    w, c = s.w, s.w.client
    cid = walk_to_adjusted(w, clock, policy="MED-MILLION", assessment=MEDICAL_4K)
    ok(c.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    clock.set("2026-09-30T16:00:00")
    assert approve(w, cid, "reviewer1")["state"] == "approved"
    key = f"pay-{cid}-0001"
    pay = ok(
        c.post(
            f"{API}/{cid}/payments",
            json={"payee_person_id": s.insured_id, "bank_account_id": s.account_id},
            headers={**w.h["cashier"], "Idempotency-Key": key},
        ),
        201,
    )
    batch = ok(c.post("/api/v1/payments/batches", json={}, headers=w.h["cashier"]), 201)
    ok(
        c.post(
            f"/api/v1/payments/batches/{batch['id']}/confirmation",
            # SPEC CLM-P3: a payment confirmed as paid keeps its electronic voucher.
            json={
                "lines": [
                    {
                        "payment_id": pay["id"],
                        "idempotency_key": key,
                        "result": "paid",
                        "reference": f"BK-{cid}",
                    }
                ]
            },
            headers=w.h["cashier"],
        )
    )
    return cid


def test_paid_claim_moves_from_the_callback_queue_to_the_closing_queue(
    s: Settlement, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-X2 (callback within 3 working days of payment), CLM-X1 (closing), issue 12
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = _paid(s, clock)
    clock.set("2026-10-09T10:00:00")
    # Paid: the service agent's callbacks due hold it, with the callback's own deadline.
    assert _queues(s, "agent") == {"callbacks": 1}
    callbacks = _items(s, "agent", "callbacks")
    assert [i["claim_id"] for i in callbacks["items"]] == [cid]
    first = callbacks["items"][0]
    assert first["task_kind"] == "paid" and first["due_at"] and first["state"] == "paid"
    # Not ready to close while the callback is open.
    assert _queues(s, "reviewer1")["closing"] == 0
    ok(
        s.w.client.post(
            f"{API}/{cid}/callbacks/{first['task_id']}/complete",
            json={"outcome": "reached", "satisfaction": 4},
            headers=s.w.h["agent"],
        )
    )
    assert _queues(s, "agent") == {"callbacks": 0}
    assert _ids(s, "reviewer1", "closing") == [cid]
    closing = _items(s, "reviewer1", "closing")["items"][0]
    assert closing["due_at"] is None and closing["since"]
    ok(s.w.client.post(f"{API}/{cid}/close", json={}, headers=s.w.h["reviewer1"]))
    assert _queues(s, "reviewer1")["closing"] == 0


ROLE_QUEUES = {
    "agent": {"callbacks"},
    "handler": {"work", "callbacks", "notices", "materials"},
    "surveyor": {"work"},
    "assessor": {"work"},
    "adjuster": {"work"},
    "reviewer1": {"work", "closing"},
    "reviewer2": {"work"},
    "reviewer3": {"work"},
    "cashier": {"work", "advances"},
    "investigator": {"work"},
    "customer": set(),
}


@pytest.mark.parametrize("who", sorted(ROLE_QUEUES))
def test_each_role_gets_the_queues_of_its_actions_and_no_other(s: Settlement, who: str) -> None:
    # SPEC SEC-4 (least privilege), CLM-F2 (each role sees what its work needs), issue 12
    mine = set(_queues(s, who))
    assert mine == ROLE_QUEUES[who]
    for key in {"work", "callbacks", "closing", "notices", "materials", "advances"} - mine:
        response = s.w.client.get(f"{WORK}/queues/{key}", headers=s.w.h[who])
        assert response.status_code == 403, (who, key, response.text)


def test_queue_is_paged_by_deadline_with_a_count(
    s: Settlement, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC GEN-4 (deadline order), issue 12 (no queue stops silently: pages and counts)
    clock = FrozenClock(monkeypatch, local("2026-09-30T09:00:00"))
    numbers = []
    for hour in ("09:00", "10:00", "11:00"):
        clock.set(f"2026-09-30T{hour}:00")
        numbers.append(_report(s, received_at=f"2026-09-30T{hour}:00+08:00")["id"])
    first = _items(s, "handler", "work", limit=2)
    assert first["total"] == 3 and first["has_more"] and first["next_offset"] == 2
    rest = _items(s, "handler", "work", limit=2, offset=2)
    assert not rest["has_more"] and rest["next_offset"] is None
    listed = [i["claim_id"] for i in first["items"] + rest["items"]]
    # The earliest received has the earliest deadline: first.
    assert listed == numbers
    dues = [i["due_at"] for i in first["items"] + rest["items"]]
    assert dues == sorted(dues)
    refused = s.w.client.get(f"{WORK}/queues/work?limit=500", headers=s.w.h["handler"])
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "limit"


def test_notice_and_material_review_queues_follow_the_work(
    s: Settlement, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-A4 (one-time notice of everything missing), CLM-A5 (compliance review)
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    claim = _report(s)
    cid, c, h = claim["id"], s.w.client, s.w.h["handler"]
    assert _ids(s, "handler", "notices") == [cid]
    assert _ids(s, "handler", "materials") == []
    code = claim["checklist"][0]["code"]
    ok(c.post(f"{API}/{cid}/materials/receive", json={"code": code}, headers=h))
    assert _ids(s, "handler", "materials") == [cid]
    ok(c.post(f"{API}/{cid}/materials/review", json={"code": code, "result": "ok"}, headers=h))
    assert _ids(s, "handler", "materials") == []
    if len(claim["checklist"]) > 1:
        ok(c.post(f"{API}/{cid}/materials-notice", json={"items": []}, headers=h))
        assert _ids(s, "handler", "notices") == []


def test_advances_due_reach_the_payment_officer_fifteen_days_ahead(
    s: Settlement, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-V4 (advance within 60 days of the claim, Insurance Law art. 25)
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = walk_to_adjusted(s.w, clock, policy="MED-MILLION", assessment=MEDICAL_4K)
    ok(s.w.client.post(f"{API}/{cid}/review/submit", json={}, headers=s.w.h["adjuster"]))
    assert _ids(s, "cashier", "advances") == []  # 60 days are far away
    clock.set("2026-11-20T10:00:00")
    advances = _items(s, "cashier", "advances")
    assert [i["claim_id"] for i in advances["items"]] == [cid]
    assert advances["items"][0]["due_at"] > "2026-11-20"
    clock.set("2026-11-20T11:00:00")
    approve(s.w, cid, "reviewer1")  # the decision stops the advance clock
    assert _ids(s, "cashier", "advances") == []


def test_a_surveyor_queue_holds_only_their_own_claims(
    s: Settlement, monkeypatch: pytest.MonkeyPatch, db: Session
) -> None:
    # SPEC CLM-F2 (a surveyor sees only the claims assigned to them), SEC-4
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = walk_to_adjusted(s.w, clock, policy="MED-MILLION", assessment=MEDICAL_4K)
    other = _report(s)["id"]
    db.execute(select(Claim).where(Claim.id == other)).scalar_one().state = "accepted"
    db.commit()
    assert cid not in _ids(s, "surveyor2", "work")
    assert other not in _ids(s, "surveyor2", "work")
    assert _items(s, "surveyor2", "work")["total"] == 0


def test_search_by_name_through_the_keyed_index_and_by_part_of_a_number(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC SEC-1 (searchable by a keyed hash), SEC-5 (the search is traced), CLM-F2
    from claimdesk.crypto.indexes import name_index
    from claimdesk.models.audit import AuditEntry
    from claimdesk.models.person import Person

    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    claim = _report(s, name="王 五", claimant_relationship="spouse")
    cid, c = claim["id"], s.w.client

    def found(q: str, who: str = "handler") -> list[int]:
        page = ok(c.get(f"{WORK}/search", params={"q": q}, headers=s.w.h[who]))
        return [i["claim_id"] for i in page["items"]]

    stored = db.scalars(select(Claim).where(Claim.id == cid)).one()
    assert stored.claimant_name_hash == name_index("王五") != name_index("王六")
    assert found("王五") == [cid]  # the claimant, however spaced
    assert found("李四") == [cid]  # the insured, through people.name_hash
    assert found("王六") == []
    assert found(claim["number"][-6:]) == [cid]  # part of the report number
    policy_number = s.w.policies["MED-MILLION"].number  # type: ignore[attr-defined]
    assert found(policy_number[-5:]) == [cid]  # part of the policy number
    assert found("李四", who="surveyor2") == []  # not their claim
    short = c.get(f"{WORK}/search", params={"q": "a"}, headers=s.w.h["handler"])
    assert short.status_code == 422 and short.json()["error"]["field"] == "q"
    traces = db.scalars(select(AuditEntry).where(AuditEntry.action == "claims.searched")).all()
    assert traces and all("李四" not in str(t.details) for t in traces)
    insured = db.get(Person, s.insured_id)
    assert insured is not None and insured.name_hash == name_index("李四")


def test_name_hashes_follow_every_write_and_a_new_index_key(db: Session) -> None:
    # SPEC SEC-1 (keys outside the database, rotatable): the keyed name index stays true
    from sqlalchemy import insert, update

    from claimdesk.crypto import rotation
    from claimdesk.crypto.indexes import name_index
    from claimdesk.crypto.keyring import get_keyring, set_keyring
    from claimdesk.models.person import Person
    from tests.builders import make_person, resident_id

    person = make_person(db, name="赵 六", id_number=resident_id(birth="19800101", seq="321"))
    db.commit()
    assert person.name_hash == name_index("赵六")
    person.name = "赵七"
    db.commit()
    assert db.scalar(select(Person.name_hash).where(Person.id == person.id)) == name_index("赵七")
    # A bulk insert that gives only the name gets its hash from the column default.
    db.execute(
        insert(Person),
        [
            {
                "name": "Anna Maria",
                "id_type": "passport",
                "id_number": "E1234567",
                "id_number_hash": "x" * 64,
                "id_number_last4": "4567",
            }
        ],
    )
    db.commit()
    bulk = db.scalar(select(Person.name_hash).where(Person.id_type == "passport"))
    assert bulk == name_index("ANNA·maria")
    # A new index key: `claimdesk keys rotate --reindex` recomputes the name hashes too.
    keyring = get_keyring()
    try:
        fresh = type(keyring).from_json(keyring.to_json())
        fresh.new_index_key()
        set_keyring(fresh)
        db.execute(update(Person).where(Person.id == person.id).values(name_hash="stale"))
        db.commit()
        counts = rotation.reindex_all(db.get_bind(), fresh)  # type: ignore[arg-type]
        assert counts["people.name_hash"] >= 1
        db.expire_all()
        assert db.scalar(select(Person.name_hash).where(Person.id == person.id)) == name_index(
            "赵七"
        )
    finally:
        set_keyring(keyring)


def test_a_claim_in_review_waits_in_the_queue_of_the_tier_that_decides_next(
    s: Settlement, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-V1: tier 1 decides first, then tier 2, then tier 3. The tier-2 and tier-3
    # queues listed every claim in review — those only tier 1 decides among them, where
    # the claim page offered them nothing to do.
    clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    small = walk_to_adjusted(s.w, clock, policy="MED-MILLION", assessment=MEDICAL_4K)
    ok(s.w.client.post(f"{API}/{small}/review/submit", json={}, headers=s.w.h["adjuster"]))
    large = walk_to_adjusted(s.w, clock, policy="MED-MILLION", assessment=MEDICAL_50K)
    ok(s.w.client.post(f"{API}/{large}/review/submit", json={}, headers=s.w.h["adjuster"]))
    assert sorted(_ids(s, "reviewer1", "work")) == sorted([small, large])
    assert _ids(s, "reviewer2", "work") == [] and _queues(s, "reviewer2")["work"] == 0
    assert _ids(s, "reviewer3", "work") == []
    clock.set("2026-09-30T16:00:00")
    approve(s.w, large, "reviewer1")
    assert _ids(s, "reviewer1", "work") == [small]
    assert _ids(s, "reviewer2", "work") == [large] and _queues(s, "reviewer2")["work"] == 1
    assert _ids(s, "reviewer3", "work") == []


def test_a_queue_item_names_the_termination_that_left_its_loss_uncovered(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-R2, POL-3 (rules.cover): the policy (2026-01-01 .. 2026-12-31) surrendered
    # with effect from 2026-09-28 — a loss that day or after carries the day; the day
    # before is covered; a loss before the period is outside the period, not "after the
    # termination", nor is one after the period's end; a termination after the period's
    # end ends nothing.
    from claimdesk.models.policy import Policy

    FrozenClock(monkeypatch, local("2026-09-30T09:00:00"))
    losses = ("2026-09-27", "2026-09-28", "2026-09-29", "2025-12-31")
    ids = {_report(s, loss_date=day)["id"]: day for day in losses}
    policy = db.get_one(Policy, s.w.policies["MED-MILLION"].id)  # type: ignore[attr-defined]

    def marks() -> dict[str, tuple[bool, str | None]]:
        items = _items(s, "handler", "work", limit=50)["items"]
        return {
            ids[i["claim_id"]]: (i["loss_outside_period"], i["policy_terminated_on"])
            for i in items
            if i["claim_id"] in ids
        }

    policy.status, policy.terminated_on = "terminated", local("2026-09-28T00:00:00").date()
    db.commit()
    assert marks() == {
        "2026-09-27": (False, None),
        "2026-09-28": (True, "2026-09-28"),
        "2026-09-29": (True, "2026-09-28"),
        "2025-12-31": (True, None),
    }
    # The period ending on the termination's day: the 29th is after the period, said so
    # (as the intake flag says it); the 28th is still the termination's.
    policy.period_end = policy.terminated_on
    db.commit()
    assert marks()["2026-09-29"] == (True, None)
    assert marks()["2026-09-28"] == (True, "2026-09-28")
    policy.period_end = local("2026-12-31T00:00:00").date()
    policy.terminated_on = local("2027-01-01T00:00:00").date()  # after the period's end
    db.commit()
    assert {day: mark[1] for day, mark in marks().items()} == dict.fromkeys(losses)
