"""Properties of the formulas over generated claims (SPEC GEN-1, ADJ-MED, ADJ-PRP, ADJ-LIA,
PRD-1 "never more than the expense actually borne")."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from claimdesk.rules.adjudication import (
    ExpenseLine,
    History,
    LiabilityClaim,
    LiabilityCoverage,
    MedicalClaim,
    MedicalCoverage,
    Policy,
    PropertyClaim,
    PropertyCoverage,
    Repair,
    TotalLoss,
    adjudicate,
)

YEAR = Policy(date(2026, 1, 1), date(2026, 12, 31))
DAY = date(2026, 6, 1)

money = st.integers(min_value=0, max_value=5_000_000_00).map(lambda c: Decimal(c) / 100)
small_money = st.integers(min_value=0, max_value=50_000_00).map(lambda c: Decimal(c) / 100)
ratio = st.integers(min_value=0, max_value=10_000).map(lambda r: Decimal(r) / 10_000)
lines = st.lists(
    st.builds(
        ExpenseLine,
        amount=small_money,
        catalog=st.sampled_from(["A", "B", "C", None]),
        kind=st.sampled_from(["drug", "treatment", "cosmetic"]),
        self_pay_ratio=ratio,
    ),
    min_size=1,
    max_size=8,
)
medical_coverage = st.builds(
    MedicalCoverage,
    sum_insured=money,
    deductible=small_money,
    payout_ratio=ratio,
    payout_ratio_without_social_insurance=st.one_of(st.none(), ratio),
    scope=st.sampled_from(["all_necessary", "social_insurance_only"]),
    excluded_kinds=st.sampled_from([frozenset(), frozenset({"cosmetic"})]),
)
medical_claim = st.builds(
    MedicalClaim,
    date_of_loss=st.just(DAY),
    lines=lines.map(tuple),
    settled_with_social_insurance=st.booleans(),
    social_insurance_paid=small_money,
    other_compensation=small_money,
)
history = st.builds(History, paid=money, deductible_used=small_money)


def two_places(value: Decimal) -> bool:
    return value.as_tuple().exponent == -2


def half_up(value: Fraction) -> Decimal:
    """An independent exact computation, rounded once at the end."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)  # terminating here
    return max(exact, Decimal(0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def reference_medical(cov: MedicalCoverage, claim: MedicalClaim, hist: History) -> Decimal:
    F = Fraction
    eligible = F(0)
    for line in claim.lines:
        if line.kind in cov.excluded_kinds:
            continue
        if cov.scope == "all_necessary" or line.catalog == "A":
            eligible += F(line.amount)
        elif line.catalog == "B":
            eligible += F(line.amount) * (1 - F(line.self_pay_ratio or 0))
    net = max(F(0), eligible - F(claim.social_insurance_paid) - F(claim.other_compensation))
    left = max(F(0), F(cov.deductible) - F(hist.deductible_used))
    base = net - min(net, left)
    r = cov.payout_ratio
    without = cov.payout_ratio_without_social_insurance
    if not claim.settled_with_social_insurance and without is not None:
        r = without
    return half_up(min(base * F(r), max(F(0), F(cov.sum_insured) - F(hist.paid))))


@settings(max_examples=150, deadline=None)
@given(medical_coverage, medical_claim, history)
def test_medical_payable_bounds_and_single_rounding(
    cov: MedicalCoverage, claim: MedicalClaim, hist: History
) -> None:
    # SPEC ADJ-MED GEN-1 PRD-1
    result = adjudicate(cov, claim, policy=YEAR, history=hist)
    payable = result.payable
    assert payable >= 0 and two_places(payable)
    assert payable <= max(Decimal(0), cov.sum_insured - hist.paid)
    borne = sum((line.amount for line in claim.lines), Decimal(0))
    borne -= claim.social_insurance_paid + claim.other_compensation
    assert payable <= max(borne, Decimal(0))
    assert payable == reference_medical(cov, claim, hist)
    for figure in (result.eligible, result.deductible_applied):
        assert figure is not None and figure >= 0 and two_places(figure)


@settings(max_examples=100, deadline=None)
@given(medical_coverage, medical_claim, history, lines)
def test_medical_adding_lines_never_lowers_payable(
    cov: MedicalCoverage, claim: MedicalClaim, hist: History, extra: list[ExpenseLine]
) -> None:
    # SPEC ADJ-MED: monotone in expense.
    more = MedicalClaim(
        claim.date_of_loss,
        claim.lines + tuple(extra),
        claim.settled_with_social_insurance,
        claim.social_insurance_paid,
        claim.other_compensation,
    )
    before = adjudicate(cov, claim, policy=YEAR, history=hist).payable
    after = adjudicate(cov, more, policy=YEAR, history=hist).payable
    assert after >= before


@settings(max_examples=150, deadline=None)
@given(
    sum_insured=money,
    deductible=small_money,
    rate=ratio,
    liability=ratio,
    repair=st.builds(Repair, materials=money, labour=small_money, salvage=small_money),
    actual=st.one_of(st.none(), money),
    insured=st.one_of(st.none(), money.filter(lambda v: v > 0)),
    paid=money,
)
def test_property_payable_bounds_and_single_rounding(
    sum_insured: Decimal,
    deductible: Decimal,
    rate: Decimal,
    liability: Decimal,
    repair: Repair,
    actual: Decimal | None,
    insured: Decimal | None,
    paid: Decimal,
) -> None:
    # SPEC ADJ-PRP GEN-1
    cov = PropertyCoverage(sum_insured, deductible, rate, proportional=True)
    claim = PropertyClaim(
        DAY, repair=repair, actual_value=actual, insured_value=insured, liability_ratio=liability
    )
    payable = adjudicate(cov, claim, policy=YEAR, history=History(paid=paid)).payable
    assert payable >= 0 and two_places(payable)
    assert payable <= max(Decimal(0), sum_insured - paid)
    F = Fraction
    loss = max(F(0), F(repair.materials) + F(repair.labour) - F(repair.salvage))
    if actual is not None:
        loss = min(loss, F(actual))
    if insured is not None and sum_insured < insured:
        loss = loss * F(sum_insured) / F(insured)
    exact = max(F(0), loss * F(liability) * (1 - F(rate)) - F(deductible))
    exact = min(exact, max(F(0), F(sum_insured) - F(paid)))
    # The quotient may recur: compare with the exact rational rounded once, half-up.
    cents = exact * 100
    floor = cents.numerator // cents.denominator
    expected = floor + (1 if cents - floor >= F(1, 2) else 0)
    assert payable == Decimal(expected) / 100


@settings(max_examples=100, deadline=None)
@given(
    replacement=money,
    years=st.integers(min_value=0, max_value=40),
    dep=ratio,
    sum_insured=money,
)
def test_total_loss_depreciated_never_negative(
    replacement: Decimal, years: int, dep: Decimal, sum_insured: Decimal
) -> None:
    # SPEC ADJ-PRP: replacement × max(0, 1 − rate × years).
    cov = PropertyCoverage(sum_insured, valuation="depreciated", depreciation_rate=dep)
    claim = PropertyClaim(DAY, total_loss=TotalLoss(replacement, years))
    payable = adjudicate(cov, claim, policy=YEAR).payable
    expected = half_up(
        min(
            Fraction(replacement) * max(Fraction(0), 1 - Fraction(dep) * years),
            Fraction(sum_insured),
        )
    )
    assert payable == expected


@settings(max_examples=150, deadline=None)
@given(limit=money, deductible=small_money, rate=ratio, damages=money, liability=ratio)
def test_liability_never_negative_never_above_limit(
    limit: Decimal, deductible: Decimal, rate: Decimal, damages: Decimal, liability: Decimal
) -> None:
    # SPEC ADJ-LIA GEN-1
    cov = LiabilityCoverage(limit, deductible, rate)
    payable = adjudicate(cov, LiabilityClaim(DAY, damages, liability), policy=YEAR).payable
    assert Decimal(0) <= payable <= limit and two_places(payable)
    exact = Fraction(damages) * Fraction(liability) * (1 - Fraction(rate)) - Fraction(deductible)
    assert payable == half_up(min(max(exact, Fraction(0)), Fraction(limit)))
