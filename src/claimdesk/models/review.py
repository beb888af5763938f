"""Claim review (核赔, CLM-V1..V4): one review round per submission, one decision per
tier of a round, and the rejection notice (拒赔通知书) a confirmed rejection produces."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from claimdesk.models.base import Base
from claimdesk.models.states import ReviewRoundState, StateType


class ReviewRound(Base):
    """One submission of a claim to review; the tiers it needs are fixed on submission
    from the amount and complexity at that moment (CLM-V1)."""

    __tablename__ = "claim_review_rounds"
    __table_args__ = (UniqueConstraint("claim_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    tiers_required: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal]
    tier_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    # open | approved | rejected | returned
    status: Mapped[ReviewRoundState] = mapped_column(
        StateType(ReviewRoundState, 12), default=ReviewRoundState.OPEN
    )
    submitted_at: Mapped[dt.datetime]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None]


class ReviewDecision(Base):
    """A reviewer's decision at one tier of one round, with the CLM-V2 checklist.

    The unique (round, tier) row makes two reviewers deciding the same tier at once
    impossible: the second insert fails and nothing of its request remains."""

    __tablename__ = "claim_review_decisions"
    __table_args__ = (UniqueConstraint("round_id", "tier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("claim_review_rounds.id"), index=True)
    tier: Mapped[int] = mapped_column(Integer)
    # approve | reject (a proposal at its tier, confirmed by the next) | return
    decision: Mapped[str] = mapped_column(String(12))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reviewer: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime]
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)
    # Rejection: ground (non_disclosure | exclusion | not_covered | fraud | other), the
    # clause and the facts; return: what must be added.
    rejection_ground: Mapped[str | None] = mapped_column(String(20))
    rejection_clause: Mapped[str | None] = mapped_column(Text)
    rejection_facts: Mapped[str | None] = mapped_column(Text)
    requirements: Mapped[str | None] = mapped_column(Text)
    # What POL-6 showed the reviewer for a non-disclosure ground.
    incontestability: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class RejectionNotice(Base):
    """The 拒赔通知书 (CLM-V3): the PDF itself and its hash; sent through the outbox."""

    __tablename__ = "claim_rejection_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("claim_review_decisions.id"), unique=True)
    clause: Mapped[str] = mapped_column(Text)
    facts: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[dt.datetime]
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    outbox_message_id: Mapped[int | None]
    sent_at: Mapped[dt.datetime | None]


class DecisionNotice(Base):
    """The written decision notice (理赔决定通知书, CLM-V3, CLM-P5, CLM-C3, CLM-P2).

    kind "decided": an approval that leaves nothing to pay — a decision below the
    deductible, or a reopened claim whose new decision adds nothing to what was already
    paid (or is lower: then a recovery). kind "payment": the settlement notice of an
    instructed indemnity payment (manual or automatic), one per payment: how the amount
    was worked out, the payment (amount, expected arrival, masked account), how to object.
    An automatic decision (CLM-T2) has no review round."""

    __tablename__ = "claim_decision_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12), default="decided", server_default="decided")
    round_id: Mapped[int | None] = mapped_column(ForeignKey("claim_review_rounds.id"), unique=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("claim_payments.id"), unique=True)
    payable: Mapped[Decimal]
    already_paid: Mapped[Decimal]
    difference: Mapped[Decimal]
    calculation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recovery_id: Mapped[int | None]
    issued_at: Mapped[dt.datetime]
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    outbox_message_id: Mapped[int | None]
