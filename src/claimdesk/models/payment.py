"""Claim payments (赔付, CLM-P1..P5), bank batches, payee authorisations, callbacks
(回访, CLM-X2), the closing archive (CLM-X1) and recoveries (FIN-2).

Exactly once (CLM-P5): a live payment exists once per (claim, kind, sequence) and a
payment once per idempotency key; it moves pending → exported → paid | failed (→ exported again in a
new batch) only under its row lock, and a batch line carries the payment's key so the
bank can refuse a duplicate instruction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from claimdesk.models.base import Base
from claimdesk.models.states import CallbackState, PaymentBatchState, PaymentState, StateType


class PayeeAuthorisation(Base):
    """A power of attorney or notarial certificate (CLM-P1) letting someone who is
    neither the insured nor a beneficiary receive the claim's money."""

    __tablename__ = "claim_payee_authorisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    payee_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(20))  # power_of_attorney | notarial_certificate
    file_id: Mapped[int] = mapped_column(ForeignKey("claim_material_files.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime]


class PaymentBatch(Base):
    """A bank-transfer file: the payments exported together and the file's SHA-256."""

    __tablename__ = "payment_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # exported | confirmed (every line answered)
    status: Mapped[PaymentBatchState] = mapped_column(
        StateType(PaymentBatchState, 12), default=PaymentBatchState.EXPORTED
    )
    payment_count: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[Decimal]
    filename: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))
    written_at: Mapped[dt.datetime | None]
    confirmed_at: Mapped[dt.datetime | None]


class Payment(Base):
    __tablename__ = "claim_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    # indemnity (the approved amount less advances) | advance (先予支付, art. 25)
    kind: Mapped[str] = mapped_column(String(12))
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    amount: Mapped[Decimal]
    # Which coverage each part of the amount draws on (FIN-1 reserves, ADJ accumulators).
    allocations: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # CLM-P3: bank_transfer | third_party (exported in a bank batch, confirmed with the
    # electronic voucher, bank_reference) | offline (cash or another offline means, for
    # small amounts or a stated special case; never exported: handed over against the
    # payee's ID and a signed confirmation, receipt_file_id).
    means: Mapped[str] = mapped_column(String(16), default="bank_transfer")
    payee_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    payee_name: Mapped[str] = mapped_column(String(100))
    payee_basis: Mapped[str] = mapped_column(String(20))  # insured|beneficiary|authorised
    authorisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("claim_payee_authorisations.id")
    )
    # None (and account_last4 "") for an offline payment: no account is paid.
    bank_account_id: Mapped[int | None] = mapped_column(ForeignKey("bank_accounts.id"))
    account_last4: Mapped[str] = mapped_column(String(4))
    # pending | exported | paid | failed | cancelled (cash/offline not handed over)
    status: Mapped[PaymentState] = mapped_column(
        StateType(PaymentState, 12), default=PaymentState.PENDING
    )
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payment_batches.id"), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expected_arrival: Mapped[dt.date | None]
    exported_at: Mapped[dt.datetime | None]
    paid_at: Mapped[dt.datetime | None]
    bank_reference: Mapped[str | None] = mapped_column(String(100))  # electronic voucher
    failure_reason: Mapped[str | None] = mapped_column(Text)
    # CLM-P3, offline only: the special case stated when the amount is above the
    # small-cash limit in force at the request (None: within the limit); at hand-over,
    # the last 4 characters of the payee's ID document checked against the payee on
    # record, and the payee's signed confirmation (an upload of the claim).
    offline_reason: Mapped[str | None] = mapped_column(Text)
    payee_id_last4: Mapped[str | None] = mapped_column(String(4))
    receipt_file_id: Mapped[int | None] = mapped_column(ForeignKey("claim_material_files.id"))


Index("ix_claim_payments_status", Payment.status)
# CLM-P5: one live payment per (claim, kind, sequence) — the indemnity of one approval
# exists once; a cancelled cash/offline payment (never handed over, CLM-P3) leaves room
# for the payment requested again in its place.
LIVE_SEQUENCE = "status <> 'cancelled'"
Index(
    "uq_claim_payments_live_sequence",
    Payment.claim_id,
    Payment.kind,
    Payment.sequence,
    unique=True,
    postgresql_where=text(LIVE_SEQUENCE),
    sqlite_where=text(LIVE_SEQUENCE),
)


class PaymentAttempt(Base):
    """One line of one batch for one payment, with the bank's answer."""

    __tablename__ = "payment_attempts"
    __table_args__ = (UniqueConstraint("payment_id", "batch_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("claim_payments.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batches.id"), index=True)
    exported_at: Mapped[dt.datetime]
    result: Mapped[str | None] = mapped_column(String(8))  # paid | failed
    reference: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None]


class PaymentAnswerConflict(Base):
    """A line of the bank's answer that names another voucher for a payment already paid
    with one (CLM-P3, CLM-P5): the payment stays as it was paid, with its first voucher;
    the conflicting reference is kept here for the payment officer to chase with the bank
    (a correction, or a second transfer to recover). Recorded once per answered
    reference: the same file re-sent records nothing twice."""

    __tablename__ = "payment_answer_conflicts"
    __table_args__ = (UniqueConstraint("attempt_id", "answered_reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batches.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("claim_payments.id"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("payment_attempts.id"))
    kept_reference: Mapped[str] = mapped_column(String(100))  # the voucher the payment keeps
    answered_reference: Mapped[str] = mapped_column(String(100))
    # The row of the bank's CSV file (header counted), or the JSON line's position from 1.
    line: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[dt.datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Callback(Base):
    """A callback task (回访, CLM-X2): after payment (satisfaction) or after a
    rejection (the reason and the options: mediation, arbitration)."""

    __tablename__ = "claim_callbacks"
    __table_args__ = (UniqueConstraint("claim_id", "kind", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # paid | rejected
    # The payment or the rejection notice that caused it (one callback each).
    source_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime]
    clock_id: Mapped[int | None] = mapped_column(ForeignKey("clocks.id"))
    status: Mapped[CallbackState] = mapped_column(
        StateType(CallbackState, 12), default=CallbackState.OPEN
    )
    done_at: Mapped[dt.datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(String(20))  # reached | unreachable
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    suggestions: Mapped[str | None] = mapped_column(Text)
    options_explained: Mapped[list[str]] = mapped_column(JSON, default=list)


class ArchiveRecord(Base):
    """One record of a closed claim's archive (CLM-X1) with its hash and retention."""

    __tablename__ = "claim_archive_records"
    __table_args__ = (UniqueConstraint("claim_id", "archive_no", "kind", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    claim_number: Mapped[str] = mapped_column(String(24), index=True)
    # 1 for the first closing, 2 after a reopening is closed again, ...
    archive_no: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(24))
    ref: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    archived_at: Mapped[dt.datetime]
    retention_until: Mapped[dt.date]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Recovery(Base):
    """Salvage (残值) or subrogation (代位求偿) money recovered on a claim (FIN-2)."""

    __tablename__ = "claim_recoveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # salvage | subrogation
    amount: Mapped[Decimal]
    counterparty: Mapped[str] = mapped_column(String(200))
    received_on: Mapped[dt.date]
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime]
