"""What the API and the pages show of a claim's review, payments and callbacks: read
models built from the settlement services (no write, no audit entry)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from claimdesk.claims import timeutil
from claimdesk.claims.settlement import closing, review
from claimdesk.claims.settlement import repository as settlement_repository
from claimdesk.clocks.schemas import ClockOut
from claimdesk.models.claim import Claim
from claimdesk.models.clock import Clock
from claimdesk.models.payment import Callback, Payment
from claimdesk.payments import service
from claimdesk.payments.schemas import CallbackOut, DecisionOut, PaymentOut, ReviewOut, RoundOut
from claimdesk.rules.deadlines import local_date


def payment_out(payment: Payment) -> PaymentOut:
    return PaymentOut(
        id=payment.id,
        claim_id=payment.claim_id,
        kind=payment.kind,
        sequence=payment.sequence,
        idempotency_key=payment.idempotency_key,
        amount=payment.amount,
        allocations=payment.allocations,
        means=payment.means,
        payee_name=payment.payee_name,
        payee_basis=payment.payee_basis,
        account_masked=service.mask_account(last4=payment.account_last4),
        status=payment.status,
        batch_id=payment.batch_id,
        attempts=payment.attempts,
        expected_arrival=payment.expected_arrival,
        paid_at=payment.paid_at,
        bank_reference=payment.bank_reference,
        failure_reason=payment.failure_reason,
        offline_reason=payment.offline_reason,
        payee_id_last4=payment.payee_id_last4,
        receipt_file_id=payment.receipt_file_id,
    )


def payments_out(session: Session, claim_id: int) -> list[PaymentOut]:
    return [payment_out(p) for p in service.payments_of(session, claim_id=claim_id)]


def review_out(session: Session, claim_id: int) -> ReviewOut:
    claim = session.get(Claim, claim_id)
    assert claim is not None
    current = review.open_round(session, claim.id)
    next_tier, proposal = (None, None) if current is None else review.next_step(session, current)
    notice = review.notice_of(session, claim.id)
    labels = review.CHECKLIST_LABELS
    return ReviewOut(
        claim_id=claim.id,
        state=claim.state,
        rounds=[
            RoundOut.model_validate(r)
            for r in settlement_repository.rounds_of(session, claim_id=claim.id)
        ],
        decisions=[
            DecisionOut.model_validate(d) for d in review.decisions_of(session, claim_id=claim.id)
        ],
        next_tier=next_tier,
        answering_rejection_of_tier=None if proposal is None else proposal.tier,
        checklist_items={k: list(v) for k, v in labels.items()},
        # POL-6: shown with every review, so a non-disclosure rejection is seen coming.
        incontestability=review.incontestability_of(session, claim, local_date(timeutil.now())),
        rejection_notice_id=None if notice is None else notice.id,
    )


def callback_out(session: Session, callback: Callback, language: str = "zh-CN") -> CallbackOut:
    out = CallbackOut.model_validate(callback)
    if callback.clock_id is not None:
        clock = session.get(Clock, callback.clock_id)
        out.due_at = None if clock is None else clock.due_at
        out.clock = None if clock is None else ClockOut.of(clock, language).model_dump(mode="json")
    return out


def callbacks_out(session: Session, claim_id: int, language: str) -> list[CallbackOut]:
    return [callback_out(session, c, language) for c in closing.callbacks_of(session, claim_id)]
