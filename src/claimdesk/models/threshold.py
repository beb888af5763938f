"""Claim thresholds SPEC calls configurable (CLM-V1, CLM-R4, CLM-P3, CLM-P4, survey skip).

Rows are versions: a change adds a row with the instant it takes effect; a row is never
updated, so the value in force at any past instant can be told (GEN-5).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from claimdesk.models.base import Base, TimestampMixin


class ClaimThresholdVersion(TimestampMixin, Base):
    __tablename__ = "claim_threshold_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # CLM-V1 review tiers: up to tier1 one tier, up to tier2 two, above three.
    review_tier1_max: Mapped[Decimal]
    review_tier2_max: Mapped[Decimal]
    # CLM-R4 major case: an estimate above this amount.
    major_amount: Mapped[Decimal]
    # CLM-P4: approved amounts up to this are paid within 24 hours.
    small_payment_max: Mapped[Decimal]
    # Survey skip: a small claim of these lines (comma list) up to this estimate.
    skip_survey_max_amount: Mapped[Decimal]
    skip_survey_lines: Mapped[str] = mapped_column(String(255))
    # CLM-T2 automatic path: claims up to this amount (the bills' total), of these
    # coverage types (comma list), paid without a person; CLM-T3: the share of them a
    # tier-1 reviewer checks after payment.
    automatic_max_amount: Mapped[Decimal] = mapped_column(server_default="5000.00")
    automatic_lines: Mapped[str] = mapped_column(String(255), server_default="medical")
    sample_share: Mapped[Decimal] = mapped_column(Numeric(5, 4), server_default="0.0500")
    # CLM-P3: a cash/offline payment up to this amount needs no special-case reason.
    small_cash_max: Mapped[Decimal] = mapped_column(server_default="2000.00")
    effective_from: Mapped[dt.datetime] = mapped_column(index=True)
    # None for the defaults the migration seeds.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
