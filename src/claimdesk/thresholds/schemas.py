"""Threshold API shapes. Amounts are Decimal (GEN-1); checks that name a field and a rule
are the service's (zh/en refusals), the schema only types the input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field


class ThresholdsIn(BaseModel):
    review_tier1_max: Decimal = Field(decimal_places=2, max_digits=16)
    review_tier2_max: Decimal = Field(decimal_places=2, max_digits=16)
    major_amount: Decimal = Field(decimal_places=2, max_digits=16)
    small_payment_max: Decimal = Field(decimal_places=2, max_digits=16)
    skip_survey_max_amount: Decimal = Field(decimal_places=2, max_digits=16)
    skip_survey_lines: list[str] = Field(max_length=20)
    # SPEC CLM-T2/T3; None keeps the value in force (older clients need not send them).
    automatic_max_amount: Decimal | None = Field(default=None, decimal_places=2, max_digits=16)
    automatic_lines: list[str] | None = Field(default=None, max_length=10)
    sample_share: Decimal | None = Field(default=None, max_digits=5, decimal_places=4)
    # SPEC CLM-P3: the small-cash limit; None keeps the value in force.
    small_cash_max: Decimal | None = Field(default=None, decimal_places=2, max_digits=16)
    # None: now. Never in the past: decisions already taken keep the values they used.
    effective_from: dt.datetime | None = None
    reason: str = Field(min_length=1, max_length=2000)


class ThresholdsOut(BaseModel):
    version_id: int | None
    review_tier1_max: Decimal
    review_tier2_max: Decimal
    major_amount: Decimal
    small_payment_max: Decimal
    skip_survey_max_amount: Decimal
    skip_survey_lines: list[str]
    automatic_max_amount: Decimal
    automatic_lines: list[str]
    sample_share: Decimal
    small_cash_max: Decimal
    effective_from: dt.datetime
    created_by_id: int | None
    reason: str


class ThresholdsHistory(BaseModel):
    current: ThresholdsOut
    # Newest first, future versions included.
    history: list[ThresholdsOut]
