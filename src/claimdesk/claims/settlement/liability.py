"""The adjuster's liability decision on one coverage (CLM-C1).

Covered: the decision states its items, ratio and deductible. The items are the
product's liabilities — the coverages of the product version the policy was sold under
(PRD-2, PRD-3: each a named 保险责任 such as 一般医疗保险金) — named by code; the adjusted
coverage is one of them. The ratio and the deductible are not typed by anyone: they are
what the product's coverage and the assessed facts make the calculation apply
(:func:`stated_terms`, the same figures the ADJ-* engine uses), so the decision and the
calculation can never say two things. A figure sent with the decision is checked against
them.

Not covered: the written reason, the clause's text and the evidence, each required.

Pure checks on what the adjustment service read; the service raises before it writes
anything (GEN-6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from claimdesk import formatting
from claimdesk.claims.errors import (
    CoveredAfterTermination,
    CoveredItemNotInProduct,
    CoveredItemsMissTheCoverage,
    CoveredItemsRequired,
    CoveredOutsidePeriod,
    LiabilityTermMismatch,
    RejectionNeedsClause,
)
from claimdesk.claims.schemas import AdjustmentIn
from claimdesk.errors import ClaimdeskError
from claimdesk.models.product import Coverage
from claimdesk.rules.adjudication import types as t
from claimdesk.rules.adjudication.period import check_period
from claimdesk.rules.adjudication.steps import RawStep

ZERO = Decimal("0.00")
ONE = Decimal(1)
# What a not-covered decision must state, in the order a refusal names them.
NOT_COVERED_GROUNDS = ("rejection_reason", "rejection_clause", "rejection_evidence")


@dataclass(frozen=True)
class LiabilityItem:
    """One liability of the product: a coverage's code and the name the product gives it."""

    code: str
    name: str
    # The English name English pages show (formatting.name_in); None: the Chinese name.
    name_en: str | None = None


def product_items(coverages: Sequence[Coverage]) -> list[LiabilityItem]:
    """The product version's liabilities, in the product's order."""
    ordered = sorted(coverages, key=lambda c: (c.position, c.code))
    return [LiabilityItem(c.code, c.name, c.name_en) for c in ordered]


RATIO_PLACES = Decimal("0.000001")  # the stored ratio's scale (models.base.Ratio)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Terms:
    """The ratio and the deductible a covered decision states (see the model's note), at
    the scale they are stored in, so the decision reads the same before and after it is
    read back."""

    ratio: Decimal | None
    deductible: Decimal | None
    deductible_rate: Decimal | None = None

    def __post_init__(self) -> None:
        for name, exponent in (
            ("ratio", RATIO_PLACES),
            ("deductible", CENT),
            ("deductible_rate", RATIO_PLACES),
        ):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, value.quantize(exponent))


def _grade_share(grade: int | None) -> Decimal | None:
    # PER-3: grade 1 = 100% … grade 10 = 10%.
    return None if grade is None else Decimal(11 - grade) / 10


def stated_terms(coverage: t.Coverage, facts: t.ClaimFacts, result: t.AdjudicationResult) -> Terms:
    """The ratio and deductible the engine applies to these facts under this coverage."""
    if isinstance(coverage, t.MedicalCoverage):
        ratio = coverage.payout_ratio
        without = coverage.payout_ratio_without_social_insurance
        if isinstance(facts, t.MedicalClaim) and not facts.settled_with_social_insurance:
            ratio = without if without is not None else ratio
        # The deductible taken this time: what later claims of the policy year count.
        applied = result.deductible_applied
        return Terms(ratio, ZERO if applied is None else applied)
    if isinstance(coverage, (t.PropertyCoverage, t.LiabilityCoverage)):
        share = (
            facts.liability_ratio if isinstance(facts, (t.PropertyClaim, t.LiabilityClaim)) else ONE
        )
        return Terms(share, coverage.deductible, coverage.deductible_rate)
    if isinstance(coverage, t.CriticalIllnessCoverage):
        mild = coverage.mild
        disease = facts.disease if isinstance(facts, t.CriticalIllnessClaim) else ""
        if disease not in coverage.severe and mild is not None and disease in mild.diseases:
            return Terms(mild.percent, ZERO)
        return Terms(ONE, ZERO)
    if isinstance(coverage, t.DisabilityCoverage):
        return Terms(_grade_share(result.grade), ZERO)
    return Terms(ONE, ZERO)  # accident death: the sum insured (less disability paid)


def _allowed(items: Sequence[LiabilityItem]) -> dict[str, str]:
    """The product's liabilities as a refusal lists them, in each language (GEN-6)."""
    return {
        "allowed": "、".join(f"{i.name}（{i.code}）" for i in items),
        "allowed_en": ", ".join(f"{formatting.name_in(i, 'en')} ({i.code})" for i in items),
    }


def _percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    shown = (value * 100).normalize()
    return f"{shown:f}%"


def _amount(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def check_covered(
    data: AdjustmentIn, *, items: Sequence[LiabilityItem], terms: Terms
) -> list[LiabilityItem]:
    """The items a covered decision states, in the product's order (a code named twice
    is one item); refused, naming the field and the rule, when none is stated, one is not
    a liability of the product, the adjusted coverage is not among them, or a ratio or
    deductible sent is not the one the calculation applies."""
    allowed = _allowed(items)
    if not data.covered_items:
        raise CoveredItemsRequired(field="covered_items", **allowed)
    known = {i.code: i for i in items}
    for index, code in enumerate(data.covered_items):
        if code not in known:
            raise CoveredItemNotInProduct(field=f"covered_items.{index}", item=code, **allowed)
    if data.coverage_code not in data.covered_items:
        adjusted = known.get(data.coverage_code)
        raise CoveredItemsMissTheCoverage(
            field="covered_items",
            coverage=adjusted.name if adjusted else data.coverage_code,
            coverage_en=formatting.name_in(adjusted, "en") if adjusted else data.coverage_code,
        )
    if data.ratio is not None and data.ratio != terms.ratio:
        raise LiabilityTermMismatch(
            field="ratio", stated=_percent(data.ratio), expected=_percent(terms.ratio)
        )
    if data.deductible is not None and data.deductible != terms.deductible:
        raise LiabilityTermMismatch(
            field="deductible",
            stated=_amount(data.deductible),
            expected=_amount(terms.deductible),
        )
    named = set(data.covered_items)
    return [i for i in items if i.code in named]


@dataclass(frozen=True)
class OutOfCover:
    """The engine's period step (rules.cover: the period, ended the day a termination
    takes effect) judging a loss not in force: the loss date, the period and — only when
    it, not the period, left the loss uncovered — the termination's effective day, as the
    intake flag and the queue's badge name it."""

    loss_date: dt.date
    start: dt.date
    end: dt.date
    terminated_on: dt.date | None

    def refusal(
        self,
        after_termination: type[ClaimdeskError],
        outside_period: type[ClaimdeskError],
        *,
        field: str,
    ) -> ClaimdeskError:
        """The refusal of a signature that would pay on this loss: the termination's
        when it ended the cover, the period's otherwise (each with its dates)."""
        if self.terminated_on is not None:
            return after_termination(
                field=field,
                loss_date=self.loss_date.isoformat(),
                terminated_on=self.terminated_on.isoformat(),
            )
        return outside_period(
            field=field,
            loss_date=self.loss_date.isoformat(),
            start=self.start.isoformat(),
            end=self.end.isoformat(),
        )


def out_of_cover(steps: Sequence[RawStep]) -> OutOfCover | None:
    """What the engine's period step says of the loss, when it says not in force."""
    period = next(
        (
            dict(inputs)
            for code, figure, inputs in steps
            if code.endswith(".PERIOD") and figure == "not_in_force"
        ),
        None,
    )
    if period is None:
        return None
    loss, start, end = period["date_of_loss"], period["start"], period["end"]
    terminated = period.get("terminated_on")  # present only when it ended the cover
    # Named only inside the period, as the intake flag and the queue's mark name it.
    named = terminated if terminated is not None and start <= loss <= end else None
    return OutOfCover(loss, start, end, named)


def cover_of(policy: t.Policy, loss_date: dt.date) -> OutOfCover | None:
    """The engine's own period step run on the policy as it stands: what a review or a
    correction signed after the calculation judges again (CLM-V2, CLM-T3)."""
    steps: list[RawStep] = []
    check_period("COVER", policy, 0, loss_date, steps)
    return out_of_cover(steps)


def check_in_force(result: t.AdjudicationResult) -> None:
    """A covered decision needs a loss the policy covered: the engine's period step
    judging it not in force refuses it, naming the loss date and the termination day or
    the period. A covered decision would pay 0 with no written reason the customer could
    appeal; the not-covered decision, with its reason, clause and evidence, is the way
    (CLM-C1)."""
    gap = out_of_cover(result.steps)
    if gap is not None:
        raise gap.refusal(CoveredAfterTermination, CoveredOutsidePeriod, field="liability")


def check_not_covered(data: AdjustmentIn) -> None:
    """A not-covered decision states the reason, the clause's text and the evidence."""
    for field in NOT_COVERED_GROUNDS:
        if not (getattr(data, field) or "").strip():
            raise RejectionNeedsClause(field=field)


def items_in_words(items: Sequence[LiabilityItem]) -> str:
    """The items as the signed decision says them (the adjustment report, CLM-C3)."""
    return "、".join(i.name for i in items)
