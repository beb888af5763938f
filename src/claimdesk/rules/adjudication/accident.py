"""ADJ-DIS accident disability (graded by PER-3) and ADJ-DTH accident death."""

from __future__ import annotations

from decimal import Decimal

from claimdesk.rules.adjudication._money import ZERO, round_money
from claimdesk.rules.adjudication.period import check_period
from claimdesk.rules.adjudication.steps import RawStep
from claimdesk.rules.adjudication.types import (
    AdjudicationResult,
    DeathClaim,
    DeathCoverage,
    DisabilityClaim,
    DisabilityCoverage,
    History,
    Policy,
)

# PER-3 (JR/T 0083-2013): grade 1 = 100% ... grade 10 = 10%.
GRADE_PERCENT: dict[int, Decimal] = {
    grade: Decimal(110 - 10 * grade) / 100 for grade in range(1, 11)
}


def final_grade(grades: tuple[int, ...], steps: list[RawStep]) -> int:
    """The most severe grade counts; two or more injuries sharing it raise it by one
    (a lower number is more severe), at most to grade 1."""
    worst = min(grades)
    sharing = grades.count(worst)
    steps.append(("DIS.GRADE", worst, (("grades", grades), ("most_severe", worst))))
    if sharing >= 2:
        raised = max(1, worst - 1)
        steps.append(("DIS.RAISE", raised, (("grade", worst), ("injuries_at_grade", sharing))))
        return raised
    return worst


def _remaining(sum_insured: Decimal, paid: Decimal) -> Decimal:
    left = sum_insured - paid
    return left if left > 0 else ZERO


def adjudicate_disability(
    coverage: DisabilityCoverage,
    policy: Policy | None,
    history: History,
    claim: DisabilityClaim,
) -> AdjudicationResult:
    steps: list[RawStep] = []
    # The grade is a medical fact of the injuries: it is reported even when not covered.
    reason = check_period("DIS", policy, coverage.waiting_period_days, claim.date_of_loss, steps)
    grade = final_grade(claim.injuries, steps)
    if reason is not None:
        return AdjudicationResult(coverage.type, ZERO, reason, grade=grade, steps=tuple(steps))

    percent = GRADE_PERCENT[grade]
    steps.append(("DIS.PERCENT", percent, (("grade", grade),)))
    amount = percent * coverage.sum_insured
    steps.append(
        ("DIS.AMOUNT", amount, (("percent", percent), ("sum_insured", coverage.sum_insured)))
    )
    remaining = _remaining(coverage.sum_insured, history.paid)
    capped = min(amount, remaining)
    steps.append(
        (
            "DIS.CAP",
            capped,
            (
                ("amount", amount),
                ("sum_insured", coverage.sum_insured),
                ("paid", history.paid),
                ("remaining", remaining),
            ),
        )
    )
    payable = round_money(capped)
    steps.append(("ROUND", payable, (("of", "payable"), ("exact", capped))))
    reason = "sum_insured_exhausted" if payable == 0 and amount > 0 else None
    return AdjudicationResult(coverage.type, payable, reason, grade=grade, steps=tuple(steps))


def adjudicate_death(
    coverage: DeathCoverage,
    policy: Policy | None,
    history: History,
    claim: DeathClaim,
) -> AdjudicationResult:
    steps: list[RawStep] = []
    reason = check_period("DTH", policy, coverage.waiting_period_days, claim.date_of_loss, steps)
    if reason is not None:
        return AdjudicationResult(coverage.type, ZERO, reason, steps=tuple(steps))

    amount = coverage.sum_insured - history.disability_paid
    if amount < 0:
        amount = ZERO
    steps.append(
        (
            "DTH.AMOUNT",
            amount,
            (("sum_insured", coverage.sum_insured), ("disability_paid", history.disability_paid)),
        )
    )
    # A death benefit already paid under this coverage leaves nothing to pay twice.
    remaining = _remaining(coverage.sum_insured, history.paid)
    capped = min(amount, remaining)
    steps.append(
        (
            "DTH.CAP",
            capped,
            (("amount", amount), ("paid", history.paid), ("remaining", remaining)),
        )
    )
    payable = round_money(capped)
    steps.append(("ROUND", payable, (("of", "payable"), ("exact", capped))))
    reason = "sum_insured_exhausted" if payable == 0 and coverage.sum_insured > 0 else None
    return AdjudicationResult(coverage.type, payable, reason, steps=tuple(steps))
