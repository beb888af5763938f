"""ADJ-MED: medical and accident-medical expense (the hot path of ``claimdesk adjudicate``).

Figures stay exact until the end; eligible, deductible applied and payable are each
rounded once (GEN-1). Steps are cheap tuples: 20,000+ claims a second on one core.
"""

from __future__ import annotations

from decimal import Decimal

from claimdesk.rules.adjudication._money import ZERO, round_money
from claimdesk.rules.adjudication.errors import MissingField
from claimdesk.rules.adjudication.period import check_period
from claimdesk.rules.adjudication.steps import RawStep
from claimdesk.rules.adjudication.types import (
    ONE,
    AdjudicationResult,
    ExpenseLine,
    History,
    MedicalClaim,
    MedicalCoverage,
    Policy,
)


def _covered_part(
    index: int, line: ExpenseLine, coverage: MedicalCoverage, steps: list[RawStep]
) -> Decimal:
    """Step 1 for one line: what part of it the product covers, and by which rule."""
    amount = line.amount
    if line.kind in coverage.excluded_kinds:
        code, covered = "MED.LINE.EXCLUDED", ZERO
    elif coverage.scope == "all_necessary":
        code, covered = "MED.LINE.ALL", amount
    elif line.catalog == "A":
        code, covered = "MED.LINE.A", amount
    elif line.catalog == "B":
        if line.self_pay_ratio is None:
            raise MissingField(field=f"lines[{index}].self_pay_ratio")
        code, covered = "MED.LINE.B", amount * (ONE - line.self_pay_ratio)
    else:
        code, covered = "MED.LINE.C", ZERO
    steps.append(
        (
            code,
            covered,
            (
                ("line", index),
                ("catalog", line.catalog),
                ("kind", line.kind),
                ("amount", amount),
                ("self_pay_ratio", line.self_pay_ratio),
            ),
        )
    )
    return covered


def _net(eligible: Decimal, claim: MedicalClaim, steps: list[RawStep]) -> Decimal:
    """Step 2: net of what social insurance and others already paid, never below 0."""
    net = eligible - claim.social_insurance_paid - claim.other_compensation
    if net < 0:
        net = ZERO
    steps.append(
        (
            "MED.NET",
            net,
            (
                ("eligible", eligible),
                ("social_insurance_paid", claim.social_insurance_paid),
                ("other_compensation", claim.other_compensation),
            ),
        )
    )
    return net


def _deductible(
    net: Decimal, coverage: MedicalCoverage, history: History, steps: list[RawStep]
) -> Decimal:
    """Step 3: the part of the net taken by the deductible left this policy year."""
    deductible_left = coverage.deductible - history.deductible_used
    if deductible_left < 0:
        deductible_left = ZERO
    applied = net if net < deductible_left else deductible_left
    steps.append(
        (
            "MED.DEDUCTIBLE",
            applied,
            (
                ("net", net),
                ("deductible", coverage.deductible),
                ("deductible_used", history.deductible_used),
                ("deductible_remaining", deductible_left),
            ),
        )
    )
    return applied


def _ratio(
    base: Decimal, coverage: MedicalCoverage, claim: MedicalClaim, steps: list[RawStep]
) -> Decimal:
    """Step 4a: the payout ratio, lower where the claim was not settled with social
    insurance first and the product says so."""
    ratio = coverage.payout_ratio
    if (
        not claim.settled_with_social_insurance
        and coverage.payout_ratio_without_social_insurance is not None
    ):
        ratio = coverage.payout_ratio_without_social_insurance
    amount = base * ratio
    steps.append(
        (
            "MED.RATIO",
            amount,
            (
                ("base", base),
                ("settled_with_social_insurance", claim.settled_with_social_insurance),
                ("payout_ratio", ratio),
            ),
        )
    )
    return amount


def _cap(
    amount: Decimal, coverage: MedicalCoverage, history: History, steps: list[RawStep]
) -> tuple[Decimal, Decimal]:
    """Step 4b: the remaining sum insured caps the amount; returns (capped, remaining)."""
    remaining = coverage.sum_insured - history.paid
    if remaining < 0:
        remaining = ZERO
    capped = amount if amount < remaining else remaining
    steps.append(
        (
            "MED.CAP",
            capped,
            (
                ("amount", amount),
                ("sum_insured", coverage.sum_insured),
                ("paid", history.paid),
                ("remaining", remaining),
            ),
        )
    )
    return capped, remaining


def adjudicate_medical(
    coverage: MedicalCoverage,
    policy: Policy | None,
    history: History,
    claim: MedicalClaim,
) -> AdjudicationResult:
    steps: list[RawStep] = []
    reason = check_period("MED", policy, coverage.waiting_period_days, claim.date_of_loss, steps)
    if reason is not None:
        # Nothing of a claim outside cover is eligible, and it uses no deductible.
        return AdjudicationResult(coverage.type, ZERO, reason, ZERO, ZERO, steps=tuple(steps))

    # Step 1: eligible expense.
    eligible = ZERO
    for index, line in enumerate(claim.lines):
        eligible += _covered_part(index, line, coverage, steps)
    steps.append(("MED.ELIGIBLE", eligible, (("lines", len(claim.lines)),)))

    net = _net(eligible, claim, steps)
    applied = _deductible(net, coverage, history, steps)
    base = net - applied
    steps.append(("MED.BASE", base, (("net", net), ("deductible_applied", applied))))
    amount = _ratio(base, coverage, claim, steps)
    capped, remaining = _cap(amount, coverage, history, steps)
    payable = round_money(capped)
    steps.append(("ROUND", payable, (("of", "payable"), ("exact", capped))))

    if payable == 0:
        if eligible == 0:
            reason = "not_covered"
            steps.append(("MED.NOT_COVERED", "not_covered", ()))
        elif remaining == 0 and amount > 0:
            reason = "sum_insured_exhausted"
    return AdjudicationResult(
        coverage.type,
        payable,
        reason,
        round_money(eligible),
        round_money(applied),
        steps=tuple(steps),
    )
