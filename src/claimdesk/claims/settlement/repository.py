"""Settlement queries: what earlier paid claims of the same policy already used of each
coverage (the ADJ-* accumulators), read by adjustment and by the reserves' remaining
limit. Here, not in adjustment, so reserves and adjustment need not import each other."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.claim import AdjustmentResult, Claim
from claimdesk.models.payment import Payment
from claimdesk.models.product import Coverage
from claimdesk.models.review import ReviewRound
from claimdesk.rules.adjudication import types as t


def paid_claims() -> Any:
    return select(Payment.claim_id).where(Payment.status == "paid")


def earlier_results(
    session: Session,
    claim: Claim,
    *,
    coverage_code: str | None = None,
    coverage_type: str | None = None,
) -> list[AdjustmentResult]:
    query = (
        select(AdjustmentResult)
        .join(Claim, Claim.id == AdjustmentResult.claim_id)
        .where(
            Claim.policy_id == claim.policy_id,
            Claim.id != claim.id,
            Claim.id.in_(paid_claims()),
            AdjustmentResult.current.is_(True),
        )
    )
    if coverage_code:
        query = query.where(AdjustmentResult.coverage_code == coverage_code)
    if coverage_type:
        query = query.where(AdjustmentResult.coverage_type == coverage_type)
    return list(session.scalars(query))


def history_for(session: Session, claim: Claim, coverage: Coverage) -> t.History:
    """Accumulators of ADJ-*: per policy (a policy is one policy year; a renewal is a new
    policy) for medical, per policy life otherwise."""
    earlier = earlier_results(session, claim, coverage_code=coverage.code)
    paid = sum((a.payable for a in earlier), Decimal("0.00"))
    deductible_used = sum(
        (
            a.deductible or Decimal("0.00")
            for a in earlier
            if a.coverage_type in ("medical", "accident_medical")
        ),
        Decimal("0.00"),
    )
    disability_paid = sum(
        (a.payable for a in earlier_results(session, claim, coverage_type="accident_disability")),
        Decimal("0.00"),
    )
    codes = [
        [step.get("code") for step in a.trace]
        for a in earlier
        if a.coverage_type == "critical_illness"
    ]
    return t.History(
        paid=paid,
        deductible_used=min(deductible_used, paid + deductible_used),
        disability_paid=disability_paid,
        severe_paid=any("CI.SEVERE" in c for c in codes),
        mild_paid_count=sum(1 for c in codes if "CI.MILD" in c),
    )


def rounds_of(session: Session, claim_id: int) -> list[ReviewRound]:
    return list(
        session.scalars(
            select(ReviewRound).where(ReviewRound.claim_id == claim_id).order_by(ReviewRound.round)
        )
    )
