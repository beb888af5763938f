"""Recoveries (FIN-2): salvage (残值) and subrogation (代位求偿) on property and
liability claims, recorded against the claim; they reduce its net cost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil
from claimdesk.claims.settlement import repository
from claimdesk.claims.settlement.errors import RecoveryLineNotAllowed, RecoveryNotYet
from claimdesk.errors import ValidationFailed
from claimdesk.models.claim import Claim
from claimdesk.models.payment import Recovery

RECOVERY_LINES = ("property", "liability")
CENT = Decimal("0.01")


def record_recovery(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    kind: str,
    amount: Decimal,
    counterparty: str,
    received_on: dt.date,
    note: str | None,
) -> Recovery:
    if claim.line not in RECOVERY_LINES:
        raise RecoveryLineNotAllowed(field="kind")
    if amount <= 0 or amount != amount.quantize(CENT):
        raise ValidationFailed(field="amount")
    if paid_total(session, claim.id) == 0:
        raise RecoveryNotYet(state=claim.state)
    at = timeutil.now()
    recovery = Recovery(
        claim_id=claim.id,
        kind=kind,
        amount=amount,
        counterparty=counterparty.strip(),
        received_on=received_on,
        note=note,
        recorded_by_id=actor.user_id,
        recorded_at=at,
    )
    session.add(recovery)
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.recovery_recorded",
        entity_type="claim",
        entity_id=claim.id,
        at=at,
        details={"recovery_id": recovery.id, "kind": kind, "amount": str(amount)},
    )
    return recovery


def paid_total(session: Session, claim_id: int) -> Decimal:
    amounts = repository.paid_amounts(session, claim_id=claim_id)
    return sum(amounts, Decimal("0.00"))


def recoveries_of(session: Session, claim_id: int) -> list[Recovery]:
    return repository.of_claim(session, model=Recovery, claim_id=claim_id, order_by=[Recovery.id])


def net_cost(session: Session, claim_id: int) -> dict[str, Decimal]:
    paid = paid_total(session, claim_id)
    recovered = sum((r.amount for r in recoveries_of(session, claim_id)), Decimal("0.00"))
    return {"paid": paid, "recovered": recovered, "net": paid - recovered}
