"""Claim rules fixed in code: the major-case casualty count, upload limits, the notice
deadline, certificate causes and limitation lines. One value object.

The amounts SPEC calls configurable (review tiers CLM-V1, major-case amount CLM-R4,
small-payment limit CLM-P4, the survey-skip rule) are versioned rows read through
``claimdesk.thresholds.service.in_force`` for the instant that matters."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ClaimRules:
    # CLM-R4 major case: several casualties (the amount is a threshold version).
    major_casualties: int = 3
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
    # Product lines whose limitation period is 5 years (Insurance Law art. 26: life
    # insurance only); every other line has 2 years. Archive retention adds 5 years.
    life_lines: frozenset[str] = frozenset({"life"})
    archive_extra_years: int = 5


RULES = ClaimRules()


def rules() -> ClaimRules:
    return RULES
