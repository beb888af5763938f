"""The quality sample of automatic payments (SPEC CLM-T3): a configured share, chosen
by the claim number's hash, goes to tier-1 reviewers after payment; a disagreement
corrects the decision with a top-up payment or a recovery and counts against the rule
set version."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims.automatic.service import in_sample
from claimdesk.models.automatic import SampleVerdict
from claimdesk.models.claim import AdjustmentResult
from claimdesk.models.payment import Payment, Recovery
from tests.claims.automatic.helpers import (
    API,
    DAY,
    PAYABLE,
    Setup,
    drain,
    make_e_bill_claim,
    ok,
    small_policy,
)
from tests.claims.helpers import FrozenClock, World, local


def _share(db: Session, share: str) -> None:
    from claimdesk.thresholds import service as thresholds

    at = local(f"{DAY}T09:00:00")
    now = thresholds.in_force(db, at=at)
    thresholds.create_version(
        db,
        actor=Principal.system("test"),
        values={name: getattr(now, name) for name in thresholds.AMOUNT_FIELDS},
        skip_survey_lines=sorted(now.skip_survey_lines),
        effective_from=None,
        reason="sample everything for the test",
        now=at,
        sample_share=Decimal(share),
    )
    db.commit()


@pytest.fixture
def paid(db: Session, world: World, clock: FrozenClock, session_factory) -> int:
    """An automatically paid claim that the sample (share 100%) selects."""
    setup: Setup = small_policy(db, world)
    _share(db, "1")
    cid = make_e_bill_claim(world, clock, setup)
    drain(session_factory)
    return cid


def test_the_share_is_kept_and_the_choice_is_reproducible():
    # SPEC CLM-T3: a hash of the claim number against the share — the same claims every
    # time, about the configured share of them, none at 0, all at 1.
    numbers = [f"BA20260930{n:06d}" for n in range(20000)]
    chosen = [n for n in numbers if in_sample(number=n, share=Decimal("0.05"))]
    assert 0.045 <= len(chosen) / len(numbers) <= 0.055
    assert chosen == [n for n in numbers if in_sample(number=n, share=Decimal("0.05"))]
    assert not any(in_sample(number=n, share=Decimal("0")) for n in numbers[:500])
    assert all(in_sample(number=n, share=Decimal("1")) for n in numbers[:500])
    # A larger share keeps every claim a smaller one chose (monotone in the share).
    assert set(chosen) <= {n for n in numbers if in_sample(number=n, share=Decimal("0.10"))}


def test_sampled_payment_reaches_tier_1_and_an_agreement_changes_nothing(world, paid, db):
    # SPEC CLM-T3
    queue = ok(world.client.get(f"{API}/automatic/sample", headers=world.h["supervisor"]))
    assert [item["claim_id"] for item in queue["items"]] == [paid]
    assert queue["items"][0]["amount"] == PAYABLE and queue["total"] == 1
    # Only a claims supervisor (tier 1) gives verdicts.
    assert (
        world.client.get(f"{API}/automatic/sample", headers=world.h["handler"]).status_code == 403
    )
    refused = world.client.post(
        f"{API}/claims/{paid}/automatic/verdict", json={"agrees": True}, headers=world.h["adjuster"]
    )
    assert refused.status_code == 403
    verdict = ok(
        world.client.post(
            f"{API}/claims/{paid}/automatic/verdict",
            json={"agrees": True},
            headers={**world.h["supervisor"], "Idempotency-Key": "verdict-1"},
        ),
        201,
    )
    assert verdict["correction"] == "none" and verdict["difference"] == "0.00"
    again = world.client.post(
        f"{API}/claims/{paid}/automatic/verdict",
        json={"agrees": True},
        headers={**world.h["supervisor"], "Idempotency-Key": "verdict-1"},
    )
    assert again.status_code == 201 and again.json() == verdict
    twice = world.client.post(
        f"{API}/claims/{paid}/automatic/verdict",
        json={"agrees": True},
        headers=world.h["supervisor"],
    )
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "automatic_sample_already_reviewed"
    assert len(db.scalars(select(SampleVerdict)).all()) == 1
    assert (
        ok(world.client.get(f"{API}/automatic/sample", headers=world.h["supervisor"]))["items"]
        == []
    )
    agreement = ok(world.client.get(f"{API}/automatic/agreement", headers=world.h["supervisor"]))
    assert [(a["verdicts"], a["agreed"], a["disagreed"]) for a in agreement] == [(1, 1, 0)]


def test_a_higher_amount_opens_a_top_up_payment(world, paid, db):
    # SPEC CLM-T3, CLM-P5: the difference is paid on top, once, to the same account.
    missing = world.client.post(
        f"{API}/claims/{paid}/automatic/verdict",
        json={"agrees": False},
        headers=world.h["supervisor"],
    )
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "amount"
    verdict = ok(
        world.client.post(
            f"{API}/claims/{paid}/automatic/verdict",
            json={"agrees": False, "amount": "500.00", "reason": "乙类药品自付比例应为 0"},
            headers=world.h["supervisor"],
        ),
        201,
    )
    assert verdict["correction"] == "top_up" and verdict["difference"] == "80.00"
    payments = db.scalars(
        select(Payment).where(Payment.claim_id == paid).order_by(Payment.id)
    ).all()
    assert [(p.kind, p.amount) for p in payments] == [
        ("indemnity", Decimal(PAYABLE)),
        ("top_up", Decimal("80.00")),
    ]
    assert payments[1].bank_account_id == payments[0].bank_account_id
    assert verdict["correction_payment_id"] == payments[1].id
    current = db.scalars(
        select(AdjustmentResult).where(
            AdjustmentResult.claim_id == paid, AdjustmentResult.current.is_(True)
        )
    ).one()
    assert current.payable == Decimal("500.00") and current.signed_by == "supervisor"
    agreement = ok(world.client.get(f"{API}/automatic/agreement", headers=world.h["supervisor"]))
    assert [(a["verdicts"], a["agreed"], a["disagreed"]) for a in agreement] == [(1, 0, 1)]
    decision = ok(world.client.get(f"{API}/claims/{paid}/automatic", headers=world.h["supervisor"]))
    assert decision["verdict"]["correction"] == "top_up"


def test_a_lower_amount_opens_a_recovery(world, paid, db):
    # SPEC CLM-T3, CLM-P5: what was paid above the corrected decision is recovered.
    verdict = ok(
        world.client.post(
            f"{API}/claims/{paid}/automatic/verdict",
            json={"agrees": False, "amount": "400.00", "reason": "一项检查重复收费"},
            headers=world.h["supervisor"],
        ),
        201,
    )
    assert verdict["correction"] == "recovery" and verdict["difference"] == "-20.00"
    recovery = db.get_one(Recovery, verdict["recovery_id"])
    assert recovery.amount == Decimal("20.00") and recovery.kind == "overpayment"
    assert len(db.scalars(select(Payment).where(Payment.claim_id == paid)).all()) == 1


def test_a_claim_outside_the_sample_takes_no_verdict(world, clock, db, session_factory):
    # SPEC CLM-T3: share 0 — nothing sampled, the verdict is refused.
    setup = small_policy(db, world)
    _share(db, "0")
    cid = make_e_bill_claim(world, clock, setup)
    drain(session_factory)
    decision = ok(world.client.get(f"{API}/claims/{cid}/automatic", headers=world.h["supervisor"]))
    assert decision["outcome"] == "paid" and decision["sampled"] is False
    refused = world.client.post(
        f"{API}/claims/{cid}/automatic/verdict",
        json={"agrees": True},
        headers=world.h["supervisor"],
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "automatic_not_in_sample"


def _terminated_on_the_loss_date(db: Session, paid: int) -> None:
    """The paid claim's policy terminated (POL-3) with effect on its date of loss
    (2026-09-28), recorded after the automatic payment."""
    import datetime as dt

    from claimdesk.models.claim import Claim
    from claimdesk.models.policy import Policy

    policy = db.get_one(Policy, db.get_one(Claim, paid).policy_id)
    policy.status, policy.terminated_on = "terminated", dt.date(2026, 9, 28)
    db.commit()


@pytest.mark.parametrize("amount", ["500.00", "400.00"])
def test_a_correction_paying_on_a_loss_after_the_termination_is_refused(world, paid, db, amount):
    # SPEC CLM-T3, CLM-C1, POL-3: the correction is a signed decision judged as the
    # adjuster's is, against the policy as it stands now: a top-up or a smaller payment
    # on a loss the termination left uncovered is refused naming both days, nothing
    # written (no correction, no verdict, no payment)
    _terminated_on_the_loss_date(db, paid)
    body = {"agrees": False, "amount": amount, "reason": "复核"}
    refused = world.client.post(
        f"{API}/claims/{paid}/automatic/verdict", json=body, headers=world.h["supervisor"]
    )
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["field"]) == ("correction_pays_after_termination", "amount")
    assert "出险日期 2026年9月28日 在保单解除生效日 2026年9月28日 当日或之后" in error["message"]
    english = world.client.post(
        f"{API}/claims/{paid}/automatic/verdict?lang=en", json=body, headers=world.h["supervisor"]
    ).json()["error"]["message"]
    assert "28 Sep 2026" in english and "correct the amount to 0.00" in english
    db.expire_all()
    assert db.scalars(select(SampleVerdict)).all() == []
    current = db.scalars(
        select(AdjustmentResult).where(
            AdjustmentResult.claim_id == paid, AdjustmentResult.current.is_(True)
        )
    ).all()
    assert [a.payable for a in current] == [Decimal(PAYABLE)]
    assert len(db.scalars(select(Payment).where(Payment.claim_id == paid)).all()) == 1


def test_a_correction_to_nothing_recovers_the_payment_on_a_terminated_policy(world, paid, db):
    # SPEC CLM-T3, CLM-P5, POL-3: correcting the decision to 0.00 pays nothing — it is
    # taken, and everything paid is recovered
    _terminated_on_the_loss_date(db, paid)
    verdict = ok(
        world.client.post(
            f"{API}/claims/{paid}/automatic/verdict",
            json={"agrees": False, "amount": "0.00", "reason": "出险日保单已解除"},
            headers=world.h["supervisor"],
        ),
        201,
    )
    assert verdict["correction"] == "recovery" and verdict["difference"] == f"-{PAYABLE}"
    assert db.get_one(Recovery, verdict["recovery_id"]).amount == Decimal(PAYABLE)


def _period_starting_after_the_loss(db: Session, paid: int) -> None:
    """The paid claim's policy period corrected, after the payment, to start the day
    after its date of loss (2026-09-28)."""
    import datetime as dt

    from claimdesk.models.claim import Claim
    from claimdesk.models.policy import Policy

    policy = db.get_one(Policy, db.get_one(Claim, paid).policy_id)
    policy.period_start = dt.date(2026, 9, 29)
    db.commit()


@pytest.mark.parametrize(
    ("uncover", "code", "zh", "en"),
    [
        (
            _terminated_on_the_loss_date,
            "automatic_agreement_after_termination",
            "出险日期 2026年9月28日 在保单解除生效日 2026年9月28日 当日或之后",
            "took effect (28 Sep 2026)",
        ),
        (
            _period_starting_after_the_loss,
            "automatic_agreement_outside_period",
            "出险日期 2026年9月28日 不在保险期间（2026年9月29日 至",
            "outside the policy period (29 Sep 2026 to",
        ),
    ],
    ids=["terminated", "outside-period"],
)
def test_agreeing_with_a_payment_on_a_loss_no_longer_covered_is_refused(
    world, paid, db, uncover, code, zh, en
):
    # SPEC CLM-T3, CLM-V2, POL-3: agreeing signs the automatic payment again, judged
    # against the policy as it stands now: on a loss it no longer covers the tier-1
    # reviewer's agreement is refused 409 naming the dates and pointing to a correction
    # to 0.00, nothing written; that correction is then taken and recovers the payment
    uncover(db, paid)
    url = f"{API}/claims/{paid}/automatic/verdict"
    refused = world.client.post(url, json={"agrees": True}, headers=world.h["supervisor"])
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["field"]) == (code, "agrees")
    assert zh in error["message"] and "核定金额填 0.00" in error["message"]
    english = world.client.post(
        f"{url}?lang=en", json={"agrees": True}, headers=world.h["supervisor"]
    ).json()["error"]["message"]
    assert en in english and "disagree with 0.00" in english
    db.expire_all()
    assert db.scalars(select(SampleVerdict)).all() == []
    body = {"agrees": False, "amount": "0.00", "reason": "出险日保单不再承保"}
    verdict = ok(world.client.post(url, json=body, headers=world.h["supervisor"]), 201)
    assert verdict["correction"] == "recovery"
    assert db.get_one(Recovery, verdict["recovery_id"]).amount == Decimal(PAYABLE)
