"""A claim held by a check (CLM-F1) before its assessment still takes its e-bill and its
materials: a hold stops the money, not the evidence. The bill is checked like any new
data (CLM-F3) — its hits add to the hold — nothing is paid while the hold stands, and a
cleared claim resumes with its bills. Held after the assessment: closed to bills, as
before (SPEC CLM-F1, CLM-F3, CLM-T1, CLM-T2). Through the HTTP API and the worker's
jobs, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.bills.service import takes_bills
from claimdesk.models.audit import AuditEntry
from claimdesk.models.automatic import AutomaticDecision
from claimdesk.models.bill import Bill
from claimdesk.models.check import CheckHit
from claimdesk.models.claim import Claim, FraudFlag
from claimdesk.models.job import Job
from claimdesk.models.payment import Payment
from claimdesk.models.states import ClaimState
from tests.checks.helpers import set_check_action
from tests.claims.automatic.helpers import (
    API,
    DAY,
    RECEIPT,
    Setup,
    drain,
    small_policy,
    upload,
)
from tests.claims.automatic.helpers import (
    report as report_claim,
)
from tests.claims.helpers import FrozenClock, World, build_world, local

# The small policy runs from 2026-01-01 with a 30-day waiting period (tests/builders):
# a loss on 2026-01-10 is inside it, and outside_period — made to hold by the
# administrator here (its default refers, migration 0052) — holds the claim on its report.
LOSS_IN_WAITING_PERIOD = "2026-01-10"


@pytest.fixture
def world(world_db: None, db: Session, client: TestClient) -> World:
    return build_world(db, client)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local(f"{DAY}T10:00:00"))


@pytest.fixture
def setup(db: Session, world: World) -> Setup:
    set_check_action(db, "outside_period", "hold")
    return small_policy(db, world)


def _bill(**changes: Any) -> dict[str, Any]:
    receipt = copy.deepcopy(RECEIPT)
    receipt.update(changes)
    return {"receipt": receipt}


def _post_bill(w: World, cid: int, body: dict[str, Any], who: str = "customer") -> Any:
    return w.client.post(f"{API}/claims/{cid}/bills", json=body, headers=w.h[who])


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _held_on_report(w: World, clock: FrozenClock, setup: Setup, db: Session, factory: Any) -> int:
    """A claim reported inside the waiting period, its checks run on the report alone
    (as the worker does before the customer's e-bill arrives): held, one open flag."""
    cid = report_claim(w, clock, setup, loss_date=LOSS_IN_WAITING_PERIOD)
    drain(factory)
    db.expire_all()
    claim = db.get_one(Claim, cid)
    assert claim.state == "suspended" and claim.resume_state == "reported"
    flags = db.scalars(select(FraudFlag).where(FraudFlag.claim_id == cid)).all()
    assert [f.rule_code for f in flags] == ["check:outside_period"]
    return cid


def _queued_checks(db: Session, cid: int) -> list[dict[str, Any]]:
    db.expire_all()
    jobs = db.scalars(
        select(Job).where(Job.kind == "checks.run", Job.status == "queued").order_by(Job.id)
    ).all()
    payloads = [json.loads(j.payload) for j in jobs]
    return [p for p in payloads if p["claim_id"] == cid]


def test_a_claim_held_on_its_report_takes_its_e_bill_and_is_checked_again(
    world, clock, setup, db, session_factory
):
    # SPEC CLM-F1: a hold stops the money, not the evidence — the e-bill is taken (201).
    # SPEC CLM-T1: its lines are stored as for any claim.
    cid = _held_on_report(world, clock, setup, db, session_factory)
    ran_on_report = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "claim.checks_run", AuditEntry.entity_id == str(cid)
        )
    ).all()
    assert len(ran_on_report) == 1
    clock.set(f"{DAY}T10:05:00")
    upload(world, cid)  # the other materials: a held claim takes files too
    clock.set(f"{DAY}T10:10:00")
    # The receipt was issued inside the waiting period as well: new evidence.
    created = _ok(_post_bill(world, cid, _bill(issue_date=LOSS_IN_WAITING_PERIOD)), 201)
    assert [line["amount"] for line in created["lines"]] == ["500.00", "300.00"]
    listed = _ok(world.client.get(f"{API}/claims/{cid}/bills", headers=world.h["investigator"]))
    assert [b["receipt_number"] for b in listed] == [RECEIPT["receipt_number"]]
    db.expire_all()
    claim = db.get_one(Claim, cid)
    assert claim.state == "suspended" and claim.resume_state == "reported"  # still held

    # SPEC CLM-F3: the bill queued one checks run, on the claim's new data version.
    queued = _queued_checks(db, cid)
    assert len(queued) == 1
    assert queued[0]["data_version"] != json.loads(ran_on_report[0].details)["data_version"]
    drain(session_factory)
    db.expire_all()
    runs = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "claim.checks_run", AuditEntry.entity_id == str(cid))
        .order_by(AuditEntry.seq)
    ).all()
    assert [json.loads(r.details)["data_version"] for r in runs][-1] == queued[0]["data_version"]
    # Its hit (the receipt's date) is added to the hold, not lost: a second open flag.
    hits = db.scalars(
        select(CheckHit)
        .where(CheckHit.claim_id == cid, CheckHit.action == "hold")
        .order_by(CheckHit.id)
    ).all()
    assert [h.evidence["field"] for h in hits] == [
        "loss_date",
        f"receipt:{created['id']}:issued_on",
    ]
    flags = db.scalars(
        select(FraudFlag).where(FraudFlag.claim_id == cid).order_by(FraudFlag.id)
    ).all()
    assert len(flags) == 2 and {f.status for f in flags} == {"open"}
    assert all(h.fraud_flag_id in {f.id for f in flags} for h in hits)
    added = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "claim.fraud_flag_added", AuditEntry.entity_id == str(cid)
        )
    ).all()
    assert len(added) == 1

    # SPEC CLM-T2: nothing is paid while the hold stands — the look refers the claim.
    claim = db.get_one(Claim, cid)
    assert claim.state == "suspended"
    assert db.scalars(select(Payment).where(Payment.claim_id == cid)).first() is None
    decision = db.scalars(select(AutomaticDecision).where(AutomaticDecision.claim_id == cid)).one()
    assert decision.outcome == "referred" and decision.payment_id is None
    assert "fraud_flag" in [r["code"] for r in decision.reasons]


def test_the_cleared_claim_goes_on_with_its_bills(world, clock, setup, db, session_factory):
    # SPEC CLM-F1: only the investigator clears; the claim resumes where it was held,
    # with the bill handed in during the hold, and a person takes it on from there.
    cid = _held_on_report(world, clock, setup, db, session_factory)
    clock.set(f"{DAY}T10:05:00")
    upload(world, cid)
    _ok(_post_bill(world, cid, _bill()), 201)
    drain(session_factory)
    db.expire_all()
    flags = db.scalars(select(FraudFlag).where(FraudFlag.claim_id == cid)).all()
    assert db.scalars(select(Payment).where(Payment.claim_id == cid)).first() is None
    clock.set(f"{DAY}T14:00:00")
    for found in flags:
        cleared = _ok(
            world.client.post(
                f"{API}/claims/{cid}/fraud-flags/{found.id}/resolve",
                json={"outcome": "cleared", "note": "就诊记录核实，等待期前已有保障"},
                headers=world.h["investigator"],
            )
        )
    assert cleared["state"] == "reported"
    bills = _ok(world.client.get(f"{API}/claims/{cid}/bills", headers=world.h["assessor"]))
    assert len(bills) == 1 and bills[0]["total"] == "800.00"
    # SPEC CLM-T2: a claim with a check hit is a person's (no CLM-F3 hit is a condition):
    # it waits in the handlers' list of referred claims, with its reasons.
    referred = _ok(world.client.get(f"{API}/automatic/referred", headers=world.h["handler"]))
    assert [item["claim_id"] for item in referred["items"]] == [cid]
    assert referred["items"][0]["state"] == "reported"
    # The person goes on with the bills already there: acceptance, survey skipped, and
    # the assessment made from the bill's lines (nobody types them).
    h = world.h
    _ok(world.client.post(f"{API}/claims/{cid}/accept", json={}, headers=h["handler"]))
    _ok(world.client.post(f"{API}/claims/{cid}/survey/skip", headers=h["handler"]))
    assessed = _ok(
        world.client.post(
            f"{API}/claims/{cid}/assessment/from-bills", json={}, headers=h["assessor"]
        )
    )
    assert assessed["state"] == "surveyed"
    assert [(i["amount"], i["catalog"]) for i in assessed["lines"]] == [
        ("500.00", "A"),
        ("300.00", "B"),
    ]


def test_a_claim_held_after_its_assessment_stays_closed_to_bills(
    world, clock, setup, db, session_factory
):
    # SPEC CLM-T1: bills come with the materials; a claim held (CLM-F1) once assessed
    # refuses a new bill with the same error as an assessed claim (409 bills_closed).
    cid = report_claim(world, clock, setup)
    clock.set(f"{DAY}T10:05:00")
    upload(world, cid)
    _ok(_post_bill(world, cid, _bill()), 201)
    h = world.h
    _ok(world.client.post(f"{API}/claims/{cid}/accept", json={}, headers=h["handler"]))
    _ok(world.client.post(f"{API}/claims/{cid}/survey/skip", headers=h["handler"]))
    _ok(
        world.client.post(
            f"{API}/claims/{cid}/assessment/from-bills", json={}, headers=h["assessor"]
        )
    )
    _ok(
        world.client.post(f"{API}/claims/{cid}/assessment/complete", json={}, headers=h["assessor"])
    )
    held = _ok(
        world.client.post(
            f"{API}/claims/{cid}/fraud-flags",
            json={"description": "票据疑似伪造"},
            headers=h["handler"],
        )
    )
    assert held["state"] == "suspended" and held["resume_state"] == "assessed"
    late = _post_bill(world, cid, _bill(receipt_number="0020000002"))
    assert late.status_code == 409 and late.json()["error"]["code"] == "bills_closed"
    assert len(db.scalars(select(Bill).where(Bill.claim_id == cid)).all()) == 1


def test_a_held_claim_keeps_every_other_rule_of_a_bill(world, clock, setup, db, session_factory):
    # SPEC CLM-T1, CLM-F1: on a held claim the same receipt twice is still 409, a payer
    # who is not the insured still 422, and the submission is audited as always.
    cid = _held_on_report(world, clock, setup, db, session_factory)
    _ok(_post_bill(world, cid, _bill()), 201)
    again = _post_bill(world, cid, _bill(check_code="zzzzzz"), who="handler")
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate_receipt"
    stranger = _post_bill(world, cid, _bill(receipt_number="0020000009", payer={"name": "王五"}))
    assert stranger.status_code == 422
    assert stranger.json()["error"]["code"] == "bill_payer_not_insured"
    entries = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "claim.bill_submitted", AuditEntry.entity_id == str(cid)
        )
    ).all()
    assert len(entries) == 1 and json.loads(entries[0].details)["electronic"] is True


@pytest.mark.parametrize(
    ("state", "resume", "takes"),
    [
        ("reported", None, True),
        ("accepted", None, True),
        ("assessed", None, False),
        ("suspended", "reported", True),
        ("suspended", "awaiting_materials", True),
        ("suspended", "accepted", True),
        ("suspended", "surveyed", True),
        ("suspended", "reopened", True),
        ("suspended", "assessed", False),
        ("suspended", "adjusted", False),
        ("suspended", "in_review", False),
        ("suspended", "approved", False),
        ("suspended", None, False),
    ],
)
def test_which_claims_take_bills(state, resume, takes):
    # SPEC CLM-F1, CLM-T1: held before the assessment (a billable state) takes bills;
    # held after it does not.
    claim = Claim(state=ClaimState(state), resume_state=ClaimState(resume) if resume else None)
    assert takes_bills(claim=claim) is takes
