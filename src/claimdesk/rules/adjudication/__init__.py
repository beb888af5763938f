"""The adjustment engine (理算): SPEC section 5 (ADJ-*), PER-3, GEN-1, CLM-C1..C3.

Pure functions over ``Decimal``: :func:`adjudicate` takes typed inputs
(:mod:`.types`) and returns an :class:`AdjudicationResult` with the payable, the reason
when it is zero, and the ordered calculation trace for the adjustment report.
:mod:`.parsing` reads the same inputs from the vector/JSON shape, naming bad fields.
"""

from claimdesk.rules.adjudication.engine import adjudicate
from claimdesk.rules.adjudication.steps import TraceStep
from claimdesk.rules.adjudication.types import (
    AdjudicationResult,
    CriticalIllnessClaim,
    CriticalIllnessCoverage,
    DeathClaim,
    DeathCoverage,
    DisabilityClaim,
    DisabilityCoverage,
    ExpenseLine,
    History,
    LiabilityClaim,
    LiabilityCoverage,
    MedicalClaim,
    MedicalCoverage,
    MildBenefit,
    Policy,
    PropertyClaim,
    PropertyCoverage,
    Repair,
    TotalLoss,
)

__all__ = [
    "AdjudicationResult",
    "CriticalIllnessClaim",
    "CriticalIllnessCoverage",
    "DeathClaim",
    "DeathCoverage",
    "DisabilityClaim",
    "DisabilityCoverage",
    "ExpenseLine",
    "History",
    "LiabilityClaim",
    "LiabilityCoverage",
    "MedicalClaim",
    "MedicalCoverage",
    "MildBenefit",
    "Policy",
    "PropertyClaim",
    "PropertyCoverage",
    "Repair",
    "TotalLoss",
    "TraceStep",
    "adjudicate",
]
