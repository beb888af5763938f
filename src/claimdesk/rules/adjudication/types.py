"""Typed inputs and the result of the adjustment engine (SPEC PRD-3, section 5).

Everything is a frozen dataclass over ``Decimal``/``date``/``int``; there is no float.
The constructors check ranges (GEN-6): amounts are non-negative with at most 2 decimal
places, ratios lie in [0, 1], counts are whole and non-negative, grades are 1..10.
Field names are the names of /work/shared/vectors/README.md, so a vector, a CSV row and
a product's stored parameters all map onto these one to one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from claimdesk.rules.adjudication.errors import (
    AmountTooLarge,
    ConflictingFacts,
    DisabilityGradeOutOfRange,
    EmptyList,
    MalformedAmount,
    MalformedCount,
    MalformedDate,
    MalformedFlag,
    MalformedRatio,
    MissingField,
    NegativeAmount,
    PolicyPeriodReversed,
    RatioOutOfRange,
    invalid_choice,
)
from claimdesk.rules.adjudication.steps import RawStep, TraceStep
from claimdesk.rules.adjudication.trace import render

ZERO = Decimal("0.00")
ONE = Decimal(1)
# Bounds that keep every product of the formulas exact in the engine's context.
MAX_AMOUNT = Decimal(10) ** 15
RATIO_PLACES = 10

CoverageType = Literal[
    "medical",
    "accident_medical",
    "critical_illness",
    "accident_disability",
    "accident_death",
    "property",
    "liability",
]
# The coverage types paid against medical bills (ADJ-MED): one definition for the
# assessment, the bills domain and the checks.
MEDICAL_COVERAGE_TYPES: tuple[str, ...] = ("medical", "accident_medical")
COVERAGE_TYPES: tuple[str, ...] = (
    "medical",
    "accident_medical",
    "critical_illness",
    "accident_disability",
    "accident_death",
    "property",
    "liability",
)
SCOPES = ("all_necessary", "social_insurance_only")
VALUATIONS = ("replacement", "depreciated", "agreed")
CATALOGS = ("A", "B", "C")
Reason = Literal[
    "not_in_force",
    "waiting_period",
    "not_covered",
    "coverage_ended",
    "benefit_exhausted",
    "sum_insured_exhausted",
]


# -- range checks, shared by every constructor ------------------------------------------


def check_money(value: Any, name: str) -> None:
    if type(value) is not Decimal or not value.is_finite():
        raise MalformedAmount(field=name)
    if value < 0:
        raise NegativeAmount(field=name)
    if value >= MAX_AMOUNT:
        raise AmountTooLarge(field=name)
    # At most 2 places: an amount is in yuan and fen (GEN-1); "12.300" is fine.
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and value != value.quantize(Decimal("0.01")):
        raise MalformedAmount(field=name)


def check_ratio(value: Any, name: str) -> None:
    if type(value) is not Decimal or not value.is_finite():
        raise MalformedRatio(field=name)
    if value < 0 or value > 1:
        raise RatioOutOfRange(field=name)
    exponent = value.as_tuple().exponent
    if (
        isinstance(exponent, int)
        and exponent < -RATIO_PLACES
        and value != round(value, RATIO_PLACES)
    ):
        raise MalformedRatio(field=name)


def check_count(value: Any, name: str) -> None:
    if type(value) is not int or value < 0:
        raise MalformedCount(field=name)


def check_date(value: Any, name: str) -> None:
    if type(value) is not date:
        raise MalformedDate(field=name)


# -- policy and history ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Policy:
    """The policy period; both days are included (README: ``start``, ``end``).
    ``terminated_on``: a termination's effective date (POL-3), which ends cover that day
    — the day itself not covered (``rules.cover``); None for a policy not terminated."""

    start: date
    end: date
    terminated_on: date | None = None

    def __post_init__(self) -> None:
        check_date(self.start, "start")
        check_date(self.end, "end")
        if self.end < self.start:
            raise PolicyPeriodReversed(field="end")
        if self.terminated_on is not None:
            check_date(self.terminated_on, "terminated_on")


@dataclass(frozen=True, slots=True)
class History:
    """What this coverage already paid before the claim (policy year for medical,
    policy life otherwise). Defaults are 0/false."""

    paid: Decimal = ZERO
    deductible_used: Decimal = ZERO
    disability_paid: Decimal = ZERO
    severe_paid: bool = False
    mild_paid_count: int = 0

    def __post_init__(self) -> None:
        check_money(self.paid, "paid")
        check_money(self.deductible_used, "deductible_used")
        check_money(self.disability_paid, "disability_paid")
        if type(self.severe_paid) is not bool:
            raise MalformedFlag(field="severe_paid")
        check_count(self.mild_paid_count, "mild_paid_count")


NO_HISTORY = History()


# -- coverages (PRD-3) -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MedicalCoverage:
    """``medical`` and ``accident_medical`` (ADJ-MED)."""

    sum_insured: Decimal
    deductible: Decimal = ZERO
    payout_ratio: Decimal = ONE
    # None: the same ratio whether or not the claimant settled through social insurance.
    payout_ratio_without_social_insurance: Decimal | None = None
    scope: str = "all_necessary"
    excluded_kinds: frozenset[str] = frozenset()
    waiting_period_days: int = 0
    type: str = "medical"

    def __post_init__(self) -> None:
        if self.type not in MEDICAL_COVERAGE_TYPES:
            raise invalid_choice("type", self.type, MEDICAL_COVERAGE_TYPES)
        check_money(self.sum_insured, "sum_insured")
        check_money(self.deductible, "deductible")
        check_ratio(self.payout_ratio, "payout_ratio")
        if self.payout_ratio_without_social_insurance is not None:
            check_ratio(
                self.payout_ratio_without_social_insurance, "payout_ratio_without_social_insurance"
            )
        if self.scope not in SCOPES:
            raise invalid_choice("scope", self.scope, SCOPES)
        check_count(self.waiting_period_days, "waiting_period_days")


@dataclass(frozen=True, slots=True)
class MildBenefit:
    diseases: frozenset[str]
    percent: Decimal
    # How many mild-disease payments the coverage makes over the policy's life.
    max_times: int = 1

    def __post_init__(self) -> None:
        check_ratio(self.percent, "percent")
        check_count(self.max_times, "max_times")


@dataclass(frozen=True, slots=True)
class CriticalIllnessCoverage:
    sum_insured: Decimal
    severe: frozenset[str]
    mild: MildBenefit | None = None
    waiting_period_days: int = 0
    type: str = "critical_illness"

    def __post_init__(self) -> None:
        check_money(self.sum_insured, "sum_insured")
        check_count(self.waiting_period_days, "waiting_period_days")


@dataclass(frozen=True, slots=True)
class SumInsuredCoverage:
    """The accident coverages that pay out of one sum insured (ADJ-ACC): the same
    parameters and checks; the formulas differ (accident.py), chosen by the exact type."""

    sum_insured: Decimal
    waiting_period_days: int = 0

    def __post_init__(self) -> None:
        check_money(self.sum_insured, "sum_insured")
        check_count(self.waiting_period_days, "waiting_period_days")


@dataclass(frozen=True, slots=True)
class DisabilityCoverage(SumInsuredCoverage):
    type: str = "accident_disability"


@dataclass(frozen=True, slots=True)
class DeathCoverage(SumInsuredCoverage):
    type: str = "accident_death"


@dataclass(frozen=True, slots=True)
class PropertyCoverage:
    sum_insured: Decimal
    deductible: Decimal = ZERO
    deductible_rate: Decimal = ZERO
    valuation: str = "replacement"
    depreciation_rate: Decimal | None = None
    agreed_value: Decimal | None = None
    proportional: bool = False
    waiting_period_days: int = 0
    type: str = "property"

    def __post_init__(self) -> None:
        check_money(self.sum_insured, "sum_insured")
        check_money(self.deductible, "deductible")
        check_ratio(self.deductible_rate, "deductible_rate")
        if self.valuation not in VALUATIONS:
            raise invalid_choice("valuation", self.valuation, VALUATIONS)
        if self.depreciation_rate is not None:
            check_ratio(self.depreciation_rate, "depreciation_rate")
        elif self.valuation == "depreciated":
            raise MissingField(field="depreciation_rate")
        if self.agreed_value is not None:
            check_money(self.agreed_value, "agreed_value")
        elif self.valuation == "agreed":
            raise MissingField(field="agreed_value")
        check_count(self.waiting_period_days, "waiting_period_days")


@dataclass(frozen=True, slots=True)
class LiabilityCoverage:
    limit: Decimal
    deductible: Decimal = ZERO
    deductible_rate: Decimal = ZERO
    waiting_period_days: int = 0
    type: str = "liability"

    def __post_init__(self) -> None:
        check_money(self.limit, "limit")
        check_money(self.deductible, "deductible")
        check_ratio(self.deductible_rate, "deductible_rate")
        check_count(self.waiting_period_days, "waiting_period_days")


Coverage = (
    MedicalCoverage
    | CriticalIllnessCoverage
    | DisabilityCoverage
    | DeathCoverage
    | PropertyCoverage
    | LiabilityCoverage
)


# -- claim facts -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExpenseLine:
    """One invoice line. ``catalog`` None: outside the national catalogue (self-funded)."""

    amount: Decimal
    catalog: str | None = None
    kind: str = ""
    self_pay_ratio: Decimal | None = None

    def __post_init__(self) -> None:
        check_money(self.amount, "amount")
        if self.catalog is not None and self.catalog not in CATALOGS:
            raise invalid_choice("catalog", self.catalog, CATALOGS)
        if self.self_pay_ratio is not None:
            check_ratio(self.self_pay_ratio, "self_pay_ratio")


@dataclass(frozen=True, slots=True)
class MedicalClaim:
    date_of_loss: date
    lines: tuple[ExpenseLine, ...]
    settled_with_social_insurance: bool = False
    social_insurance_paid: Decimal = ZERO
    other_compensation: Decimal = ZERO

    def __post_init__(self) -> None:
        check_date(self.date_of_loss, "date_of_loss")
        if not self.lines:
            raise EmptyList(field="lines")
        check_money(self.social_insurance_paid, "social_insurance_paid")
        check_money(self.other_compensation, "other_compensation")


@dataclass(frozen=True, slots=True)
class CriticalIllnessClaim:
    date_of_loss: date
    disease: str

    def __post_init__(self) -> None:
        check_date(self.date_of_loss, "date_of_loss")
        if not self.disease:
            raise MissingField(field="disease")


@dataclass(frozen=True, slots=True)
class DisabilityClaim:
    date_of_loss: date
    injuries: tuple[int, ...]  # the grade of each injury from the accident

    def __post_init__(self) -> None:
        check_date(self.date_of_loss, "date_of_loss")
        if not self.injuries:
            raise EmptyList(field="injuries")
        for index, grade in enumerate(self.injuries):
            if type(grade) is not int or not 1 <= grade <= 10:
                raise DisabilityGradeOutOfRange(field=f"injuries[{index}].grade")


@dataclass(frozen=True, slots=True)
class DeathClaim:
    date_of_loss: date

    def __post_init__(self) -> None:
        check_date(self.date_of_loss, "date_of_loss")


@dataclass(frozen=True, slots=True)
class Repair:
    materials: Decimal = ZERO
    labour: Decimal = ZERO
    salvage: Decimal = ZERO

    def __post_init__(self) -> None:
        check_money(self.materials, "materials")
        check_money(self.labour, "labour")
        check_money(self.salvage, "salvage")


@dataclass(frozen=True, slots=True)
class TotalLoss:
    replacement_value: Decimal | None = None
    years_in_use: int = 0  # whole years of use

    def __post_init__(self) -> None:
        if self.replacement_value is not None:
            check_money(self.replacement_value, "replacement_value")
        check_count(self.years_in_use, "years_in_use")


@dataclass(frozen=True, slots=True)
class PropertyClaim:
    date_of_loss: date
    repair: Repair | None = None
    total_loss: TotalLoss | None = None
    actual_value: Decimal | None = None
    insured_value: Decimal | None = None
    liability_ratio: Decimal = ONE

    def __post_init__(self) -> None:
        check_date(self.date_of_loss, "date_of_loss")
        if self.repair is None and self.total_loss is None:
            raise MissingField(field="repair")
        if self.repair is not None and self.total_loss is not None:
            raise ConflictingFacts(field="total_loss")
        if self.actual_value is not None:
            check_money(self.actual_value, "actual_value")
        if self.insured_value is not None:
            check_money(self.insured_value, "insured_value")
        check_ratio(self.liability_ratio, "liability_ratio")


@dataclass(frozen=True, slots=True)
class LiabilityClaim:
    date_of_loss: date
    damages: Decimal
    liability_ratio: Decimal = ONE

    def __post_init__(self) -> None:
        check_date(self.date_of_loss, "date_of_loss")
        check_money(self.damages, "damages")
        check_ratio(self.liability_ratio, "liability_ratio")


ClaimFacts = (
    MedicalClaim
    | CriticalIllnessClaim
    | DisabilityClaim
    | DeathClaim
    | PropertyClaim
    | LiabilityClaim
)


# -- result and trace --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdjudicationResult:
    coverage_type: str
    payable: Decimal
    reason: str | None = None
    eligible: Decimal | None = None  # medical only
    deductible_applied: Decimal | None = None  # medical only
    grade: int | None = None  # disability only: the final grade after ADJ-DIS
    steps: tuple[RawStep, ...] = field(default=(), repr=False)

    @property
    def trace(self) -> list[TraceStep]:
        # Rendered on read, so the engines' hot path never builds text nobody reads.
        return [render(step) for step in self.steps]

    def figures(self) -> dict[str, Any]:
        """The result as plain JSON values: amounts as 2-decimal strings."""
        out: dict[str, Any] = {"payable": str(self.payable), "reason": self.reason}
        if self.eligible is not None:
            out["eligible"] = str(self.eligible)
        if self.deductible_applied is not None:
            out["deductible_applied"] = str(self.deductible_applied)
        if self.grade is not None:
            out["grade"] = self.grade
        return out


def first_covered_day(policy: Policy, waiting_period_days: int) -> date:
    return policy.start + timedelta(days=waiting_period_days)
