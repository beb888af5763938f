"""Adjustment (理算, CLM-C1..C3): the pure engine on the assessed facts, with what the
same policy and coverage already paid read under the policy's row lock; the adjuster
states liability (or the rejection clause and evidence) and signs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil, workflow
from claimdesk.claims.errors import (
    AdjustmentMissing,
    AdjustmentNotResigned,
    AssessmentMissing,
    CorrectionPaysAfterTermination,
    CorrectionPaysOutsidePeriod,
    IllegalTransition,
)
from claimdesk.claims.repository import policy_of
from claimdesk.claims.schemas import AdjustmentIn
from claimdesk.claims.settlement import liability, repository, reserves
from claimdesk.claims.settlement.assessment import current_assessments
from claimdesk.claims.settlement.repository import history_for
from claimdesk.claims.special.remote import require_head_office_step
from claimdesk.errors import ClaimdeskError, NotFound
from claimdesk.models.claim import AdjustmentResult, Assessment, Claim
from claimdesk.models.policy import Policy
from claimdesk.models.product import Coverage
from claimdesk.policies import repository as policies
from claimdesk.rules.adjudication import types as t
from claimdesk.rules.adjudication.accident import adjudicate_death, adjudicate_disability
from claimdesk.rules.adjudication.critical_illness import adjudicate_critical_illness
from claimdesk.rules.adjudication.medical import adjudicate_medical
from claimdesk.rules.adjudication.property_liability import (
    adjudicate_liability,
    adjudicate_property,
)

# Claims whose payment counts against the remaining limits: those with a payment row
# confirmed paid by the bank (payments.service), whatever the claim's state since.
PAID_STATES = ("paid", "closed")


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _opt(value: Any) -> Decimal | None:
    return None if value is None else _d(value)


def engine_coverage(coverage: Coverage) -> t.Coverage:
    p = coverage.parameters
    kind = coverage.type
    if kind in ("medical", "accident_medical"):
        return t.MedicalCoverage(
            sum_insured=_d(p["sum_insured"]),
            deductible=_d(p.get("deductible", "0")),
            payout_ratio=_d(p["payout_ratio"]),
            payout_ratio_without_social_insurance=_opt(
                p.get("payout_ratio_without_social_insurance")
            ),
            scope=p["scope"],
            excluded_kinds=frozenset(p.get("excluded_kinds", [])),
            waiting_period_days=int(p.get("waiting_period_days", 0)),
            type=kind,
        )
    if kind == "critical_illness":
        mild = p.get("mild")
        return t.CriticalIllnessCoverage(
            sum_insured=_d(p["sum_insured"]),
            severe=frozenset(p["severe"]),
            mild=None
            if not mild
            else t.MildBenefit(
                diseases=frozenset(mild["diseases"]),
                percent=_d(mild["percent"]),
                max_times=int(mild.get("max_times", 1)),
            ),
            waiting_period_days=int(p.get("waiting_period_days", 0)),
        )
    if kind == "accident_disability":
        return t.DisabilityCoverage(sum_insured=_d(p["sum_insured"]))
    if kind == "accident_death":
        return t.DeathCoverage(sum_insured=_d(p["sum_insured"]))
    if kind == "property":
        return t.PropertyCoverage(
            sum_insured=_d(p["sum_insured"]),
            deductible=_d(p.get("deductible", "0")),
            deductible_rate=_d(p.get("deductible_rate", "0")),
            valuation=p["valuation"],
            depreciation_rate=_opt(p.get("depreciation_rate")),
            agreed_value=_opt(p.get("agreed_value")),
            proportional=bool(p.get("proportional", False)),
        )
    return t.LiabilityCoverage(
        limit=_d(p["limit"]),
        deductible=_d(p.get("deductible", "0")),
        deductible_rate=_d(p.get("deductible_rate", "0")),
    )


def engine_facts(claim: Claim, assessment: Assessment) -> tuple[t.ClaimFacts, list[dict[str, Any]]]:
    """The engine's input and the assessor's removals (CLM-L3), which count 0."""
    f = assessment.facts
    removed: list[dict[str, Any]] = []
    kind = assessment.coverage_type
    if kind in ("medical", "accident_medical"):
        lines = []
        for item in assessment.items:
            if item.item_type != "expense_line":
                continue
            if item.removed:
                removed.append(
                    {
                        "code": "CLM-L3.REMOVED",
                        "clause": "CLM-L3",
                        "zh": f"剔除：{item.description}（{item.removal_reason}）",
                        "en": f"Removed: {item.description} ({item.removal_reason})",
                        "inputs": {"amount": str(item.amount)},
                        "figure": "0.00",
                    }
                )
                continue
            lines.append(
                t.ExpenseLine(
                    amount=_d(item.amount),
                    catalog=item.catalog,
                    kind=item.kind or "",
                    self_pay_ratio=_opt(item.self_pay_ratio),
                )
            )
        if not lines:  # everything removed: one zero line keeps the engine's shape
            lines.append(t.ExpenseLine(amount=Decimal("0.00")))
        return t.MedicalClaim(
            date_of_loss=claim.loss_date,
            lines=tuple(lines),
            settled_with_social_insurance=bool(f.get("settled_with_social_insurance")),
            social_insurance_paid=_d(f.get("social_insurance_paid", "0")),
            other_compensation=_d(f.get("other_compensation", "0")),
        ), removed
    if kind == "critical_illness":
        return t.CriticalIllnessClaim(date_of_loss=claim.loss_date, disease=f["disease"]), removed
    if kind == "accident_disability":
        grades = tuple(i.grade for i in assessment.items if i.item_type == "injury" and i.grade)
        return t.DisabilityClaim(date_of_loss=claim.loss_date, injuries=grades), removed
    if kind == "accident_death":
        return t.DeathClaim(date_of_loss=claim.loss_date), removed
    if kind == "property":
        repair = f.get("repair")
        total = f.get("total_loss")
        return t.PropertyClaim(
            date_of_loss=claim.loss_date,
            repair=None
            if repair is None
            else t.Repair(
                materials=_d(repair["materials"]),
                labour=_d(repair["labour"]),
                salvage=_d(repair["salvage"]),
            ),
            total_loss=None
            if total is None
            else t.TotalLoss(
                replacement_value=_opt(total.get("replacement_value")),
                years_in_use=int(total.get("years_in_use", 0)),
            ),
            actual_value=_opt(f.get("actual_value")),
            insured_value=_opt(f.get("insured_value")),
            liability_ratio=_d(f.get("liability_ratio", "1")),
        ), removed
    return t.LiabilityClaim(
        date_of_loss=claim.loss_date,
        damages=_d(f["damages"]),
        liability_ratio=_d(f.get("liability_ratio", "1")),
    ), removed


def run_engine(
    coverage: t.Coverage, policy: t.Policy, history: t.History, facts: t.ClaimFacts
) -> t.AdjudicationResult:
    if isinstance(coverage, t.MedicalCoverage) and isinstance(facts, t.MedicalClaim):
        return adjudicate_medical(coverage, policy, history, facts)
    if isinstance(coverage, t.CriticalIllnessCoverage) and isinstance(
        facts, t.CriticalIllnessClaim
    ):
        return adjudicate_critical_illness(coverage, policy, history, facts)
    if isinstance(coverage, t.DisabilityCoverage) and isinstance(facts, t.DisabilityClaim):
        return adjudicate_disability(coverage, policy, history, facts)
    if isinstance(coverage, t.DeathCoverage) and isinstance(facts, t.DeathClaim):
        return adjudicate_death(coverage, policy, history, facts)
    if isinstance(coverage, t.PropertyCoverage) and isinstance(facts, t.PropertyClaim):
        return adjudicate_property(coverage, policy, history, facts)
    if isinstance(coverage, t.LiabilityCoverage) and isinstance(facts, t.LiabilityClaim):
        return adjudicate_liability(coverage, policy, history, facts)
    raise TypeError(f"no engine for {type(coverage).__name__} with {type(facts).__name__}")


@dataclass(frozen=True)
class Calculation:
    """The engine's run on one coverage of a claim, with what it read."""

    coverage: Coverage
    assessment: Assessment
    history: t.History
    removed: list[dict[str, Any]]
    result: t.AdjudicationResult
    terms: liability.Terms
    items: list[liability.LiabilityItem]  # the product's liabilities


def calculate(session: Session, claim: Claim, coverage_code: str, *, lock: bool) -> Calculation:
    """Run the engine on the coverage's current assessment. ``lock``: under the policy's
    row lock (the adjustment itself); without it, a preview that writes nothing."""
    # Every liability of the product (what a covered decision may name), the adjusted
    # coverage among those the claim claims: one read.
    product = repository.coverages_of_policy(session, policy_id=claim.policy_id)
    coverage = next(
        (c for c in product if c.code == coverage_code and c.code in claim.coverage_codes), None
    )
    assessment = current_assessments(session, claim.id).get(coverage_code)
    if coverage is None or assessment is None:
        raise AssessmentMissing(coverage=coverage_code)
    # Two claims on one policy adjusted at once would both see the same 'remaining'
    # limit; the policy row lock makes the second wait and read the first's result.
    policy = (
        policies.lock(session, policy_id=claim.policy_id)
        if lock
        else policy_of(session, claim=claim)
    )
    if policy is None:  # a foreign key: the claim's policy exists
        raise NotFound(what="policy", field="policy_id")
    history = history_for(session, claim=claim, coverage=coverage)
    facts, removed = engine_facts(claim, assessment)
    engine = engine_coverage(coverage)
    # The policy's cover, not only its period: a termination (POL-3) ends it the day it
    # takes effect (rules.cover), so a loss on or after a surrender is not in force here
    # as for the intake flag and the automatic check.
    result = run_engine(engine, engine_policy(policy), history, facts)
    terms = liability.stated_terms(engine, facts, result)
    items = liability.product_items(product)
    return Calculation(coverage, assessment, history, removed, result, terms, items)


def engine_policy(policy: Policy) -> t.Policy:
    """The policy's cover as the engine reads it: its period and its termination."""
    return t.Policy(
        start=policy.period_start, end=policy.period_end, terminated_on=policy.terminated_on
    )


def out_of_cover(session: Session, claim: Claim) -> liability.OutOfCover | None:
    """The claim's date of loss judged by the engine's period step against its policy
    as it stands now (a termination recorded since the calculation counts), or None when
    the policy covers it. For every signature after the adjuster's (CLM-V2's approval,
    CLM-T3's correction) and for the adjust form's warning before it. Writes nothing."""
    policy = policy_of(session, claim=claim)
    if policy is None:  # a foreign key: the claim's policy exists
        raise NotFound(what="policy", field="policy_id")
    return liability.cover_of(engine_policy(policy), claim.loss_date)


def proposed_terms(session: Session, claim: Claim, coverage_code: str) -> liability.Terms | None:
    """The ratio and deductible a covered decision on this coverage would state now
    (CLM-C1), for the adjuster to see before signing; None while it is not assessed or
    its facts do not yet make a calculation. Writes nothing."""
    try:
        return calculate(session, claim, coverage_code, lock=False).terms
    except ClaimdeskError:
        return None


def product_items(session: Session, claim: Claim) -> list[liability.LiabilityItem]:
    """The liabilities of the claim's product: what a covered decision may name."""
    return liability.product_items(
        repository.coverages_of_policy(session, policy_id=claim.policy_id)
    )


def adjust(
    session: Session, *, actor: Principal, claim: Claim, data: AdjustmentIn
) -> AdjustmentResult:
    """The adjuster's signed decision on one coverage (CLM-C1..C3). Everything is
    checked before anything is written: a refusal changes nothing."""
    if claim.state != workflow.ASSESSED:
        raise IllegalTransition(state=claim.state, action="adjust")
    require_head_office_step(session, claim=claim, actor=actor)  # CLM-Z1
    covered = data.liability == "covered"
    if not covered:
        liability.check_not_covered(data)
    calc = calculate(session, claim, data.coverage_code, lock=True)
    coverage, result, history = calc.coverage, calc.result, calc.history
    if covered:
        liability.check_in_force(result)
    items = liability.check_covered(data, items=calc.items, terms=calc.terms) if covered else []
    trace = calc.removed + [step.as_dict() for step in result.trace]
    payable = result.payable if covered else Decimal("0.00")
    at = timeutil.now()
    repository.supersede_adjustments(session, claim_id=claim.id, coverage_code=data.coverage_code)
    # A not-covered decision pays nothing under any term: it states none (and a medical
    # deductible it did not take is not counted against the policy year).
    terms = calc.terms if covered else liability.Terms(None, None, None)
    adjustment = AdjustmentResult(
        claim_id=claim.id,
        coverage_code=coverage.code,
        coverage_type=coverage.type,
        assessment_id=calc.assessment.id,
        payable=payable,
        reason=result.reason if covered else "not_covered",
        liability=data.liability,
        covered_item_codes=[i.code for i in items] if covered else None,
        covered_items=liability.items_in_words(items) if covered else None,
        ratio=terms.ratio,
        deductible=terms.deductible,
        deductible_rate=terms.deductible_rate,
        rejection_reason=None if covered else data.rejection_reason,
        rejection_clause=None if covered else data.rejection_clause,
        rejection_evidence=None if covered else data.rejection_evidence,
        history={
            "paid": str(history.paid),
            "deductible_used": str(history.deductible_used),
            "disability_paid": str(history.disability_paid),
            "severe_paid": history.severe_paid,
            "mild_paid_count": history.mild_paid_count,
        },
        trace=trace,
        signed_by_id=actor.user_id,
        signed_by=actor.username,
        signed_at=at,
    )
    session.add(adjustment)
    session.flush()
    details: dict[str, Any] = {
        "coverage": coverage.code,
        "adjustment_id": adjustment.id,
        "payable": str(payable),
        "engine_payable": str(result.payable),
        "liability": data.liability,
        "reason": adjustment.reason,
    }
    if covered:
        details["items"] = adjustment.covered_item_codes
        details["ratio"] = None if terms.ratio is None else str(terms.ratio)
        details["deductible"] = None if terms.deductible is None else str(terms.deductible)
    record(
        session,
        actor=actor,
        action="claim.adjusted",
        entity_type="claim",
        entity_id=claim.id,
        at=at,
        details=details,
    )
    reserves.revise(
        session,
        actor=actor,
        claim=claim,
        coverage_code=coverage.code,
        amount=payable,
        stage="adjustment",
        reason=reserves.system_reason(
            f"理算结果（理算 #{adjustment.id}）", f"adjusted amount (adjustment #{adjustment.id})"
        ),
    )
    return adjustment


def current_adjustments(session: Session, claim_id: int) -> dict[str, AdjustmentResult]:
    rows = repository.current_adjustments(session, claim_id=claim_id)
    return {a.coverage_code: a for a in rows}


def require_adjusted(session: Session, claim: Claim) -> None:
    """Every coverage signed — and, after a reviewer's return (CLM-V3), signed again: the
    return states what must be added, so the adjustment the reviewer sent back cannot
    simply be resubmitted unchanged."""
    found = current_adjustments(session, claim.id)
    returned_at = repository.last_move_at(session, claim_id=claim.id, action="return_to_adjustment")
    for code in claim.coverage_codes:
        if code not in found:
            raise AdjustmentMissing(coverage=code)
        if returned_at is not None and found[code].signed_at <= returned_at:
            raise AdjustmentNotResigned(coverage=code)


def complete(session: Session, *, actor: Principal, claim: Claim, reason: str | None) -> Claim:
    workflow.transition(
        session, claim=claim, action="complete_adjustment", actor=actor, reason=reason
    )
    claim.payable_total = sum(
        (a.payable for a in current_adjustments(session, claim.id).values()), Decimal("0.00")
    )
    session.flush()
    return claim


def record_correction(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    coverage_code: str,
    payable: Decimal,
    reason: str,
) -> AdjustmentResult:
    """A reviewer's corrected amount after the quality sample (CLM-T3): a new current
    adjustment superseding the automatic one (both stay on record), signed by the
    reviewer, so everything that compares decisions with payments (CLM-P5's plan, a
    later reopening) sees the corrected decision. A correction that pays on a loss the
    policy, as it stands now, did not cover is refused as the adjuster's covered decision
    is (CLM-C1, POL-3); correcting it to 0.00 recovers what was paid. Everything is
    checked before anything is written."""
    before = current_adjustments(session, claim.id).get(coverage_code)
    if before is None:
        raise AdjustmentMissing(coverage=coverage_code)
    _check_correction_cover(session, claim, payable)
    at = timeutil.now()
    before.current = False
    correction = _corrected(before, payable=payable, reason=reason, actor=actor, at=at)
    session.add(correction)
    session.flush()
    claim.payable_total = sum(
        (a.payable for a in current_adjustments(session, claim.id).values()), Decimal("0.00")
    )
    record(
        session,
        actor=actor,
        action="claim.adjustment_corrected",
        entity_type="claim",
        entity_id=claim.id,
        reason=reason,
        at=at,
        details={
            "coverage": coverage_code,
            "adjustment_id": correction.id,
            "before": str(before.payable),
            "payable": str(payable),
        },
    )
    return correction


def _check_correction_cover(session: Session, claim: Claim, payable: Decimal) -> None:
    """A correction paying anything needs a loss the policy covers now (CLM-T3, CLM-C1)."""
    if payable <= 0:
        return
    gap = out_of_cover(session, claim)
    if gap is not None:
        raise gap.refusal(
            CorrectionPaysAfterTermination, CorrectionPaysOutsidePeriod, field="amount"
        )


def _corrected(
    before: AdjustmentResult,
    *,
    payable: Decimal,
    reason: str,
    actor: Principal,
    at: dt.datetime,
) -> AdjustmentResult:
    """The correction's row: the automatic decision's terms, the corrected amount, and
    the correction as the last step of its trace, signed by the reviewer."""
    return AdjustmentResult(
        claim_id=before.claim_id,
        coverage_code=before.coverage_code,
        coverage_type=before.coverage_type,
        assessment_id=before.assessment_id,
        payable=payable,
        reason=before.reason,
        liability=before.liability,
        covered_item_codes=before.covered_item_codes,
        covered_items=before.covered_items,
        ratio=before.ratio,
        deductible=before.deductible,
        deductible_rate=before.deductible_rate,
        rejection_reason=before.rejection_reason,
        rejection_clause=before.rejection_clause,
        rejection_evidence=before.rejection_evidence,
        history=before.history,
        trace=[
            *before.trace,
            {
                "code": "CLM-T3.CORRECTION",
                "clause": "CLM-T3",
                "zh": f"质量抽检更正：{reason}",
                "en": f"Quality sample correction: {reason}",
                "inputs": {"automatic": str(before.payable)},
                "figure": str(payable),
            },
        ],
        signed_by_id=actor.user_id,
        signed_by=actor.username,
        signed_at=at,
    )
