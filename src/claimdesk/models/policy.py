"""Policies (contracts), their beneficiaries, changes/terminations and disputes (POL-1..6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claimdesk.crypto.types import EncryptedJSON
from claimdesk.models.base import Base, TimestampMixin
from claimdesk.models.states import (
    PolicyChangeState,
    PolicyDisputeState,
    PolicyState,
    StateType,
)

# The relations of Policy.insured_relationship that make holder and insured one family.
FAMILY_RELATIONSHIPS = frozenset(("spouse", "child", "parent"))


class Policy(TimestampMixin, Base):
    __tablename__ = "policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    # The version it was sold under, forever (PRD-2).
    product_version_id: Mapped[int] = mapped_column(ForeignKey("product_versions.id"), index=True)
    policyholder_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    insured_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # 投保人与被保险人关系, as the policy form asks it: the insured is the policyholder's
    # self | spouse | child | parent | other (POL-1). NULL: issued before it was recorded
    # (migration 0041) with two different people. The checks read a family relation as a
    # family link between the two (shared_contact, CLM-F3); "other" links nobody.
    insured_relationship: Mapped[str | None] = mapped_column(String(8))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)  # last covered day, inclusive
    premium: Mapped[Decimal]
    channel: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str | None] = mapped_column(String(6))
    customer_group: Mapped[str | None] = mapped_column(String(32))
    agent_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # in_force | terminated | expired
    status: Mapped[PolicyState] = mapped_column(
        StateType(PolicyState, 12), default=PolicyState.IN_FORCE
    )
    # A renewal is a new term linked to the one before (POL-4); one renewal per term.
    previous_policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"), unique=True)
    issued_at: Mapped[dt.datetime]
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    terminated_on: Mapped[dt.date | None] = mapped_column(Date)
    refund_amount: Mapped[Decimal | None]

    beneficiaries: Mapped[list[PolicyBeneficiary]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="PolicyBeneficiary.position"
    )


Index("ix_policies_period", Policy.status, Policy.period_end)


class PolicyBeneficiary(Base):
    """A named beneficiary; no rows means the legal heirs (法定受益人)."""

    __tablename__ = "policy_beneficiaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("policies.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    relationship_to_insured: Mapped[str] = mapped_column(String(20))
    # Percent with two decimals; the shares of one policy add up to exactly 100.00.
    share: Mapped[Decimal] = mapped_column(Numeric(5, 2))


class PolicyChange(TimestampMixin, Base):
    """A change (批改, POL-2) or a termination (解除, POL-3): request → review →
    approval → done, each step with who and when; the row is the history."""

    __tablename__ = "policy_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # change | termination
    # requested | reviewed | approved | done | rejected
    status: Mapped[PolicyChangeState] = mapped_column(
        StateType(PolicyChangeState, 12), default=PolicyChangeState.REQUESTED
    )
    description: Mapped[str] = mapped_column(Text)
    # change: {"beneficiaries": [...]} etc.; termination: {"initiator": ...}
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The values the change replaced, kept for the history.
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    effective_date: Mapped[dt.date] = mapped_column(Date)
    # Consent of the policyholder/insured (how it was given) and of the insurer.
    customer_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_consent_method: Mapped[str | None] = mapped_column(String(40))
    requested_at: Mapped[dt.datetime]
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_note: Mapped[str | None] = mapped_column(Text)
    approved_at: Mapped[dt.datetime | None]  # the insurer's consent
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[dt.datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rejected_reason: Mapped[str | None] = mapped_column(Text)
    refund_amount: Mapped[Decimal | None]
    # A change of policyholder (变更投保人): when the policy began naming the new holder —
    # at completion, or by the job on the effective date; NULL until then, and for ever
    # when the policy ended first (policies.holder, migration 0045).
    switched_at: Mapped[dt.datetime | None]
    # A change of the policyholder's contact details (POL-2): {"person_id", "new": {field:
    # value}} and, once done, "before": the values replaced — encrypted as one document
    # (SEC-1, migration 0048); ``payload`` names only the fields ({"contact": [...]}).
    contact: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON("policy_changes.contact"))


class PolicyDispute(TimestampMixin, Base):
    """A contract dispute (合同纠纷, POL-5)."""

    __tablename__ = "policy_disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    # applied | negotiating | agreed | arbitration | court | decided | closed
    status: Mapped[PolicyDisputeState] = mapped_column(
        StateType(PolicyDisputeState, 12), default=PolicyDisputeState.APPLIED
    )
    applicant: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    applied_at: Mapped[dt.datetime]
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None]
    agreed_at: Mapped[dt.datetime | None]
    agreement: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[dt.datetime | None]
    decision_effective_at: Mapped[dt.datetime | None]
    decision: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[dt.datetime | None]
    outcome: Mapped[str | None] = mapped_column(Text)
