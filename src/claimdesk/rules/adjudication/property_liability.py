"""ADJ-PRP property loss and ADJ-LIA liability.

Payable = loss × liability ratio × (1 − deductible rate) − absolute deductible, floor 0,
capped at the remaining sum insured (property) or the limit per occurrence (liability).
The figures stay exact (the proportional quotient is taken in a wide context) and the
payable is rounded once at the end (GEN-1).
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
    History,
    LiabilityClaim,
    LiabilityCoverage,
    Policy,
    PropertyClaim,
    PropertyCoverage,
)


def _repair_loss(claim: PropertyClaim, steps: list[RawStep]) -> Decimal:
    repair = claim.repair
    assert repair is not None
    loss = repair.materials + repair.labour - repair.salvage
    if loss < 0:
        loss = ZERO
    steps.append(
        (
            "PRP.REPAIR",
            loss,
            (
                ("materials", repair.materials),
                ("labour", repair.labour),
                ("salvage", repair.salvage),
            ),
        )
    )
    if claim.actual_value is not None and loss > claim.actual_value:
        loss = claim.actual_value
        steps.append(("PRP.ACTUAL_VALUE", loss, (("actual_value", claim.actual_value),)))
    return loss


def _total_loss(coverage: PropertyCoverage, claim: PropertyClaim, steps: list[RawStep]) -> Decimal:
    total = claim.total_loss
    assert total is not None
    valuation = coverage.valuation
    if valuation == "agreed":
        assert coverage.agreed_value is not None
        loss = coverage.agreed_value
        steps.append(("PRP.TOTAL.agreed", loss, (("agreed_value", loss),)))
        return loss
    if total.replacement_value is None:
        raise MissingField(field="replacement_value")
    if valuation == "replacement":
        loss = total.replacement_value
        steps.append(("PRP.TOTAL.replacement", loss, (("replacement_value", loss),)))
        return loss
    assert coverage.depreciation_rate is not None
    factor = ONE - coverage.depreciation_rate * total.years_in_use
    if factor < 0:
        factor = ZERO
    loss = total.replacement_value * factor
    steps.append(
        (
            "PRP.TOTAL.depreciated",
            loss,
            (
                ("replacement_value", total.replacement_value),
                ("depreciation_rate", coverage.depreciation_rate),
                ("years_in_use", total.years_in_use),
                ("factor", factor),
            ),
        )
    )
    return loss


def _proportional(
    coverage: PropertyCoverage, claim: PropertyClaim, loss: Decimal, steps: list[RawStep]
) -> Decimal:
    insured_value = claim.insured_value
    if coverage.proportional and insured_value is not None and coverage.sum_insured < insured_value:
        loss = loss * coverage.sum_insured / insured_value
        steps.append(
            (
                "PRP.PROPORTIONAL",
                loss,
                (("sum_insured", coverage.sum_insured), ("insured_value", insured_value)),
            )
        )
    else:
        steps.append(
            (
                "PRP.PROPORTIONAL_NOT_APPLIED",
                loss,
                (
                    ("proportional", coverage.proportional),
                    ("sum_insured", coverage.sum_insured),
                    ("insured_value", insured_value),
                ),
            )
        )
    return loss


def _after_deductibles(
    code: str,
    loss: Decimal,
    liability_ratio: Decimal,
    deductible_rate: Decimal,
    deductible: Decimal,
    steps: list[RawStep],
) -> Decimal:
    amount = loss * liability_ratio * (ONE - deductible_rate) - deductible
    if amount < 0:
        amount = ZERO
    steps.append(
        (
            code,
            amount,
            (
                ("loss", loss),
                ("liability_ratio", liability_ratio),
                ("deductible_rate", deductible_rate),
                ("deductible", deductible),
            ),
        )
    )
    return amount


def adjudicate_property(
    coverage: PropertyCoverage,
    policy: Policy | None,
    history: History,
    claim: PropertyClaim,
) -> AdjudicationResult:
    steps: list[RawStep] = []
    reason = check_period("PRP", policy, coverage.waiting_period_days, claim.date_of_loss, steps)
    if reason is not None:
        return AdjudicationResult(coverage.type, ZERO, reason, steps=tuple(steps))

    if claim.repair is not None:
        loss = _repair_loss(claim, steps)
    else:
        loss = _total_loss(coverage, claim, steps)
    loss = _proportional(coverage, claim, loss, steps)
    amount = _after_deductibles(
        "PRP.FORMULA",
        loss,
        claim.liability_ratio,
        coverage.deductible_rate,
        coverage.deductible,
        steps,
    )
    remaining = coverage.sum_insured - history.paid
    if remaining < 0:
        remaining = ZERO
    capped = min(amount, remaining)
    steps.append(
        (
            "PRP.CAP",
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
    return AdjudicationResult(coverage.type, payable, reason, steps=tuple(steps))


def adjudicate_liability(
    coverage: LiabilityCoverage,
    policy: Policy | None,
    history: History,
    claim: LiabilityClaim,
) -> AdjudicationResult:
    del history  # the limit is per occurrence: earlier occurrences do not reduce it
    steps: list[RawStep] = []
    reason = check_period("LIA", policy, coverage.waiting_period_days, claim.date_of_loss, steps)
    if reason is not None:
        return AdjudicationResult(coverage.type, ZERO, reason, steps=tuple(steps))

    amount = _after_deductibles(
        "LIA.FORMULA",
        claim.damages,
        claim.liability_ratio,
        coverage.deductible_rate,
        coverage.deductible,
        steps,
    )
    capped = min(amount, coverage.limit)
    steps.append(("LIA.CAP", capped, (("amount", amount), ("limit", coverage.limit))))
    payable = round_money(capped)
    steps.append(("ROUND", payable, (("of", "payable"), ("exact", capped))))
    return AdjudicationResult(coverage.type, payable, steps=tuple(steps))
