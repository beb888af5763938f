"""Anything the automatic path may not decide goes to a person with its reasons
(SPEC CLM-T2): each failed condition refers the claim, stored with a code and words in
both languages; nothing is rejected, nothing reduced, nothing half done."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.models.audit import AuditEntry
from claimdesk.models.automatic import AutomaticDecision
from claimdesk.models.claim import Assessment, Claim, ClaimTransition
from claimdesk.models.payment import Payment
from claimdesk.models.person import BankAccount
from claimdesk.models.review import DecisionNotice, RejectionNotice
from claimdesk.people.service import list_consents, withdraw_consent
from tests.builders import add_bank_account
from tests.claims.automatic.helpers import (
    API,
    DAY,
    RECEIPT,
    Setup,
    drain,
    make_e_bill_claim,
    ok,
    submit_bill,
    upload,
)
from tests.claims.helpers import World, local


def bill_with(*items: dict[str, Any], number: str = "0020000001") -> dict[str, Any]:
    receipt = copy.deepcopy(RECEIPT)
    receipt["items"] = list(items)
    receipt["receipt_number"] = number
    receipt["total"] = str(sum(Decimal(i["amount"]) for i in items))
    return {"receipt": receipt}


def item(amount: str, *, lv: str = "1", **extra: str) -> dict[str, Any]:
    return {
        "code": "003311000010000-331100001",
        "name": "门诊诊查",
        "quantity": "1",
        "unit_price": amount,
        "amount": amount,
        "chrgitm_lv": lv,
        **extra,
    }


Prepare = Callable[[Session, World, Setup], None]


def _nothing(db: Session, w: World, s: Setup) -> None:
    return None


def _other_holder(db: Session, w: World, s: Setup) -> None:
    db.execute(update(BankAccount).where(BankAccount.id == s.account_id).values(holder_name="王五"))
    db.commit()


def _bank_consent_withdrawn(db: Session, w: World, s: Setup) -> None:
    account = db.get_one(BankAccount, s.account_id)
    system = Principal.system("test")
    for consent in list_consents(db, actor=system, person_id=account.person_id):
        if consent.withdrawn_at is None and "bank" in consent.scope:
            withdraw_consent(db, actor=system, person_id=account.person_id, consent_id=consent.id)
    db.commit()


def _second_own_account(db: Session, w: World, s: Setup) -> None:
    account = db.get_one(BankAccount, s.account_id)
    add_bank_account(
        db,
        person_id=account.person_id,
        holder_name=account.holder_name,
        account_number="6222020200007654326",
    )
    db.commit()


def _only_accident_lines(db: Session, w: World, s: Setup) -> None:
    from claimdesk.thresholds import service as thresholds

    now = thresholds.in_force(db, at=local(f"{DAY}T09:00:00"))
    thresholds.create_version(
        db,
        actor=Principal.system("test"),
        values={name: getattr(now, name) for name in thresholds.AMOUNT_FIELDS},
        skip_survey_lines=sorted(now.skip_survey_lines),
        effective_from=None,
        reason="only accident medical on the automatic path",
        now=local(f"{DAY}T09:00:00"),
        automatic_lines=["accident_medical"],
    )
    db.commit()


SCENARIOS: dict[str, tuple[dict[str, Any], Prepare, str]] = {
    "over the limit": (
        {"bill": bill_with(item("5000.00"), item("300.00"))},
        _nothing,
        "over_limit",
    ),
    "materials missing": (
        {"uploads": ("claim_form", "identity_proof")},
        _nothing,
        "materials_incomplete",
    ),
    "estimate above the survey skip": ({"estimated": "6000.00"}, _nothing, "survey_needed"),
    "inside the waiting period": (
        {"loss_date": "2026-01-10", "bill": {"receipt": {**RECEIPT, "issue_date": "2026-01-10"}}},
        _nothing,
        "waiting_period",
    ),
    "account in another name": ({}, _other_holder, "no_verified_account"),
    "two own accounts": ({}, _second_own_account, "account_ambiguous"),
    # SPEC SEC-6: the bank consent withdrawn (the portal's 我的授权), no automatic payment
    "bank consent withdrawn": ({}, _bank_consent_withdrawn, "no_bank_consent"),
    "line not configured": ({}, _only_accident_lines, "line_not_automatic"),
    "a line the terms remove": (
        {"bill": bill_with(item("500.00"), item("300.00", lv="3", category="cosmetic"))},
        _nothing,
        "lines_removed",
    ),
    "below the deductible": (
        {"bill": bill_with(item("60.00"), item("30.00"))},
        _nothing,
        "nothing_payable",
    ),
}


def _assert_untouched(db: Session, cid: int) -> None:
    """Nothing decided against the customer, nothing half done: the claim is where a
    person finds it (CLM-T2: never reject, never reduce)."""
    db.expire_all()
    # Reported, or held by a check for an investigator (CLM-F1) — never further.
    assert db.get_one(Claim, cid).state in ("reported", "suspended")
    moves = db.scalars(select(ClaimTransition.action).where(ClaimTransition.claim_id == cid)).all()
    assert set(moves) <= {"report", "suspend"} and moves[0] == "report"
    assert db.scalars(select(Payment).where(Payment.claim_id == cid)).first() is None
    assert db.scalars(select(Assessment).where(Assessment.claim_id == cid)).first() is None
    assert (
        db.scalars(select(RejectionNotice).where(RejectionNotice.claim_id == cid)).first() is None
    )
    assert db.scalars(select(DecisionNotice).where(DecisionNotice.claim_id == cid)).first() is None
    steps = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action.in_(("claim.automatic_step", "claim.accept", "claim.adjusted")),
            AuditEntry.entity_id == str(cid),
        )
    ).all()
    assert steps == []


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_each_failed_condition_refers_with_its_reason(
    name, world, clock, setup, db, session_factory
):
    # SPEC CLM-T2: the claim lands in a person's queue with the list of reasons.
    changes, prepare, code = SCENARIOS[name]
    prepare(db, world, setup)
    cid = make_e_bill_claim(world, clock, setup, **changes)
    drain(session_factory)
    decision = ok(world.client.get(f"{API}/claims/{cid}/automatic", headers=world.h["handler"]))
    assert decision["outcome"] == "referred", decision
    codes = [r["code"] for r in decision["reasons"]]
    assert code in codes, codes
    for found in decision["reasons"]:
        assert found["text_zh"] and found["text_en"] and found["text_zh"] != found["text_en"]
    assert decision["payment_id"] is None
    _assert_untouched(db, cid)
    # The customer is told nothing of the reasons.
    mine = ok(world.client.get(f"{API}/claims/{cid}/automatic", headers=world.h["customer"]))
    assert mine["reasons"] == []


def test_paper_materials_and_invoice_photos_stay_with_people(
    world, clock, setup, db, session_factory
):
    # SPEC CLM-T2: complete AND electronic — paper, or an invoice as a photo, refers.
    cid = make_e_bill_claim(world, clock, setup, uploads=("claim_form", "identity_proof"))
    ok(
        world.client.post(
            f"{API}/claims/{cid}/materials/receive",
            json={"code": "medical_record"},
            headers=world.h["handler"],
        )
    )
    upload(world, cid, ("expense_invoices",))
    drain(session_factory)
    decision = ok(world.client.get(f"{API}/claims/{cid}/automatic", headers=world.h["handler"]))
    codes = [r["code"] for r in decision["reasons"]]
    assert "materials_on_paper" in codes and "invoice_not_electronic" in codes
    _assert_untouched(db, cid)


def test_a_major_case_is_referred(world, clock, setup, db, session_factory):
    # SPEC CLM-T2, CLM-R4: not major.
    cid = make_e_bill_claim(world, clock, setup)
    db.execute(update(Claim).where(Claim.id == cid).values(is_major=True))
    db.commit()
    drain(session_factory)
    row = db.scalars(select(AutomaticDecision).where(AutomaticDecision.claim_id == cid)).one()
    assert "major_case" in [r["code"] for r in row.reasons]
    _assert_untouched(db, cid)


def test_the_same_receipt_on_a_second_claim_is_never_paid_twice(
    world, clock, setup, db, session_factory
):
    # SPEC CLM-T2, CLM-F3: the second claim with the same receipt has a check hit and
    # goes to a person; only the first is paid.
    first = make_e_bill_claim(world, clock, setup)
    drain(session_factory)
    clock.set(f"{DAY}T11:00:00")
    second = make_e_bill_claim(world, clock, setup)
    drain(session_factory)
    db.expire_all()
    assert db.get_one(Claim, first).state == "approved"
    row = db.scalars(select(AutomaticDecision).where(AutomaticDecision.claim_id == second)).one()
    assert row.outcome == "referred"
    assert any(r["code"].startswith("check_hit:") for r in row.reasons), row.reasons
    assert db.scalars(select(Payment).where(Payment.claim_id == second)).first() is None


def test_a_claim_a_person_took_up_is_left_to_them(world, clock, setup, db, session_factory):
    # SPEC CLM-T2: the automatic path starts only where no person has worked yet.
    cid = make_e_bill_claim(world, clock, setup, uploads=("claim_form", "identity_proof"))
    drain(session_factory)
    upload(world, cid, ("medical_record",))
    ok(
        world.client.post(
            f"{API}/claims/{cid}/accept", json={"reason": "材料齐全"}, headers=world.h["handler"]
        )
    )
    submit_bill(world, cid, bill_with(item("100.00"), number="0020000002"))
    drain(session_factory)
    db.expire_all()
    assert db.get_one(Claim, cid).state == "accepted"
    assert db.scalars(select(Payment).where(Payment.claim_id == cid)).first() is None


def test_a_refused_step_undoes_every_step_before_it(
    world, clock, setup, db, session_factory, monkeypatch
):
    # SPEC CLM-T2, GEN-5: a step refused half-way (here the payment) leaves no accepted,
    # assessed or approved claim behind and no audit entry of the undone steps.
    from claimdesk.claims.automatic import service
    from claimdesk.claims.settlement.errors import NotPayable

    def refuse(*args: object, **kwargs: object) -> None:
        raise NotPayable(state="approved", what="赔付 / the payment")

    monkeypatch.setattr(service.payments, "request_payment", refuse)
    cid = make_e_bill_claim(world, clock, setup)
    drain(session_factory)
    row = db.scalars(select(AutomaticDecision).where(AutomaticDecision.claim_id == cid)).one()
    assert row.outcome == "referred"
    assert [r["code"] for r in row.reasons] == ["step_refused:not_payable"]
    assert row.reasons[0]["text_en"].startswith("An automatic step was refused")
    _assert_untouched(db, cid)


def test_referred_claims_wait_in_the_handlers_queue_with_their_reasons(
    world, clock, setup, db, session_factory
):
    # SPEC CLM-T2: the person's queue lists the referred claim and why; once a person
    # takes it up it leaves this list.
    cid = make_e_bill_claim(world, clock, setup, estimated="6000.00")
    drain(session_factory)
    queue = ok(world.client.get(f"{API}/automatic/referred", headers=world.h["handler"]))
    assert [i["claim_id"] for i in queue["items"]] == [cid]
    assert [r["code"] for r in queue["items"][0]["reasons"]] == ["survey_needed"]
    assert (
        world.client.get(f"{API}/automatic/referred", headers=world.h["customer"]).status_code
        == 403
    )
    ok(
        world.client.post(
            f"{API}/claims/{cid}/accept", json={"reason": "材料齐全"}, headers=world.h["handler"]
        )
    )
    queue = ok(world.client.get(f"{API}/automatic/referred", headers=world.h["handler"]))
    assert queue["items"] == [] and queue["total"] == 0


def _terminate(db: Session, setup: Setup, *, on: str, status: str = "terminated") -> None:
    from claimdesk.models.policy import Policy

    policy = db.scalars(select(Policy).where(Policy.number == setup.policy_number)).one()
    policy.status, policy.terminated_on = status, dt.date.fromisoformat(on)
    db.commit()


def test_a_claim_after_the_policys_termination_is_never_paid_automatically(
    world, clock, setup, db, session_factory
):
    # SPEC CLM-T2, POL-3, CLM-F3: surrendered with effect from 2026-09-01, the loss on
    # 2026-09-28 and its bill on the 29th are outside the cover: a person gets the claim
    # with every reason in words — the termination with its day, the automatic path's
    # own cover condition naming both days, and the outside_period check's hit.
    _terminate(db, setup, on="2026-09-01")
    cid = make_e_bill_claim(world, clock, setup)
    drain(session_factory)
    decision = ok(world.client.get(f"{API}/claims/{cid}/automatic", headers=world.h["handler"]))
    assert decision["outcome"] == "referred" and decision["payment_id"] is None
    reasons = {r["code"]: r for r in decision["reasons"]}
    assert {"policy_terminated", "after_termination", "check_hit:outside_period"} <= set(reasons)
    assert "not_in_force" not in reasons  # the period alone covers the day
    # SPEC GEN-2 GEN-6: dates as the reader writes them, not ISO
    assert reasons["policy_terminated"]["text_zh"] == "保单已解除，自 2026年9月1日 起不再承保"
    assert reasons["after_termination"]["text_en"] == (
        "Date of loss or treatment 28 Sep 2026 is on or after the day the policy's "
        "termination took effect (1 Sep 2026): not covered"
    )
    assert "2026年9月1日" in reasons["check_hit:outside_period"]["text_zh"]
    _assert_untouched(db, cid)


def test_the_automatic_paths_own_cover_condition_reads_the_termination(
    world, clock, setup, db, session_factory
):
    # SPEC CLM-T2, POL-3: with no check to catch it and the policy's state not (yet)
    # terminated, a termination's effective day still ends the cover the path pays
    # under (rules.cover) — its own condition, not only the check's, refers the claim.
    from tests.checks.helpers import only_checks

    only_checks(db)
    _terminate(db, setup, on="2026-09-28", status="in_force")  # the loss's own day
    cid = make_e_bill_claim(world, clock, setup)
    drain(session_factory)
    decision = ok(world.client.get(f"{API}/claims/{cid}/automatic", headers=world.h["handler"]))
    assert decision["outcome"] == "referred"
    assert [r["code"] for r in decision["reasons"]] == ["after_termination"]
    assert "2026年9月28日" in decision["reasons"][0]["text_zh"]
    _assert_untouched(db, cid)
    # The day after the loss: covered, paid as any other claim.
    _terminate(db, setup, on="2026-09-30", status="in_force")
    clock.set(f"{DAY}T11:00:00")
    paid = make_e_bill_claim(
        world, clock, setup, bill=bill_with(item("800.00"), number="0020000009")
    )
    drain(session_factory)
    db.expire_all()
    assert db.get_one(Claim, paid).state == "approved"


def test_the_bank_consent_given_back_lets_the_automatic_path_pay(
    world, clock, setup, db, session_factory
):
    # SPEC SEC-6 CLM-T2: withdrawn, the claim is referred (no_bank_consent); given back by
    # the customer (POST /me/consents), the next claim is paid without a person.
    _bank_consent_withdrawn(db, world, setup)
    referred = make_e_bill_claim(world, clock, setup)
    drain(session_factory)
    first = ok(world.client.get(f"{API}/claims/{referred}/automatic", headers=world.h["handler"]))
    assert "no_bank_consent" in [r["code"] for r in first["reasons"]]
    given = world.client.post(
        f"{API}/me/consents",
        json={"purpose": "claims_handling", "scope": ["identity", "bank"]},
        headers=world.h["customer"],
    )
    assert given.status_code == 201, given.text
    paid = make_e_bill_claim(
        world, clock, setup, bill=bill_with(item("800.00"), number="0020000002")
    )
    drain(session_factory)
    second = ok(world.client.get(f"{API}/claims/{paid}/automatic", headers=world.h["handler"]))
    assert "no_bank_consent" not in [r["code"] for r in second["reasons"]]
    assert second["outcome"] == "paid", second
