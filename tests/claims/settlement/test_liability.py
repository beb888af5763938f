"""The liability decision's own rules (claims.settlement.liability), without a database:
a covered decision states its items — liabilities of the product, the adjusted coverage
among them — and the ratio and deductible the calculation applies; a not-covered one
its written reason, the clause's text and the evidence (SPEC CLM-C1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from claimdesk.claims.errors import (
    CoveredItemNotInProduct,
    CoveredItemsMissTheCoverage,
    CoveredItemsRequired,
    LiabilityTermMismatch,
    RejectionNeedsClause,
)
from claimdesk.claims.schemas import AdjustmentIn
from claimdesk.claims.settlement.liability import (
    LiabilityItem,
    Terms,
    check_covered,
    check_in_force,
    check_not_covered,
    items_in_words,
    stated_terms,
)
from claimdesk.errors import ClaimdeskError
from claimdesk.rules.adjudication import types as t
from claimdesk.rules.adjudication.accident import adjudicate_disability
from claimdesk.rules.adjudication.medical import adjudicate_medical
from claimdesk.rules.adjudication.property_liability import adjudicate_liability

D = Decimal
POLICY = t.Policy(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
LOSS = dt.date(2026, 9, 8)
# The accident product's liabilities, in its order (products.demo ACC-PLUS).
ACCIDENT = [
    LiabilityItem("death", "意外身故保险金"),
    LiabilityItem("disability", "意外伤残保险金"),
    LiabilityItem("acc_medical", "意外医疗保险金"),
]
TERMS = Terms(ratio=D("0.9"), deductible=D("100.00"))


def decision(**changes: Any) -> AdjustmentIn:
    body: dict[str, Any] = {
        "coverage_code": "disability",
        "liability": "covered",
        "covered_items": ["disability"],
        **changes,
    }
    return AdjustmentIn.model_validate(body)


def test_a_covered_decision_states_the_products_items_in_its_order() -> None:
    # SPEC CLM-C1: a code named twice is one item; the product's order, not the typing's
    items = check_covered(
        decision(covered_items=["acc_medical", "disability", "disability"]),
        items=ACCIDENT,
        terms=TERMS,
    )
    assert [i.code for i in items] == ["disability", "acc_medical"]
    assert items_in_words(items) == "意外伤残保险金、意外医疗保险金"


def test_a_covered_decision_without_items_is_refused_naming_the_field_and_the_choices() -> None:
    # SPEC CLM-C1, GEN-6: the known defect — covered with no items was accepted
    with pytest.raises(CoveredItemsRequired) as refused:
        check_covered(decision(covered_items=[]), items=ACCIDENT, terms=TERMS)
    assert refused.value.field == "covered_items" and refused.value.status_code == 422
    zh, en = refused.value.message("zh-CN"), refused.value.message("en")
    assert zh.startswith("赔付项目：") and "意外伤残保险金（disability）" in zh
    assert en.startswith("Covered items: ") and "must state its items" in en


def test_an_item_the_product_does_not_have_is_refused_where_it_was_named() -> None:
    # SPEC CLM-C1, GEN-6
    with pytest.raises(CoveredItemNotInProduct) as refused:
        check_covered(
            decision(covered_items=["disability", "outpatient"]), items=ACCIDENT, terms=TERMS
        )
    assert refused.value.field == "covered_items.1"
    assert "“outpatient”不是本保单产品的保险责任" in refused.value.message("zh-CN")
    assert "is not a liability of the policy's product" in refused.value.message("en")


def test_the_items_must_include_the_coverage_adjusted() -> None:
    # SPEC CLM-C1: death's items cannot pay the disability coverage's amount
    with pytest.raises(CoveredItemsMissTheCoverage) as refused:
        check_covered(decision(covered_items=["death"]), items=ACCIDENT, terms=TERMS)
    assert refused.value.field == "covered_items"
    assert "意外伤残保险金" in refused.value.message("zh-CN")


@pytest.mark.parametrize(
    ("sent", "field"),
    [({"ratio": "0.8"}, "ratio"), ({"deductible": "0.00"}, "deductible")],
)
def test_a_ratio_or_deductible_sent_must_be_the_one_the_calculation_applies(
    sent: dict[str, str], field: str
) -> None:
    # SPEC CLM-C1: stated, never retyped differently from the product and the assessment
    with pytest.raises(LiabilityTermMismatch) as refused:
        check_covered(decision(**sent), items=ACCIDENT, terms=TERMS)
    assert refused.value.field == field
    assert "与产品条款及定损结果确定的" in refused.value.message("zh-CN")
    check_covered(decision(ratio="0.90", deductible="100"), items=ACCIDENT, terms=TERMS)


@pytest.mark.parametrize("missing", ["rejection_reason", "rejection_clause", "rejection_evidence"])
def test_a_not_covered_decision_needs_reason_clause_and_evidence(missing: str) -> None:
    # SPEC CLM-C1: the written reason with the clause text and the evidence
    grounds = {
        "rejection_reason": "出险时保单已失效",
        "rejection_clause": "第五条 保险期间……",
        "rejection_evidence": "保单记录；出险证明",
    }
    grounds[missing] = "  "
    with pytest.raises(RejectionNeedsClause) as refused:
        check_not_covered(decision(liability="not_covered", covered_items=[], **grounds))
    assert refused.value.field == missing
    assert "理由、合同条款原文及证据" in refused.value.message("zh-CN")
    assert "the written reason, the clause text and the evidence" in refused.value.message("en")


def test_medical_terms_are_the_ratio_applied_and_the_deductible_taken() -> None:
    # SPEC CLM-C1, ADJ-MED: without social insurance the product's other ratio applies
    coverage = t.MedicalCoverage(
        sum_insured=D("3000000.00"),
        deductible=D("10000.00"),
        payout_ratio=D("1.00"),
        payout_ratio_without_social_insurance=D("0.60"),
    )
    for settled, ratio in ((True, D("1.00")), (False, D("0.60"))):
        facts = t.MedicalClaim(
            date_of_loss=LOSS,
            lines=(t.ExpenseLine(amount=D("25000.00")),),
            settled_with_social_insurance=settled,
        )
        result = adjudicate_medical(coverage, POLICY, t.NO_HISTORY, facts)
        assert stated_terms(coverage, facts, result) == Terms(ratio, D("10000.00"))


def test_liability_terms_are_the_insureds_share_and_both_deductibles() -> None:
    # SPEC CLM-C1, ADJ-LIA: the ratio is the insured's liability ratio
    coverage = t.LiabilityCoverage(
        limit=D("1000000.00"), deductible=D("1000.00"), deductible_rate=D("0.10")
    )
    facts = t.LiabilityClaim(date_of_loss=LOSS, damages=D("50000.00"), liability_ratio=D("0.7"))
    result = adjudicate_liability(coverage, POLICY, t.NO_HISTORY, facts)
    assert stated_terms(coverage, facts, result) == Terms(D("0.7"), D("1000.00"), D("0.10"))


def test_fixed_benefits_state_their_share_of_the_sum_insured() -> None:
    # SPEC CLM-C1, PER-3: grade 3 pays 80% of the sum insured, no deductible
    coverage = t.DisabilityCoverage(sum_insured=D("500000.00"))
    facts = t.DisabilityClaim(date_of_loss=LOSS, injuries=(3,))
    result = adjudicate_disability(coverage, POLICY, t.NO_HISTORY, facts)
    assert stated_terms(coverage, facts, result) == Terms(D("0.8"), D("0.00"))
    mild = t.CriticalIllnessCoverage(
        sum_insured=D("500000.00"),
        severe=frozenset({"cancer_severe"}),
        mild=t.MildBenefit(diseases=frozenset({"cancer_mild"}), percent=D("0.20")),
    )
    ci = t.CriticalIllnessClaim(date_of_loss=LOSS, disease="cancer_mild")
    zero = t.AdjudicationResult("critical_illness", D("0.00"))
    assert stated_terms(mild, ci, zero) == Terms(D("0.20"), D("0.00"))
    death = t.DeathCoverage(sum_insured=D("500000.00"))
    assert stated_terms(death, t.DeathClaim(date_of_loss=LOSS), zero) == Terms(D(1), D("0.00"))


def _judged(loss: dt.date, *, end: dt.date, terminated_on: dt.date | None) -> t.AdjudicationResult:
    """The engine's period step (ADJ-MED step 5) on a 2026-01-01 .. ``end`` policy."""
    from claimdesk.rules.adjudication.period import check_period

    steps: list[t.RawStep] = []
    policy = t.Policy(start=dt.date(2026, 1, 1), end=end, terminated_on=terminated_on)
    found = check_period("MED", policy, 0, loss, steps)
    return t.AdjudicationResult("medical", Decimal("0.00"), found, steps=tuple(steps))


@pytest.mark.parametrize(
    ("loss", "end", "code"),
    [
        (dt.date(2026, 9, 28), dt.date(2026, 12, 31), "covered_after_termination"),
        (dt.date(2026, 10, 5), dt.date(2026, 12, 31), "covered_after_termination"),
        # After the period's end too: said as the period, as the intake flag says it.
        (dt.date(2026, 10, 5), dt.date(2026, 9, 30), "covered_outside_period"),
        (dt.date(2025, 12, 31), dt.date(2026, 12, 31), "covered_outside_period"),
    ],
)
def test_a_covered_decision_needs_a_loss_the_policy_covered(
    loss: dt.date, end: dt.date, code: str
) -> None:
    # SPEC CLM-C1, POL-3 (rules.cover): terminated with effect from 2026-09-28
    with pytest.raises(ClaimdeskError) as refused:
        check_in_force(_judged(loss, end=end, terminated_on=dt.date(2026, 9, 28)))
    assert (refused.value.code, refused.value.field) == (code, "liability")
    if code == "covered_after_termination":
        assert refused.value.params["terminated_on"] == "2026-09-28"


def test_a_covered_loss_or_one_the_day_before_the_termination_passes() -> None:
    # SPEC CLM-C1, POL-3: the day before the termination's effective date is covered
    day_before = _judged(
        dt.date(2026, 9, 27), end=dt.date(2026, 12, 31), terminated_on=dt.date(2026, 9, 28)
    )
    assert check_in_force(day_before) is None


@pytest.mark.parametrize(
    ("loss", "end", "terminated_on"),
    [
        (dt.date(2026, 9, 27), dt.date(2026, 12, 31), dt.date(2026, 9, 28)),  # covered
        (dt.date(2026, 9, 28), dt.date(2026, 12, 31), dt.date(2026, 9, 28)),
        (dt.date(2026, 10, 5), dt.date(2026, 9, 30), dt.date(2026, 9, 28)),
        (dt.date(2025, 12, 31), dt.date(2026, 12, 31), None),
        (dt.date(2026, 6, 1), dt.date(2026, 12, 31), None),  # covered
    ],
)
def test_cover_of_the_policy_now_is_the_adjusters_and_the_intake_flags_judgement(
    loss: dt.date, end: dt.date, terminated_on: dt.date | None
) -> None:
    # SPEC CLM-C1, CLM-V2, CLM-T3, CLM-R2, POL-3: the review's and the correction's
    # judgement (cover_of, the engine's period step on the policy as it stands) finds
    # what the adjuster's refusal finds and names the days the intake flag names
    from claimdesk.claims.intake.report import loss_outside_period
    from claimdesk.claims.settlement.liability import cover_of, out_of_cover

    policy = t.Policy(start=dt.date(2026, 1, 1), end=end, terminated_on=terminated_on)
    found = cover_of(policy, loss)
    assert found == out_of_cover(_judged(loss, end=end, terminated_on=terminated_on).steps)
    flag = loss_outside_period(
        loss, period_start=policy.start, period_end=end, terminated_on=terminated_on
    )
    if flag is None:
        assert found is None
        return
    assert found is not None
    assert (found.loss_date, found.start, found.end, found.terminated_on) == (
        flag.loss_date,
        flag.period_start,
        flag.period_end,
        flag.terminated_on,
    )
