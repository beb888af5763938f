"""Request and response bodies of review, payment, closing and recoveries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

Text = Annotated[str, Field(min_length=1, max_length=4000)]
Money = Annotated[Decimal, Field(max_digits=18, decimal_places=2)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SubmitIn(_In):
    reason: Annotated[str, Field(max_length=2000)] | None = None


class DecisionBody(_In):
    decision: Literal["approve", "reject", "return"]
    checklist: dict[str, bool] = Field(default_factory=dict)
    reason: Annotated[str, Field(max_length=2000)] | None = None
    rejection_ground: (
        Literal["non_disclosure", "exclusion", "not_covered", "fraud", "other"] | None
    ) = None
    rejection_clause: Annotated[str, Field(max_length=4000)] | None = None
    rejection_facts: Annotated[str, Field(max_length=4000)] | None = None
    requirements: Annotated[str, Field(max_length=4000)] | None = None


class DecisionOut(_Out):
    id: int
    tier: int
    decision: str
    reviewer: str
    decided_at: dt.datetime
    checklist: dict[str, Any]
    reason: str | None
    rejection_ground: str | None
    rejection_clause: str | None
    rejection_facts: str | None
    requirements: str | None
    incontestability: dict[str, Any] | None


class RoundOut(_Out):
    id: int
    round: int
    tiers_required: int
    amount: Decimal
    tier_reasons: list[str]
    status: str
    submitted_at: dt.datetime


class ReviewOut(BaseModel):
    claim_id: int
    state: str
    rounds: list[RoundOut]
    decisions: list[DecisionOut]
    next_tier: int | None
    answering_rejection_of_tier: int | None
    checklist_items: dict[str, list[str]]
    incontestability: dict[str, Any]
    rejection_notice_id: int | None


class AuthorisationIn(_In):
    payee_person_id: int
    kind: Literal["power_of_attorney", "notarial_certificate"]
    file_id: int


class AuthorisationOut(_Out):
    id: int
    payee_person_id: int
    kind: str
    file_id: int


class PaymentIn(_In):
    payee_person_id: int
    # Required for a bank transfer or third-party payment; not used by an offline one.
    bank_account_id: int | None = None
    kind: Literal["indemnity", "advance"] = "indemnity"
    # CLM-P3: offline (cash or another offline means) only up to the small-cash limit
    # (thresholds) or with a stated special case (offline_reason).
    means: Literal["bank_transfer", "third_party", "offline"] = "bank_transfer"
    amount: Money | None = None
    coverage_code: Annotated[str, Field(max_length=32)] | None = None
    authorisation_id: int | None = None
    offline_reason: Annotated[str, Field(max_length=2000)] | None = None


class PaymentOut(_Out):
    id: int
    claim_id: int
    kind: str
    sequence: int
    idempotency_key: str
    amount: Decimal
    allocations: dict[str, str]
    means: str
    payee_name: str
    payee_basis: str
    account_masked: str
    status: str
    batch_id: int | None
    attempts: int
    expected_arrival: dt.date | None
    paid_at: dt.datetime | None
    bank_reference: str | None
    failure_reason: str | None
    # CLM-P3, offline payments: the special case, the ID checked, the signed confirmation.
    offline_reason: str | None = None
    payee_id_last4: str | None = None
    receipt_file_id: int | None = None  # the upload (claim file) of the confirmation


# code_labels.CASH_CANCEL_REASONS' codes (tests/payments/test_offline_cancel.py).
CashCancelReason = Literal[
    "not_collected", "identity_not_verified", "payee_asked_transfer", "other"
]


class OfflineCancelIn(_In):
    """CLM-P3: why a cash/offline payment was not handed over — its kind, which the
    customer reads (the payee not coming, the default), and the officer's note (internal)."""

    reason_code: CashCancelReason = "not_collected"
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


# code_labels.PAYMENT_DELAY_REASONS' codes (tests/payments/test_delay_notice.py).
DelayReason = Literal["remote_case", "holidays", "bank_processing", "account_check", "other"]


class DelayNoticeIn(_In):
    """CLM-P4: the customer reads ``reason_code`` in words and ``customer_note``; ``reason``
    is the staff's internal note (audit trail only)."""

    reason_code: DelayReason
    reason: Text
    customer_note: Annotated[str, Field(max_length=500)] | None = None
    expected_arrival: dt.date


class BatchIn(_In):
    payment_ids: list[int] | None = Field(default=None, max_length=1000)


class AnswerConflictOut(_Out):
    """CLM-P3, CLM-P5: the bank answered paid again with another voucher; the payment
    keeps ``kept_reference``."""

    id: int
    payment_id: int
    kept_reference: str
    answered_reference: str
    line: int
    recorded_at: dt.datetime


class BatchOut(_Out):
    id: int
    status: str
    payment_count: int
    total: Decimal
    filename: str
    sha256: str
    written_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    held_payment_ids: list[int] = Field(default_factory=list, max_length=1000)
    # Lines the bank answered paid again with another voucher (CLM-P3): to chase.
    conflicts: list[AnswerConflictOut] = Field(default_factory=list)


class LineOutcomeOut(_Out):
    """What one answered line did: paid or failed (recorded now), unchanged (answered
    alike before), or conflict (paid before with another voucher; nothing changed)."""

    line: int
    payment_id: int
    outcome: Literal["paid", "failed", "unchanged", "conflict"]
    reference: str | None
    answered_reference: str | None = None
    conflict_id: int | None = None


class ConfirmationOut(BatchOut):
    lines: list[LineOutcomeOut] = Field(default_factory=list)


class ConfirmationLineIn(_In):
    payment_id: int
    idempotency_key: Annotated[str, Field(max_length=100)]
    result: Literal["paid", "failed"]
    reference: Annotated[str, Field(max_length=100)] | None = None
    reason: Annotated[str, Field(max_length=2000)] | None = None


class ConfirmationIn(_In):
    # Its refusals name ``lines`` 付款明细 / Payment lines (field_labels.CONTEXT_LABELS).
    field_context: ClassVar[str] = "bank_answer"
    lines: list[ConfirmationLineIn] | None = Field(default=None, max_length=500)
    csv: Annotated[str, Field(max_length=5_000_000)] | None = None


class ArchiveRecordOut(_Out):
    archive_no: int
    kind: str
    ref: str
    description: str
    sha256: str
    archived_at: dt.datetime
    retention_until: dt.date


class ArchiveOut(BaseModel):
    claim_number: str
    records: list[ArchiveRecordOut]


class CallbackOut(_Out):
    id: int
    kind: str
    source_id: int
    status: str
    created_at: dt.datetime
    due_at: dt.datetime | None = None
    # GEN-4: the callback's clock (CLM-X2) with its rule, basis and state.
    clock: dict[str, Any] | None = None
    outcome: str | None
    satisfaction: int | None
    suggestions: str | None
    options_explained: list[str]


class CallbackIn(_In):
    outcome: Literal["reached", "unreachable"]
    satisfaction: Annotated[int, Field(ge=1, le=5)] | None = None
    suggestions: Annotated[str, Field(max_length=4000)] | None = None
    options_explained: list[Literal["mediation", "arbitration", "litigation", "re_review"]] = Field(
        default_factory=list
    )


class RecoveryIn(_In):
    kind: Literal["salvage", "subrogation"]
    amount: Money
    counterparty: Annotated[str, Field(min_length=1, max_length=200)]
    received_on: dt.date
    note: Annotated[str, Field(max_length=2000)] | None = None


class RecoveryOut(_Out):
    id: int
    kind: str
    amount: Decimal
    counterparty: str
    received_on: dt.date
    note: str | None


class FinancialsOut(BaseModel):
    claim_id: int
    payable_total: Decimal | None
    paid: Decimal
    recovered: Decimal
    net_cost: Decimal
    reserves: dict[str, Decimal]
    payments: list[PaymentOut]
    recoveries: list[RecoveryOut]
