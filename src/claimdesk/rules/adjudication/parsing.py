"""Read the engine's inputs from the JSON shape of /work/shared/vectors/README.md.

Used by the conformance vectors, ``claimdesk adjudicate`` and any service holding a
product's coverage parameters as JSON. Every bad value raises an
:class:`AdjudicationInputError` whose field is the full path (``claim.lines[2].amount``).
Amounts are read from strings or integers; a JSON float is read through its shortest
text (``0.1`` → ``Decimal("0.1")``), never through binary arithmetic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any, TypeVar

from claimdesk.rules.adjudication.errors import (
    AdjudicationInputError,
    DisabilityGradeOutOfRange,
    MalformedAmount,
    MalformedCount,
    MalformedDate,
    MalformedFlag,
    MalformedObject,
    MalformedRatio,
    MissingField,
    UnknownCoverageType,
    invalid_choice,
)
from claimdesk.rules.adjudication.types import (
    CATALOGS,
    COVERAGE_TYPES,
    NO_HISTORY,
    ClaimFacts,
    Coverage,
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
    MildBenefit,
    Policy,
    PropertyClaim,
    PropertyCoverage,
    Repair,
    TotalLoss,
)

T = TypeVar("T")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The national catalogue's categories, also as printed on Chinese invoices.
_CATALOG_ALIASES = {"A": "A", "B": "B", "C": "C", "甲": "A", "乙": "B", "丙": "C"}
_TRUE = {"true", "1", "yes", "y", "是"}
_FALSE = {"false", "0", "no", "n", "否", ""}


# -- scalar readers ----------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if type(value) is str:
        try:
            number = Decimal(value)
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, str):
        try:
            # Decimal() itself ignores surrounding blanks.
            number = Decimal(value)
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def amount(value: Any, field: str) -> Decimal:
    number = _decimal(value)
    if number is None:
        raise MalformedAmount(field=field)
    return number


def ratio(value: Any, field: str) -> Decimal:
    number = _decimal(value)
    if number is None:
        raise MalformedRatio(field=field)
    return number


def count(value: Any, field: str, *, floor: bool = False) -> int:
    """A whole number; ``floor`` reads "whole years of use" from a fractional figure."""
    number = _decimal(value)
    if number is None or number < 0:
        raise MalformedCount(field=field)
    if number != number.to_integral_value():
        if not floor:
            raise MalformedCount(field=field)
        number = number.to_integral_value(rounding=ROUND_FLOOR)
    return int(number)


def local_date(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        raise MalformedDate(field=field)
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise MalformedDate(field=field) from None


def flag(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise MalformedFlag(field=field)


def text_set(value: Any, field: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise MalformedObject(field=field, expected_zh="文本列表", expected_en="a list of strings")
    return frozenset(value)


def _mapping(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MalformedObject(field=field, expected_zh="对象", expected_en="an object")
    return value


def _required(data: Mapping[str, Any], key: str, prefix: str) -> Any:
    value = data.get(key)
    if value is None:
        raise MissingField(field=f"{prefix}.{key}")
    return value


def _opt(
    data: Mapping[str, Any], key: str, prefix: str, reader: Callable[[Any, str], T]
) -> T | None:
    value = data.get(key)
    return None if value is None else reader(value, f"{prefix}.{key}")


def _build(prefix: str, make: Callable[..., T], **kwargs: Any) -> T:
    """Construct a dataclass, re-anchoring its range errors under ``prefix``."""
    try:
        return make(**{k: v for k, v in kwargs.items() if v is not None})
    except AdjudicationInputError as error:
        raise error.at(prefix) from None


# -- policy and history ------------------------------------------------------------------


def parse_policy(data: Any, prefix: str = "policy") -> Policy | None:
    if data is None:
        return None
    data = _mapping(data, prefix)
    return _build(
        prefix,
        Policy,
        start=local_date(_required(data, "start", prefix), f"{prefix}.start"),
        end=local_date(_required(data, "end", prefix), f"{prefix}.end"),
        terminated_on=_opt(data, "terminated_on", prefix, local_date),
    )


def parse_history(data: Any, prefix: str = "history") -> History:
    if data is None:
        return NO_HISTORY
    data = _mapping(data, prefix)
    severe = data.get("severe_paid")
    if severe is not None and not isinstance(severe, bool):
        # An amount already paid for a severe disease means the same as ``true``.
        severe = amount(severe, f"{prefix}.severe_paid") > 0
    return _build(
        prefix,
        History,
        paid=_opt(data, "paid", prefix, amount),
        deductible_used=_opt(data, "deductible_used", prefix, amount),
        disability_paid=_opt(data, "disability_paid", prefix, amount),
        severe_paid=severe,
        mild_paid_count=_opt(data, "mild_paid_count", prefix, count),
    )


# -- coverage (PRD-3) --------------------------------------------------------------------


def parse_coverage(data: Any, prefix: str = "coverage") -> Coverage:
    data = _mapping(data, prefix)
    kind = _required(data, "type", prefix)
    reader = _COVERAGE_READERS.get(kind) if isinstance(kind, str) else None
    if reader is None:
        raise UnknownCoverageType(
            field=f"{prefix}.type", value=kind, allowed=", ".join(COVERAGE_TYPES)
        )
    return reader(data, prefix)


def _medical_coverage(d: Mapping[str, Any], p: str) -> Coverage:
    return _build(
        p,
        MedicalCoverage,
        type=d["type"],
        sum_insured=amount(_required(d, "sum_insured", p), f"{p}.sum_insured"),
        deductible=_opt(d, "deductible", p, amount),
        payout_ratio=_opt(d, "payout_ratio", p, ratio),
        payout_ratio_without_social_insurance=_opt(
            d, "payout_ratio_without_social_insurance", p, ratio
        ),
        scope=d.get("scope"),
        excluded_kinds=text_set(d.get("excluded_kinds"), f"{p}.excluded_kinds"),
        waiting_period_days=_opt(d, "waiting_period_days", p, count),
    )


def _critical_illness_coverage(d: Mapping[str, Any], p: str) -> Coverage:
    mild = None
    if d.get("mild") is not None:
        m = _mapping(d["mild"], f"{p}.mild")
        mild = _build(
            f"{p}.mild",
            MildBenefit,
            diseases=text_set(m.get("diseases"), f"{p}.mild.diseases"),
            percent=ratio(_required(m, "percent", f"{p}.mild"), f"{p}.mild.percent"),
            max_times=_opt(m, "max_times", f"{p}.mild", count),
        )
    return _build(
        p,
        CriticalIllnessCoverage,
        sum_insured=amount(_required(d, "sum_insured", p), f"{p}.sum_insured"),
        severe=text_set(_required(d, "severe", p), f"{p}.severe"),
        mild=mild,
        waiting_period_days=_opt(d, "waiting_period_days", p, count),
    )


def _sum_insured_coverage(
    make: Callable[..., DisabilityCoverage | DeathCoverage],
) -> Callable[[Mapping[str, Any], str], Coverage]:
    """The reader of a coverage paid out of one sum insured (disability, death)."""

    def read(d: Mapping[str, Any], p: str) -> Coverage:
        return _build(
            p,
            make,
            sum_insured=amount(_required(d, "sum_insured", p), f"{p}.sum_insured"),
            waiting_period_days=_opt(d, "waiting_period_days", p, count),
        )

    return read


def _property_coverage(d: Mapping[str, Any], p: str) -> Coverage:
    proportional = d.get("proportional")
    return _build(
        p,
        PropertyCoverage,
        sum_insured=amount(_required(d, "sum_insured", p), f"{p}.sum_insured"),
        deductible=_opt(d, "deductible", p, amount),
        deductible_rate=_opt(d, "deductible_rate", p, ratio),
        valuation=d.get("valuation"),
        depreciation_rate=_opt(d, "depreciation_rate", p, ratio),
        agreed_value=_opt(d, "agreed_value", p, amount),
        proportional=None if proportional is None else flag(proportional, f"{p}.proportional"),
        waiting_period_days=_opt(d, "waiting_period_days", p, count),
    )


def _liability_coverage(d: Mapping[str, Any], p: str) -> Coverage:
    return _build(
        p,
        LiabilityCoverage,
        limit=amount(_required(d, "limit", p), f"{p}.limit"),
        deductible=_opt(d, "deductible", p, amount),
        deductible_rate=_opt(d, "deductible_rate", p, ratio),
        waiting_period_days=_opt(d, "waiting_period_days", p, count),
    )


_COVERAGE_READERS: dict[str, Callable[[Mapping[str, Any], str], Coverage]] = {
    "medical": _medical_coverage,
    "accident_medical": _medical_coverage,
    "critical_illness": _critical_illness_coverage,
    "accident_disability": _sum_insured_coverage(DisabilityCoverage),
    "accident_death": _sum_insured_coverage(DeathCoverage),
    "property": _property_coverage,
    "liability": _liability_coverage,
}


# -- claim facts -------------------------------------------------------------------------


def catalog(value: Any, field: str) -> str | None:
    """A, B, C (or 甲/乙/丙); empty means outside the catalogue (self-funded)."""
    if value is None or value == "":
        return None
    found = _CATALOG_ALIASES.get(value.strip().upper()) if isinstance(value, str) else None
    if found is None:
        raise invalid_choice(field, value, CATALOGS)
    return found


def expense_line(data: Any, prefix: str) -> ExpenseLine:
    data = _mapping(data, prefix)
    kind = data.get("kind")
    if kind is not None and not isinstance(kind, str):
        raise MalformedObject(field=f"{prefix}.kind", expected_zh="文本", expected_en="text")
    return _build(
        prefix,
        ExpenseLine,
        amount=amount(_required(data, "amount", prefix), f"{prefix}.amount"),
        catalog=catalog(data.get("catalog"), f"{prefix}.catalog"),
        kind=kind,
        self_pay_ratio=_opt(data, "self_pay_ratio", prefix, ratio),
    )


def parse_claim(coverage_type: str, data: Any, prefix: str = "claim") -> ClaimFacts:
    data = _mapping(data, prefix)
    reader = _CLAIM_READERS.get(coverage_type)
    if reader is None:
        raise UnknownCoverageType(
            field="coverage.type", value=coverage_type, allowed=", ".join(COVERAGE_TYPES)
        )
    day = local_date(_required(data, "date_of_loss", prefix), f"{prefix}.date_of_loss")
    return reader(data, prefix, day)


def _medical_claim(d: Mapping[str, Any], p: str, day: date) -> ClaimFacts:
    lines = _required(d, "lines", p)
    if not isinstance(lines, list):
        raise MalformedObject(field=f"{p}.lines", expected_zh="列表", expected_en="a list")
    settled = d.get("settled_with_social_insurance")
    return _build(
        p,
        MedicalClaim,
        date_of_loss=day,
        lines=tuple(expense_line(line, f"{p}.lines[{i}]") for i, line in enumerate(lines)),
        settled_with_social_insurance=(
            None if settled is None else flag(settled, f"{p}.settled_with_social_insurance")
        ),
        social_insurance_paid=_opt(d, "social_insurance_paid", p, amount),
        other_compensation=_opt(d, "other_compensation", p, amount),
    )


def _grade(value: Any, field: str) -> int:
    if isinstance(value, Mapping):
        value = value.get("grade")
        field = f"{field}.grade"
    number = _decimal(value)
    if number is None or number != number.to_integral_value() or not 1 <= number <= 10:
        raise DisabilityGradeOutOfRange(field=field)
    return int(number)


def _disability_claim(d: Mapping[str, Any], p: str, day: date) -> ClaimFacts:
    injuries = _required(d, "injuries", p)
    if not isinstance(injuries, list):
        raise MalformedObject(field=f"{p}.injuries", expected_zh="列表", expected_en="a list")
    grades = tuple(_grade(injury, f"{p}.injuries[{i}]") for i, injury in enumerate(injuries))
    return _build(p, DisabilityClaim, date_of_loss=day, injuries=grades)


def _critical_illness_claim(d: Mapping[str, Any], p: str, day: date) -> ClaimFacts:
    disease = _required(d, "disease", p)
    if not isinstance(disease, str):
        raise MalformedObject(
            field=f"{p}.disease", expected_zh="疾病代码", expected_en="a disease code"
        )
    return _build(p, CriticalIllnessClaim, date_of_loss=day, disease=disease.strip())


def _death_claim(d: Mapping[str, Any], p: str, day: date) -> ClaimFacts:
    return _build(p, DeathClaim, date_of_loss=day)


def _property_claim(d: Mapping[str, Any], p: str, day: date) -> ClaimFacts:
    repair = None
    if d.get("repair") is not None:
        r = _mapping(d["repair"], f"{p}.repair")
        repair = _build(
            f"{p}.repair",
            Repair,
            materials=_opt(r, "materials", f"{p}.repair", amount),
            labour=_opt(r, "labour", f"{p}.repair", amount),
            salvage=_opt(r, "salvage", f"{p}.repair", amount),
        )
    total = None
    raw_total = d.get("total_loss")
    # ``"total_loss": true`` with the figures beside it (README), or an object of them.
    if isinstance(raw_total, Mapping) or (
        raw_total is not None and flag(raw_total, f"{p}.total_loss")
    ):
        source, where = (raw_total, f"{p}.total_loss") if isinstance(raw_total, Mapping) else (d, p)
        years = source.get("years_in_use")
        total = _build(
            where,
            TotalLoss,
            replacement_value=_opt(source, "replacement_value", where, amount),
            years_in_use=None
            if years is None
            else count(years, f"{where}.years_in_use", floor=True),
        )
    return _build(
        p,
        PropertyClaim,
        date_of_loss=day,
        repair=repair,
        total_loss=total,
        actual_value=_opt(d, "actual_value", p, amount),
        insured_value=_opt(d, "insured_value", p, amount),
        liability_ratio=_opt(d, "liability_ratio", p, ratio),
    )


def _liability_claim(d: Mapping[str, Any], p: str, day: date) -> ClaimFacts:
    return _build(
        p,
        LiabilityClaim,
        date_of_loss=day,
        damages=amount(_required(d, "damages", p), f"{p}.damages"),
        liability_ratio=_opt(d, "liability_ratio", p, ratio),
    )


_CLAIM_READERS: dict[str, Callable[[Mapping[str, Any], str, date], ClaimFacts]] = {
    "medical": _medical_claim,
    "accident_medical": _medical_claim,
    "critical_illness": _critical_illness_claim,
    "accident_disability": _disability_claim,
    "accident_death": _death_claim,
    "property": _property_claim,
    "liability": _liability_claim,
}
