"""What a claim's decision still owes (CLM-P5): the decision less every earlier payment.

Apart from ``service`` so that the decision notices, which state the plan, and the
payment service, which issues a notice with each indemnity payment, need not import
each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from claimdesk.claims.settlement.adjustment import current_adjustments
from claimdesk.models.claim import Claim
from claimdesk.payments import repository

# Payments that count as paid on the claim: paid, or on their way (a failed payment is
# exported again in a new batch, so it is still owed).
COUNTED = ("pending", "exported", "paid", "failed")


@dataclass(frozen=True)
class Plan:
    """CLM-P5: the new decision against everything already paid on the claim."""

    payable: Decimal  # the decision (current adjustments)
    already_paid: Decimal  # indemnity and advances, paid or in flight
    allocations: dict[str, str]  # the difference by coverage (positive parts)

    @property
    def difference(self) -> Decimal:
        return self.payable - self.already_paid


def indemnity_plan(session: Session, claim: Claim) -> Plan:
    """The decision less every earlier payment (indemnity of earlier approvals and
    advances), split by coverage; a coverage paid above its new figure reduces what the
    others receive, so the total never exceeds the decision."""
    decided = {code: a.payable for code, a in current_adjustments(session, claim.id).items()}
    counted = [p for p in repository.payments_of(session, claim_id=claim.id) if p.status in COUNTED]
    paid: dict[str, Decimal] = {}
    for payment in counted:
        for code, part in payment.allocations.items():
            paid[code] = paid.get(code, Decimal("0.00")) + Decimal(part)
    payable = sum(decided.values(), Decimal("0.00"))
    already = sum((p.amount for p in counted), Decimal("0.00"))
    positive = {
        code: amount - paid.get(code, Decimal("0.00"))
        for code, amount in decided.items()
        if amount - paid.get(code, Decimal("0.00")) > 0
    }
    excess = sum(positive.values(), Decimal("0.00")) - max(payable - already, Decimal("0.00"))
    for code in sorted(positive):
        trim = min(excess, positive[code])
        positive[code] -= trim
        excess -= trim
    return Plan(
        payable=payable,
        already_paid=already,
        allocations={code: str(amount) for code, amount in positive.items() if amount > 0},
    )
