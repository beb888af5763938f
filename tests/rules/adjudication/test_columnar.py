"""The vectorised medical engine equals the Decimal engine on every claim (SPEC ADJ-MED,
GEN-1; issue 14 item 4): payable, eligible, deductible applied and reason, bit for bit."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimdesk.rules.adjudication import (
    ExpenseLine,
    History,
    MedicalClaim,
    MedicalCoverage,
    Policy,
    adjudicate,
)
from claimdesk.rules.adjudication.columnar import (
    REASONS,
    adjudicate_medical_batch,
    batch_of,
    money,
    terms_of,
)
from claimdesk.rules.adjudication.errors import MissingField

START = date(2026, 1, 1)
YEAR = Policy(START, date(2026, 12, 31))


def cents(top: int) -> st.SearchStrategy[Decimal]:
    return st.integers(min_value=0, max_value=top).map(lambda c: Decimal(c) / 100)


def ratio(places: int) -> st.SearchStrategy[Decimal]:
    # Ratios of up to ``places`` decimals, 0 and 1 included; written as "0.50" or "0.5".
    top = 10**places
    return st.integers(min_value=0, max_value=top).map(lambda r: Decimal(r) / top)


any_ratio = st.integers(min_value=0, max_value=10).flatmap(ratio)
line = st.builds(
    ExpenseLine,
    amount=st.one_of(cents(5_000_000), cents(10**16 - 1)),  # huge ones take the wide path
    catalog=st.sampled_from(["A", "B", "C", None]),
    kind=st.sampled_from(["drug", "treatment", "cosmetic"]),
    self_pay_ratio=st.one_of(any_ratio, ratio(2)),
)
coverage = st.builds(
    MedicalCoverage,
    sum_insured=st.one_of(cents(10_000_000), st.just(Decimal(0))),
    deductible=st.one_of(cents(2_000_000), cents(10**16 - 1)),
    payout_ratio=any_ratio,
    payout_ratio_without_social_insurance=st.one_of(st.none(), any_ratio),
    scope=st.sampled_from(["all_necessary", "social_insurance_only"]),
    excluded_kinds=st.sampled_from([frozenset(), frozenset({"cosmetic"})]),
    waiting_period_days=st.sampled_from([0, 30, 90]),
    type=st.sampled_from(["medical", "accident_medical"]),
)
claim = st.builds(
    MedicalClaim,
    date_of_loss=st.integers(min_value=-20, max_value=380).map(lambda d: START + timedelta(d)),
    lines=st.lists(line, min_size=1, max_size=6).map(tuple),
    settled_with_social_insurance=st.booleans(),
    social_insurance_paid=st.one_of(cents(3_000_000), cents(10**16 - 1)),
    other_compensation=cents(1_000_000),
)
history = st.builds(
    History,
    paid=st.one_of(cents(10_000_000), st.just(Decimal(0))),
    deductible_used=cents(2_000_000),
)
policy = st.one_of(
    st.none(),
    st.just(YEAR),
    # Surrendered (POL-3): cover ends the day the termination takes effect, from the
    # first day to after the period's end.
    st.integers(min_value=0, max_value=380).map(
        lambda d: Policy(START, YEAR.end, terminated_on=START + timedelta(d))
    ),
)


def decimal_figures(
    cov: MedicalCoverage, c: MedicalClaim, pol: Policy | None, hist: History
) -> tuple[Decimal, Decimal | None, Decimal | None, str | None]:
    result = adjudicate(cov, c, policy=pol, history=hist)
    return result.payable, result.eligible, result.deductible_applied, result.reason


@settings(max_examples=300, deadline=None)
@given(cov=coverage, jobs=st.lists(st.tuples(claim, policy, history), min_size=1, max_size=12))
def test_vectorised_equals_decimal_engine(
    cov: MedicalCoverage, jobs: list[tuple[MedicalClaim, Policy | None, History]]
) -> None:
    # SPEC ADJ-MED (steps 1-5: exclusions, 甲/乙/丙, scope, deductible, ratio for claimants
    # outside social insurance, cap, waiting period, not in force — a termination's
    # effective date included, POL-3)
    # SPEC GEN-1 (one half-up rounding at the end, floor at 0): equal on every claim.
    expected = []
    for c, pol, hist in jobs:
        try:
            expected.append(decimal_figures(cov, c, pol, hist))
        except MissingField:
            expected.append(None)
    batch = batch_of(cov, [(c, pol, h.paid, h.deductible_used) for c, pol, h in jobs])
    if None in expected:
        # A 乙 line without its ratio on a claim that is priced: both engines refuse.
        with pytest.raises(MissingField):
            adjudicate_medical_batch(terms_of(cov), batch)
        return
    result = adjudicate_medical_batch(terms_of(cov), batch)
    got = [
        (
            money(int(result.payable[i])),
            money(int(result.eligible[i])),
            money(int(result.deductible_applied[i])),
            REASONS[result.reason[i]],
        )
        for i in range(len(jobs))
    ]
    assert got == expected


def medical(**overrides: object) -> MedicalCoverage:
    values: dict[str, object] = {
        "sum_insured": Decimal("1000.00"),
        "deductible": Decimal("100.00"),
        "payout_ratio": Decimal("0.8"),
        "payout_ratio_without_social_insurance": Decimal("0.6"),
        "scope": "social_insurance_only",
        "excluded_kinds": frozenset({"cosmetic"}),
        "waiting_period_days": 30,
    }
    values.update(overrides)
    return MedicalCoverage(**values)  # type: ignore[arg-type]


def one(cov: MedicalCoverage, c: MedicalClaim, pol: Policy | None = YEAR) -> tuple[str, ...]:
    batch = batch_of(cov, [(c, pol, Decimal(0), Decimal(0))])
    result = adjudicate_medical_batch(terms_of(cov), batch)
    return (
        str(money(int(result.payable[0]))),
        str(money(int(result.eligible[0]))),
        str(REASONS[result.reason[0]]),
    )


def test_edge_cases_by_hand() -> None:
    # SPEC ADJ-MED GEN-1: worked figures, each checked against the Decimal engine too.
    cov = medical()
    day = date(2026, 6, 1)
    cases = [
        # 乙 line 33.33 × (1 − 0.15) = 28.3305; deductible 100 takes it all: 0, no reason.
        (MedicalClaim(day, (ExpenseLine(Decimal("33.33"), "B", "drug", Decimal("0.15")),)), None),
        # Half a fen at the end rounds up: (1000.01 − 100) × 0.5 = 450.005 → 450.01.
        (
            MedicalClaim(day, (ExpenseLine(Decimal("1000.01"), "A", "drug"),), True),
            medical(payout_ratio=Decimal("0.5")),
        ),
        # Only 丙 and excluded lines: nothing eligible.
        (
            MedicalClaim(
                day,
                (
                    ExpenseLine(Decimal("50.00"), "C", "drug"),
                    ExpenseLine(Decimal("70.00"), "A", "cosmetic"),
                ),
            ),
            None,
        ),
        # Social insurance paid more than eligible: net floored at 0.
        (MedicalClaim(day, (ExpenseLine(Decimal("10"), "A"),), True, Decimal("99")), None),
        # Cap at the remaining sum insured.
        (MedicalClaim(day, (ExpenseLine(Decimal("99999.99"), "A"),), False), None),
        # Waiting period and not in force.
        (MedicalClaim(date(2026, 1, 15), (ExpenseLine(Decimal("500"), "A"),)), None),
        (MedicalClaim(date(2027, 1, 1), (ExpenseLine(Decimal("500"), "A"),)), None),
    ]
    got = [one(c_cov or cov, c) for c, c_cov in cases]
    assert got == [
        ("0.00", "28.33", "None"),
        ("450.01", "1000.01", "None"),
        ("0.00", "0.00", "not_covered"),
        ("0.00", "10.00", "None"),
        ("1000.00", "99999.99", "None"),
        ("0.00", "0.00", "waiting_period"),
        ("0.00", "0.00", "not_in_force"),
    ]
    for c, c_cov in cases:
        payable, eligible, _, reason = decimal_figures(c_cov or cov, c, YEAR, History())
        assert (str(payable), str(eligible), str(reason)) in got


def test_int64_overflow_goes_wide_and_stays_exact() -> None:
    # SPEC GEN-1: amounts near the 10**15 bound times 4-place ratios cannot be done in
    # int64; those claims are priced on Python integers with the same result.
    cov = medical(
        sum_insured=Decimal("999999999999999.99"),
        deductible=Decimal("0"),
        payout_ratio=Decimal("0.3333"),
    )
    huge = ExpenseLine(Decimal("999999999999999.99"), "B", "drug", Decimal("0.0001"))
    c = MedicalClaim(date(2026, 6, 1), (huge, huge, huge), True)
    small = MedicalClaim(date(2026, 6, 1), (ExpenseLine(Decimal("1.00"), "A"),), True)
    batch = batch_of(
        cov, [(c, YEAR, Decimal(0), Decimal(0)), (small, YEAR, Decimal(0), Decimal(0))]
    )
    result = adjudicate_medical_batch(terms_of(cov), batch)
    assert result.wide_claims == 1
    for i, item in enumerate((c, small)):
        expected = adjudicate(cov, item, policy=YEAR)
        assert money(int(result.payable[i])) == expected.payable
        assert money(int(result.eligible[i])) == expected.eligible
    assert np.asarray(result.payable).dtype == np.int64
