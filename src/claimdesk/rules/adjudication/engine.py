"""One entry point: ``adjudicate(coverage, claim, policy=..., history=...)`` (CLM-C2).

Pure: no database, no I/O, no float. The coverage's type chooses the formula of SPEC
section 5; claim facts of another type are refused rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import localcontext
from typing import Any

from claimdesk.rules.adjudication._money import WIDE
from claimdesk.rules.adjudication.accident import adjudicate_death, adjudicate_disability
from claimdesk.rules.adjudication.critical_illness import adjudicate_critical_illness
from claimdesk.rules.adjudication.errors import ClaimDoesNotMatchCoverage
from claimdesk.rules.adjudication.medical import adjudicate_medical
from claimdesk.rules.adjudication.property_liability import (
    adjudicate_liability,
    adjudicate_property,
)
from claimdesk.rules.adjudication.types import (
    NO_HISTORY,
    AdjudicationResult,
    ClaimFacts,
    Coverage,
    CriticalIllnessClaim,
    CriticalIllnessCoverage,
    DeathClaim,
    DeathCoverage,
    DisabilityClaim,
    DisabilityCoverage,
    History,
    LiabilityClaim,
    LiabilityCoverage,
    MedicalClaim,
    MedicalCoverage,
    Policy,
    PropertyClaim,
    PropertyCoverage,
)

_FORMULAS: dict[type[Any], tuple[type[Any], Callable[..., AdjudicationResult]]] = {
    MedicalCoverage: (MedicalClaim, adjudicate_medical),
    CriticalIllnessCoverage: (CriticalIllnessClaim, adjudicate_critical_illness),
    DisabilityCoverage: (DisabilityClaim, adjudicate_disability),
    DeathCoverage: (DeathClaim, adjudicate_death),
    PropertyCoverage: (PropertyClaim, adjudicate_property),
    LiabilityCoverage: (LiabilityClaim, adjudicate_liability),
}


def adjudicate(
    coverage: Coverage,
    claim: ClaimFacts,
    *,
    policy: Policy | None = None,
    history: History = NO_HISTORY,
) -> AdjudicationResult:
    """The payable of one claim under one coverage, with its reason and trace.

    ``policy`` None means the period is not checked (an actuary's what-if on claims
    known to be in force); a claims service always passes the policy.
    """
    claim_type, formula = _FORMULAS[type(coverage)]
    if type(claim) is not claim_type:
        raise ClaimDoesNotMatchCoverage(field="claim", coverage_type=coverage.type)
    # Products of amounts and ratios stay exact in a wide context until the one
    # rounding at the end of each formula (GEN-1).
    with localcontext(WIDE):
        return formula(coverage, policy, history, claim)
