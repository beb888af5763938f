"""The adjustment engine through its typed API: formulas, reasons, trace (SPEC section 5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from claimdesk.errors import ValidationFailed
from claimdesk.rules.adjudication import (
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
    Policy,
    PropertyClaim,
    PropertyCoverage,
    Repair,
    adjudicate,
)
from claimdesk.rules.adjudication import errors as E
from claimdesk.rules.adjudication.accident import GRADE_PERCENT
from tests.wording import field_in

YEAR = Policy(date(2026, 1, 1), date(2026, 12, 31))
MED = MedicalCoverage(
    sum_insured=D("2000000.00"),
    deductible=D("10000.00"),
    payout_ratio=D("1.00"),
    payout_ratio_without_social_insurance=D("0.60"),
    excluded_kinds=frozenset({"cosmetic"}),
    waiting_period_days=30,
)


def med_claim(*amounts: str, settled: bool = True, on: date = date(2026, 3, 10)) -> MedicalClaim:
    return MedicalClaim(on, tuple(ExpenseLine(D(a), "A", "drug") for a in amounts), settled)


def test_per3_grade_table() -> None:
    # SPEC PER-3
    assert [GRADE_PERCENT[g] for g in range(1, 11)] == [
        D("1"),
        D("0.9"),
        D("0.8"),
        D("0.7"),
        D("0.6"),
        D("0.5"),
        D("0.4"),
        D("0.3"),
        D("0.2"),
        D("0.1"),
    ]


def test_medical_result_figures_and_trace_steps_in_order() -> None:
    # SPEC ADJ-MED CLM-C1 CLM-C3: each step is traced with its clause and both languages.
    result = adjudicate(MED, med_claim("30000.00", "1000.00"), policy=YEAR)
    assert (result.payable, result.eligible, result.deductible_applied) == (
        D("21000.00"),
        D("31000.00"),
        D("10000.00"),
    )
    codes = [s.code for s in result.trace]
    assert codes == [
        "MED.PERIOD",
        "MED.WAITING",
        "MED.LINE.ALL",
        "MED.LINE.ALL",
        "MED.ELIGIBLE",
        "MED.NET",
        "MED.DEDUCTIBLE",
        "MED.BASE",
        "MED.RATIO",
        "MED.CAP",
        "ROUND",
    ]
    for step in result.trace:
        assert step.clause and step.zh and step.en
    ded = next(s for s in result.trace if s.code == "MED.DEDUCTIBLE")
    assert ded.clause == "ADJ-MED step 3"
    assert ded.inputs["deductible_remaining"] == "10000.00"
    assert result.trace[-1].figure == "21000.00"


def test_deductible_used_by_a_zero_claim_is_zero() -> None:
    # SPEC ADJ-MED step 5: a claim outside cover uses no deductible.
    result = adjudicate(MED, med_claim("5000.00", on=date(2026, 1, 5)), policy=YEAR)
    assert (result.payable, result.reason, result.deductible_applied) == (
        D("0.00"),
        "waiting_period",
        D("0.00"),
    )


def test_without_policy_the_period_is_not_checked() -> None:
    # SPEC ADJ-MED (actuary what-if): no policy, no period check, and the trace says so.
    result = adjudicate(MED, med_claim("10000.50", on=date(2020, 1, 1)))
    assert result.payable == D("0.50")
    assert result.trace[0].code == "MED.NO_POLICY"


SURRENDERED = Policy(date(2026, 1, 1), date(2026, 12, 31), terminated_on=date(2026, 6, 1))


def test_a_loss_before_a_termination_is_paid_as_before() -> None:
    # SPEC ADJ-MED step 5, POL-3: the day before a surrender takes effect is covered; the
    # figures are those of the policy never terminated, the step names the termination
    loss = med_claim("30000.00", "1000.00", on=date(2026, 5, 31))
    result = adjudicate(MED, loss, policy=SURRENDERED)
    unterminated = adjudicate(MED, loss, policy=YEAR)
    assert (result.payable, result.reason) == (D("21000.00"), None)
    assert result.payable == unterminated.payable
    period = result.trace[0]
    assert (period.code, period.figure) == ("MED.PERIOD", "in_force")
    assert period.inputs["terminated_on"] == "2026-06-01"


@pytest.mark.parametrize("on", [date(2026, 6, 1), date(2026, 11, 30)])
def test_a_loss_on_or_after_a_termination_is_not_in_force(on: date) -> None:
    # SPEC ADJ-MED step 5, CLM-V2, POL-3 (rules.cover): cover ends the day the
    # termination takes effect, inside the period; the words name the day
    result = adjudicate(MED, med_claim("30000.00", on=on), policy=SURRENDERED)
    assert (result.payable, result.reason, result.deductible_applied) == (
        D("0.00"),
        "not_in_force",
        D("0.00"),
    )
    period = result.trace[0]
    assert (period.code, period.figure) == ("MED.PERIOD", "not_in_force")
    assert (period.inputs["end"], period.inputs["terminated_on"]) == ("2026-12-31", "2026-06-01")
    assert "本保单已于 2026-06-01 解除" in period.zh
    assert "terminated on 2026-06-01" in period.en


def test_a_termination_on_the_first_day_covers_no_day() -> None:
    # SPEC POL-3, CLM-V2: surrendered the day cover began (a cooling-off surrender) — no
    # day covered, and no "period reversed" refusal; a death cover alike
    first = Policy(date(2026, 1, 1), date(2026, 12, 31), terminated_on=date(2026, 1, 1))
    assert adjudicate(MED, med_claim("100.00", on=date(2026, 1, 1)), policy=first).reason == (
        "not_in_force"
    )
    death = adjudicate(DeathCoverage(D("500000.00")), DeathClaim(date(2026, 3, 1)), policy=first)
    assert (death.payable, death.reason) == (D("0.00"), "not_in_force")


def test_a_termination_after_the_period_changes_nothing() -> None:
    # SPEC POL-3: a termination taking effect after the period's end does not end cover
    late = Policy(date(2026, 1, 1), date(2026, 12, 31), terminated_on=date(2027, 1, 1))
    result = adjudicate(MED, med_claim("30000.00", on=date(2026, 12, 31)), policy=late)
    assert (result.payable, result.reason) == (D("20000.00"), None)
    assert "terminated_on" not in result.trace[0].inputs
    assert result.trace[0].en == (
        "The date of loss must fall inside the policy period (both days included)"
    )


def test_critical_illness_severe_pays_once_then_ends() -> None:
    # SPEC ADJ-CI
    cov = CriticalIllnessCoverage(D("100000.00"), frozenset({"CI-01"}))
    first = adjudicate(cov, CriticalIllnessClaim(date(2026, 2, 1), "CI-01"), policy=YEAR)
    assert first.payable == D("100000.00")
    again = adjudicate(
        cov,
        CriticalIllnessClaim(date(2026, 3, 1), "CI-01"),
        policy=YEAR,
        history=History(severe_paid=True),
    )
    assert (again.payable, again.reason) == (D("0.00"), "coverage_ended")


def test_death_after_disability_and_trace() -> None:
    # SPEC ADJ-DTH
    result = adjudicate(
        DeathCoverage(D("300000.00")),
        DeathClaim(date(2026, 9, 3)),
        policy=YEAR,
        history=History(disability_paid=D("120000.00")),
    )
    assert result.payable == D("180000.00")
    assert "DTH.AMOUNT" in [s.code for s in result.trace]


def test_disability_grade_raise_is_traced() -> None:
    # SPEC ADJ-DIS PER-3
    result = adjudicate(
        DisabilityCoverage(D("100000.00")),
        DisabilityClaim(date(2026, 4, 1), (3, 3, 3)),
        policy=YEAR,
    )
    assert (result.grade, result.payable) == (2, D("90000.00"))
    raise_step = next(s for s in result.trace if s.code == "DIS.RAISE")
    assert raise_step.inputs["injuries_at_grade"] == "3"


def test_property_repair_without_actual_value_is_not_capped() -> None:
    # SPEC ADJ-PRP CLM-L1
    cov = PropertyCoverage(D("10000.00"))
    claim = PropertyClaim(date(2026, 5, 1), repair=Repair(D("100.00"), D("50.00"), D("200.00")))
    assert adjudicate(cov, claim, policy=YEAR).payable == D("0.00")  # salvage above cost: 0
    claim = PropertyClaim(date(2026, 5, 1), repair=Repair(D("20000.00")))
    result = adjudicate(cov, claim, policy=YEAR)
    assert result.payable == D("10000.00")  # remaining sum insured caps it


def test_liability_ignores_history_the_limit_is_per_occurrence() -> None:
    # SPEC ADJ-LIA
    cov = LiabilityCoverage(D("10000.00"))
    claim = LiabilityClaim(date(2026, 5, 1), D("4000.00"), D("0.25"))
    result = adjudicate(cov, claim, policy=YEAR, history=History(paid=D("10000.00")))
    assert result.payable == D("1000.00")


def test_claim_of_another_type_is_refused() -> None:
    # SPEC GEN-6
    with pytest.raises(E.ClaimDoesNotMatchCoverage) as caught:
        adjudicate(MED, DeathClaim(date(2026, 5, 1)))
    assert caught.value.field == "claim"
    assert isinstance(caught.value, ValidationFailed)


@pytest.mark.parametrize(
    ("make", "error", "field"),
    [
        (lambda: ExpenseLine(D("-1.00"), "A"), E.NegativeAmount, "amount"),
        (lambda: ExpenseLine(D("1.001"), "A"), E.MalformedAmount, "amount"),
        (lambda: ExpenseLine(D("NaN"), "A"), E.MalformedAmount, "amount"),
        (lambda: ExpenseLine(D("1E+20"), "A"), E.AmountTooLarge, "amount"),
        (lambda: ExpenseLine(D("1.00"), "D"), E.InvalidChoice, "catalog"),
        (
            lambda: ExpenseLine(D("1.00"), "B", self_pay_ratio=D("1.5")),
            E.RatioOutOfRange,
            "self_pay_ratio",
        ),
        (
            lambda: MedicalCoverage(D("1.00"), payout_ratio=D("-0.1")),
            E.RatioOutOfRange,
            "payout_ratio",
        ),
        (lambda: MedicalCoverage(D("1.00"), scope="everything"), E.InvalidChoice, "scope"),
        (
            lambda: DisabilityClaim(date(2026, 1, 1), (0,)),
            E.DisabilityGradeOutOfRange,
            "injuries[0].grade",
        ),
        (
            lambda: DisabilityClaim(date(2026, 1, 1), (4, 11)),
            E.DisabilityGradeOutOfRange,
            "injuries[1].grade",
        ),
        (lambda: DisabilityClaim(date(2026, 1, 1), ()), E.EmptyList, "injuries"),
        (lambda: Policy(date(2026, 2, 1), date(2026, 1, 1)), E.PolicyPeriodReversed, "end"),
        (lambda: PropertyCoverage(D("1.00"), valuation="agreed"), E.MissingField, "agreed_value"),
        (lambda: MedicalClaim(date(2026, 1, 1), ()), E.EmptyList, "lines"),
        (lambda: ExpenseLine(1.5, "A"), E.MalformedAmount, "amount"),  # type: ignore[arg-type]
    ],
)
def test_bad_typed_input_raises_named_error(make, error, field) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-6 GEN-1: no float, no negative, ratios in [0,1], grades 1..10.
    with pytest.raises(error) as caught:
        make()
    assert caught.value.field == field
    assert caught.value.status_code == 422
    assert field_in(field, "zh-CN") in caught.value.message("zh-CN")
    assert field_in(field, "en") in caught.value.message("en")


def test_b_line_without_self_pay_ratio_under_social_insurance_scope() -> None:
    # SPEC ADJ-MED step 1 GEN-6
    cov = MedicalCoverage(D("1000.00"), scope="social_insurance_only")
    claim = MedicalClaim(
        date(2026, 5, 1), (ExpenseLine(D("10.00"), "A"), ExpenseLine(D("10.00"), "B"))
    )
    with pytest.raises(E.MissingField) as caught:
        adjudicate(cov, claim)
    assert caught.value.field == "lines[1].self_pay_ratio"
