"""ADJ-CI: critical illness. A covered severe disease pays the sum insured once and ends
the coverage; a covered mild disease pays its percentage, at most ``max_times``."""

from __future__ import annotations

from claimdesk.rules.adjudication._money import ZERO, round_money
from claimdesk.rules.adjudication.period import check_period
from claimdesk.rules.adjudication.steps import RawStep
from claimdesk.rules.adjudication.types import (
    AdjudicationResult,
    CriticalIllnessClaim,
    CriticalIllnessCoverage,
    History,
    Policy,
)


def adjudicate_critical_illness(
    coverage: CriticalIllnessCoverage,
    policy: Policy | None,
    history: History,
    claim: CriticalIllnessClaim,
) -> AdjudicationResult:
    steps: list[RawStep] = []
    reason = check_period("CI", policy, coverage.waiting_period_days, claim.date_of_loss, steps)
    if reason is not None:
        return AdjudicationResult(coverage.type, ZERO, reason, steps=tuple(steps))

    disease = claim.disease
    if history.severe_paid:
        steps.append(("CI.ENDED", "coverage_ended", (("severe_paid", True),)))
        return AdjudicationResult(coverage.type, ZERO, "coverage_ended", steps=tuple(steps))

    if disease in coverage.severe:
        payable = round_money(coverage.sum_insured)
        steps.append(
            ("CI.SEVERE", payable, (("disease", disease), ("sum_insured", coverage.sum_insured)))
        )
        return AdjudicationResult(coverage.type, payable, steps=tuple(steps))

    mild = coverage.mild
    if mild is not None and disease in mild.diseases:
        if history.mild_paid_count >= mild.max_times:
            steps.append(
                (
                    "CI.MILD_EXHAUSTED",
                    "benefit_exhausted",
                    (
                        ("disease", disease),
                        ("mild_paid_count", history.mild_paid_count),
                        ("max_times", mild.max_times),
                    ),
                )
            )
            return AdjudicationResult(coverage.type, ZERO, "benefit_exhausted", steps=tuple(steps))
        exact = coverage.sum_insured * mild.percent
        payable = round_money(exact)
        steps.append(
            (
                "CI.MILD",
                exact,
                (
                    ("disease", disease),
                    ("sum_insured", coverage.sum_insured),
                    ("percent", mild.percent),
                ),
            )
        )
        steps.append(("ROUND", payable, (("of", "payable"), ("exact", exact))))
        return AdjudicationResult(coverage.type, payable, steps=tuple(steps))

    steps.append(("CI.NOT_COVERED", "not_covered", (("disease", disease),)))
    return AdjudicationResult(coverage.type, ZERO, "not_covered", steps=tuple(steps))
