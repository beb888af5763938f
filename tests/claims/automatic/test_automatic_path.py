"""The automatic path (SPEC CLM-T2): from the customer's e-bill to the payment request
without any person, through the same services and transition table; every failed
condition refers the claim to a person with its reason; never on stale checks; never a
rejection or a reduction."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select

from claimdesk.claims.automatic import service
from claimdesk.models.audit import AuditEntry
from claimdesk.models.automatic import AutomaticDecision
from claimdesk.models.claim import Claim, ClaimTransition
from claimdesk.models.job import Job
from claimdesk.models.payment import Payment
from claimdesk.models.review import ReviewRound
from tests.claims.automatic.helpers import (
    API,
    DAY,
    PAYABLE,
    drain,
    make_e_bill_claim,
    ok,
)
from tests.claims.helpers import World


def _decision(world: World, cid: int, who: str = "supervisor") -> dict:
    return ok(world.client.get(f"{API}/claims/{cid}/automatic", headers=world.h[who]))


def test_an_e_bill_claim_is_paid_without_any_person(world, clock, setup, db, session_factory):
    # SPEC CLM-T2: accepted, assessed, adjusted, decided and sent to payment by the rule
    # set, each step audited with its version, through the one transition table.
    cid = make_e_bill_claim(world, clock, setup)
    clock.set(f"{DAY}T10:10:05")
    drain(session_factory)
    db.expire_all()
    claim = db.get_one(Claim, cid)
    assert claim.state == "approved"
    payment = db.scalars(select(Payment).where(Payment.claim_id == cid)).one()
    assert payment.amount == Decimal(PAYABLE) and payment.kind == "indemnity"
    assert payment.bank_account_id == setup.account_id and payment.payee_basis == "insured"
    assert payment.created_by_id is None
    moves = [
        t.action
        for t in db.scalars(
            select(ClaimTransition)
            .where(ClaimTransition.claim_id == cid)
            .order_by(ClaimTransition.id)
        )
    ]
    assert moves == [
        "report",
        "accept",
        "skip_survey",
        "complete_assessment",
        "complete_adjustment",
        "submit_review",
        "approve",
    ]
    actors = {
        t.actor
        for t in db.scalars(select(ClaimTransition).where(ClaimTransition.claim_id == cid))
        if t.action != "report"
    }
    assert actors == {"automatic"}
    review = db.scalars(select(ReviewRound).where(ReviewRound.claim_id == cid)).one()
    assert review.tiers_required == 0 and review.status == "approved"

    decision = _decision(world, cid)
    assert decision["outcome"] == "paid" and decision["reasons"] == []
    assert decision["payment_id"] == payment.id and decision["amount"] == PAYABLE
    assert decision["rule_set_version"].startswith("RS-")
    assert decision["materials_complete_at"] is not None
    assert decision["payment_requested_at"] is not None
    steps = [
        json.loads(e.details)
        for e in db.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "claim.automatic_step", AuditEntry.entity_id == str(cid)
            )
        )
    ]
    assert [s["step"] for s in steps] == [
        "accept",
        "skip_survey",
        "assess",
        "adjust",
        "approve",
        "payment_requested",
    ]
    assert {s["rule_set_version"] for s in steps} == {decision["rule_set_version"]}
    # The rule set that decided is stored and readable by staff.
    rule_set = ok(
        world.client.get(
            f"{API}/automatic/rule-sets/{decision['rule_set_version']}",
            headers=world.h["supervisor"],
        )
    )
    assert rule_set["content"]["automatic_max_amount"] == "5000.00"
    # The customer sees "paid automatically", never the reasons of a referral.
    mine = _decision(world, cid, who="customer")
    assert mine["outcome"] == "paid"


def test_a_second_look_pays_nothing_more(world, clock, setup, db, session_factory):
    # SPEC CLM-T2, CLM-P5: a repeated job on the same claim changes nothing.
    cid = make_e_bill_claim(world, clock, setup)
    drain(session_factory)
    with session_factory() as session, session.begin():
        outcome = service.process(session, claim_id=cid)
    assert outcome.status == "skipped"
    assert len(db.scalars(select(Payment).where(Payment.claim_id == cid)).all()) == 1


def test_never_decides_on_stale_checks(world, clock, setup, db, session_factory):
    # SPEC CLM-T2, CLM-F3: until the checks have run on the claim's current data, the
    # automatic path waits; it never decides on checks of older data.
    cid = make_e_bill_claim(world, clock, setup)
    checks = db.scalars(select(Job).where(Job.kind == "checks.run", Job.status == "queued")).all()
    assert checks, "the new data queued a checks run"
    with session_factory() as session, session.begin():
        outcome = service.process(session, claim_id=cid)
    assert outcome.status == "wait"
    db.expire_all()
    assert db.get_one(Claim, cid).state == "reported"
    assert db.scalars(select(AutomaticDecision)).first() is None
    drain(session_factory)
    db.expire_all()
    assert db.get_one(Claim, cid).state == "approved"


def test_new_data_after_the_checks_wait_for_their_own_run(world, clock, setup, db, session_factory):
    # SPEC CLM-F3, CLM-T2: checks done on version 1 do not count for version 2.
    cid = make_e_bill_claim(world, clock, setup, uploads=("claim_form", "identity_proof"))
    drain(session_factory)
    db.expire_all()
    first = db.scalars(select(AutomaticDecision).where(AutomaticDecision.claim_id == cid)).one()
    assert first.outcome == "referred"
    assert [r["code"] for r in first.reasons] == ["materials_incomplete"]
    from tests.claims.automatic.helpers import upload

    upload(world, cid, ("medical_record",))
    with session_factory() as session, session.begin():
        assert service.process(session, claim_id=cid).status == "wait"
    drain(session_factory)
    db.expire_all()
    assert db.get_one(Claim, cid).state == "approved"
    decision = _decision(world, cid)
    assert decision["outcome"] == "paid" and decision["reasons"] == []
