"""Queries of the payments domain: who may be paid on a claim, the claim's payments, the
bank batches and their attempts, and the row locks payments take (always claims by id,
then payments by id, so two batches never wait on each other in a circle)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.claim import Claim
from claimdesk.models.job import OutboxMessage
from claimdesk.models.payment import (
    PayeeAuthorisation,
    Payment,
    PaymentAnswerConflict,
    PaymentAttempt,
    PaymentBatch,
)
from claimdesk.models.policy import PolicyBeneficiary
from claimdesk.models.review import RejectionNotice, ReviewRound
from claimdesk.paging import PageRequest, Slice, fetch


def beneficiary_ids(session: Session, *, policy_id: int) -> list[int]:
    """The people named as beneficiaries of the policy, in the policy's order."""
    query = (
        select(PolicyBeneficiary.person_id)
        .where(PolicyBeneficiary.policy_id == policy_id)
        .order_by(PolicyBeneficiary.position)
    )
    return list(session.scalars(query))


def is_beneficiary(session: Session, *, policy_id: int, person_id: int) -> bool:
    query = select(PolicyBeneficiary.id).where(
        PolicyBeneficiary.policy_id == policy_id, PolicyBeneficiary.person_id == person_id
    )
    return session.scalar(query) is not None


def authorised_payee_ids(session: Session, *, claim_id: int) -> list[int]:
    """The payees authorised on the claim by a document on file, first recorded first."""
    query = (
        select(PayeeAuthorisation.payee_person_id)
        .where(PayeeAuthorisation.claim_id == claim_id)
        .order_by(PayeeAuthorisation.id)
    )
    return list(session.scalars(query))


def authorisation_for(
    session: Session, *, claim_id: int, payee_person_id: int, authorisation_id: int | None
) -> PayeeAuthorisation | None:
    query = select(PayeeAuthorisation).where(
        PayeeAuthorisation.claim_id == claim_id,
        PayeeAuthorisation.payee_person_id == payee_person_id,
    )
    if authorisation_id is not None:
        query = query.where(PayeeAuthorisation.id == authorisation_id)
    return session.scalars(query.order_by(PayeeAuthorisation.id)).first()


def by_key(session: Session, *, key: str) -> Payment | None:
    return session.scalars(select(Payment).where(Payment.idempotency_key == key)).one_or_none()


def payments_of(session: Session, *, claim_id: int) -> list[Payment]:
    query = select(Payment).where(Payment.claim_id == claim_id).order_by(Payment.id)
    return list(session.scalars(query))


def approvals(session: Session, *, claim_id: int) -> int:
    """How many review rounds approved the claim (an indemnity is owed per approval)."""
    query = (
        select(func.count())
        .select_from(ReviewRound)
        .where(ReviewRound.claim_id == claim_id, ReviewRound.status == "approved")
    )
    return int(session.scalar(query) or 0)


def payment_in_sequence(
    session: Session, *, claim_id: int, kind: str, sequence: int
) -> Payment | None:
    """The live payment (not cancelled) of this claim, kind and sequence."""
    query = select(Payment).where(
        Payment.claim_id == claim_id,
        Payment.kind == kind,
        Payment.sequence == sequence,
        Payment.status != "cancelled",
    )
    return session.scalars(query).first()


def first_of_kind(session: Session, *, claim_id: int, kind: str) -> Payment | None:
    """The claim's first live payment (not cancelled) of this kind."""
    query = select(Payment).where(
        Payment.claim_id == claim_id, Payment.kind == kind, Payment.status != "cancelled"
    )
    return session.scalars(query.order_by(Payment.id)).first()


def last_sequence(session: Session, *, claim_id: int, kind: str) -> int:
    query = select(func.max(Payment.sequence)).where(
        Payment.claim_id == claim_id, Payment.kind == kind
    )
    return int(session.scalar(query) or 0)


def lock_claims(session: Session, *, claim_ids: Sequence[int]) -> dict[int, Claim]:
    rows = session.scalars(
        select(Claim)
        .where(Claim.id.in_(sorted(set(claim_ids))))
        .order_by(Claim.id)
        .with_for_update(of=Claim)
        .execution_options(populate_existing=True)
    )
    return {c.id: c for c in rows}


def lock_payments(session: Session, *, payment_ids: Sequence[int]) -> list[Payment]:
    query = (
        select(Payment)
        .where(Payment.id.in_(sorted(set(payment_ids))))
        .order_by(Payment.id)
        .with_for_update(of=Payment)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def exportable(session: Session, *, payment_ids: Sequence[int] | None) -> list[tuple[int, int]]:
    """(payment id, claim id) of the pending and failed transfers (of these, if named);
    a cash/offline payment is handed over, never sent to the bank (CLM-P3)."""
    query = select(Payment.id, Payment.claim_id).where(
        Payment.status.in_(("pending", "failed")), Payment.means != "offline"
    )
    if payment_ids:
        query = query.where(Payment.id.in_(payment_ids))
    return [
        (payment_id, claim_id)
        for payment_id, claim_id in session.execute(query.order_by(Payment.id))
    ]


def attempts_of_batch(
    session: Session, *, batch_id: int, for_update: bool = False
) -> list[PaymentAttempt]:
    query = select(PaymentAttempt).where(PaymentAttempt.batch_id == batch_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    else:
        query = query.order_by(PaymentAttempt.payment_id)
    return list(session.scalars(query))


def batch_for_update(session: Session, *, batch_id: int) -> PaymentBatch | None:
    query = select(PaymentBatch).where(PaymentBatch.id == batch_id).with_for_update()
    return session.scalars(query).one_or_none()


def claim_ids_of_payments(session: Session, *, payment_ids: Sequence[int]) -> list[int]:
    query = select(Payment.claim_id).where(Payment.id.in_(list(payment_ids)))
    return list(session.scalars(query))


def answer_conflict(
    session: Session, *, attempt_id: int, answered_reference: str
) -> PaymentAnswerConflict | None:
    query = select(PaymentAnswerConflict).where(
        PaymentAnswerConflict.attempt_id == attempt_id,
        PaymentAnswerConflict.answered_reference == answered_reference,
    )
    return session.scalars(query).one_or_none()


def answer_conflicts_of_batch(session: Session, *, batch_id: int) -> list[PaymentAnswerConflict]:
    query = (
        select(PaymentAnswerConflict)
        .where(PaymentAnswerConflict.batch_id == batch_id)
        .order_by(PaymentAnswerConflict.id)
    )
    return list(session.scalars(query))


def paid_transfers(
    session: Session, *, after: int, limit: int
) -> list[tuple[int, str, Decimal, str, dt.datetime | None, int | None, str | None]]:
    """(payment id, claim number, amount, means, paid at, batch id, bank reference) of the
    paid transfers after payment ``after``, by id. Named columns, not ORM rows, so the
    voucher report runs on a schema from before later migrations (e.g. 0050)."""
    query = (
        select(
            Payment.id,
            Claim.number,
            Payment.amount,
            Payment.means,
            Payment.paid_at,
            Payment.batch_id,
            Payment.bank_reference,
        )
        .join(Claim, Claim.id == Payment.claim_id)
        .where(Payment.status == "paid", Payment.means != "offline", Payment.id > after)
        .order_by(Payment.id)
        .limit(limit)
    )
    return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def batches_page(session: Session, *, request: PageRequest) -> Slice[PaymentBatch]:
    """The bank batches, the latest first."""
    return fetch(session, select(PaymentBatch).order_by(PaymentBatch.id.desc()), request)


def batch_lines(session: Session, *, batch_id: int) -> list[tuple[PaymentAttempt, Payment, Claim]]:
    """Each line of the batch: its attempt (the bank's answer), payment and claim."""
    query = (
        select(PaymentAttempt, Payment, Claim)
        .join(Payment, Payment.id == PaymentAttempt.payment_id)
        .join(Claim, Claim.id == Payment.claim_id)
        .where(PaymentAttempt.batch_id == batch_id)
        .order_by(PaymentAttempt.payment_id)
    )
    return [(a, p, c) for a, p, c in session.execute(query)]


def rejection_notices_sent(session: Session) -> list[tuple[RejectionNotice, OutboxMessage]]:
    """Rejection notices whose message the outbox has sent but that are not marked sent
    yet, with their message; locked (``SKIP LOCKED``: two workers take different ones)."""
    rows = session.execute(
        select(RejectionNotice, OutboxMessage)
        .join(OutboxMessage, OutboxMessage.id == RejectionNotice.outbox_message_id)
        .where(RejectionNotice.sent_at.is_(None), OutboxMessage.status == "sent")
        .with_for_update(of=RejectionNotice, skip_locked=True)
    )
    return [(notice, message) for notice, message in rows]
