"""Claim rules that are configuration, not code: thresholds for major cases, the survey
skip, upload limits and the notice deadline. One value object; tests replace it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class ClaimRules:
    # CLM-R4 major case: several casualties, a large estimate, or a group incident.
    major_casualties: int = 3
    major_amount: Decimal = Decimal("500000.00")
    # Survey skip: a small claim of these lines with complete materials needs no survey.
    skip_survey_lines: frozenset[str] = frozenset({"health"})
    skip_survey_max_amount: Decimal = Decimal("5000.00")
    # Uploads (CLM-A2).
    upload_max_bytes: int = 20 * 1024 * 1024
    allowed_types: frozenset[str] = field(
        default_factory=lambda: frozenset(
            {"application/pdf", "image/jpeg", "image/png", "image/heic"}
        )
    )
    # Days the customer is given to supply missing materials (CLM-A4).
    materials_deadline_days: int = 30
    # Losses that need an official certificate before the survey report (CLM-S4).
    certificate_causes: frozenset[str] = frozenset({"fire", "theft"})
    # Review tiers (CLM-V1): up to tier1_max one tier, up to tier2_max two, above (or
    # major, or fraud-flagged) three.
    review_tier1_max: Decimal = Decimal("10000.00")
    review_tier2_max: Decimal = Decimal("100000.00")
    # Small claims are paid within 24 hours of approval (CLM-P4).
    small_payment_max: Decimal = Decimal("5000.00")
    # Product lines whose limitation period is 5 years (Insurance Law art. 26: life
    # insurance only); every other line has 2 years. Archive retention adds 5 years.
    life_lines: frozenset[str] = frozenset({"life"})
    archive_extra_years: int = 5


_rules = ClaimRules()


def rules() -> ClaimRules:
    return _rules


def set_rules(value: ClaimRules) -> None:
    global _rules
    _rules = value
