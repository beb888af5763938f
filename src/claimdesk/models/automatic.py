"""Straight-through claims (自动理赔, CLM-T2) and their quality sample (CLM-T3).

One decision row per claim: what the automatic path did with it (paid, or referred to a
person with the reasons), under which rule set, and the instants CLM-T4 measures. The
rule sets are stored by their version (a hash of their content), so every decision can
be explained later. A sampled claim gets at most one verdict from a tier-1 reviewer; a
disagreement names its correction (top-up payment or recovery).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from claimdesk.models.base import Base


class AutomaticRuleSet(Base):
    """The automatic settings and the checks' configuration a decision ran under."""

    __tablename__ = "automatic_rule_sets"

    version: Mapped[str] = mapped_column(String(40), primary_key=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_used_at: Mapped[dt.datetime]


class AutomaticDecision(Base):
    __tablename__ = "automatic_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), unique=True)
    # paid | referred
    outcome: Mapped[str] = mapped_column(String(12), index=True)
    # [{code, text_zh, text_en}] why a person must look (empty when paid).
    reasons: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    rule_set_version: Mapped[str] = mapped_column(
        ForeignKey("automatic_rule_sets.version"), index=True
    )
    # The claim's data the decision was taken on (checks.repository.data_version).
    data_version: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime] = mapped_column(index=True)
    # CLM-T4: when the last item of the checklist arrived, and the payment instruction.
    materials_complete_at: Mapped[dt.datetime | None]
    payment_requested_at: Mapped[dt.datetime | None]
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("claim_payments.id"))
    amount: Mapped[Decimal | None]
    coverage_code: Mapped[str | None] = mapped_column(String(32))
    line: Mapped[str] = mapped_column(String(20))
    # CLM-T3: chosen for the quality sample (by the claim number's hash, not by timing).
    sampled: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    evaluations: Mapped[int] = mapped_column(Integer, default=1)


class SampleVerdict(Base):
    """A tier-1 reviewer's verdict on a sampled automatic payment (CLM-T3)."""

    __tablename__ = "automatic_sample_verdicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), unique=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("automatic_decisions.id"))
    rule_set_version: Mapped[str] = mapped_column(
        ForeignKey("automatic_rule_sets.version"), index=True
    )
    agrees: Mapped[bool] = mapped_column(Boolean)
    automatic_amount: Mapped[Decimal]
    amount: Mapped[Decimal]  # what the reviewer finds payable
    difference: Mapped[Decimal]  # amount − automatic_amount
    # none | top_up | recovery
    correction: Mapped[str] = mapped_column(String(12))
    correction_payment_id: Mapped[int | None] = mapped_column(ForeignKey("claim_payments.id"))
    recovery_id: Mapped[int | None] = mapped_column(ForeignKey("claim_recoveries.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewer: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime]
