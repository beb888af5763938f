"""Shapes of the automatic path's API (CLM-T2, CLM-T3). Amounts are Decimal (GEN-1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field


class ReasonOut(BaseModel):
    """Why a person must look at the claim: a stable code and the words in both languages."""

    code: str
    text_zh: str
    text_en: str


class AutomaticDecisionOut(BaseModel):
    claim_id: int
    outcome: Literal["paid", "referred"]
    reasons: list[ReasonOut]
    rule_set_version: str
    decided_at: dt.datetime
    payment_id: int | None
    amount: Decimal | None
    coverage_code: str | None
    line: str
    # CLM-T4: last item of the checklist in → payment instruction.
    materials_complete_at: dt.datetime | None
    payment_requested_at: dt.datetime | None
    # CLM-T3: chosen for the quality sample; the verdict once given.
    sampled: bool
    verdict: SampleVerdictOut | None = None


class ReferredItemOut(BaseModel):
    """A claim the automatic path sent to a person, with the reasons (CLM-T2)."""

    claim_id: int
    claim_number: str
    state: str
    line: str
    reasons: list[ReasonOut]
    rule_set_version: str
    decided_at: dt.datetime


class RuleSetOut(BaseModel):
    version: str
    content: dict[str, Any]
    first_used_at: dt.datetime | None


class SampleItemOut(BaseModel):
    claim_id: int
    claim_number: str
    line: str
    amount: Decimal | None
    rule_set_version: str
    decided_at: dt.datetime
    payment_id: int | None
    payment_status: str | None


class VerdictIn(BaseModel):
    agrees: bool
    # What the reviewer finds payable; required when disagreeing.
    amount: Decimal | None = Field(default=None, max_digits=16, decimal_places=2)
    reason: str | None = Field(default=None, max_length=2000)


class SampleVerdictOut(BaseModel):
    claim_id: int
    agrees: bool
    automatic_amount: Decimal
    amount: Decimal
    difference: Decimal
    correction: Literal["none", "top_up", "recovery"]
    correction_payment_id: int | None
    recovery_id: int | None
    reason: str | None
    rule_set_version: str
    reviewer: str
    decided_at: dt.datetime


class RuleSetAgreementOut(BaseModel):
    """CLM-T3/T4: the sample's verdicts per rule set version."""

    rule_set_version: str
    verdicts: int
    agreed: int
    disagreed: int


AutomaticDecisionOut.model_rebuild()
