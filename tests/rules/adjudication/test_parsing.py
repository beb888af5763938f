"""Reading the engine's inputs from JSON: every bad value names its full path (GEN-6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest

from claimdesk.rules.adjudication import MedicalCoverage, PropertyClaim
from claimdesk.rules.adjudication import errors as E
from claimdesk.rules.adjudication.parsing import (
    parse_claim,
    parse_coverage,
    parse_history,
    parse_policy,
)


@pytest.mark.parametrize(
    ("coverage", "error", "field"),
    [
        ({"type": "pet", "sum_insured": "1"}, E.UnknownCoverageType, "coverage.type"),
        ({"sum_insured": "1"}, E.MissingField, "coverage.type"),
        ({"type": "medical"}, E.MissingField, "coverage.sum_insured"),
        ({"type": "medical", "sum_insured": "1,000"}, E.MalformedAmount, "coverage.sum_insured"),
        ({"type": "medical", "sum_insured": "-5"}, E.NegativeAmount, "coverage.sum_insured"),
        (
            {"type": "medical", "sum_insured": "5", "payout_ratio": "1.2"},
            E.RatioOutOfRange,
            "coverage.payout_ratio",
        ),
        (
            {"type": "medical", "sum_insured": "5", "payout_ratio": "x"},
            E.MalformedRatio,
            "coverage.payout_ratio",
        ),
        (
            {"type": "medical", "sum_insured": "5", "waiting_period_days": "3.5"},
            E.MalformedCount,
            "coverage.waiting_period_days",
        ),
        (
            {
                "type": "critical_illness",
                "sum_insured": "5",
                "severe": ["A"],
                "mild": {"diseases": ["B"], "percent": "2"},
            },
            E.RatioOutOfRange,
            "coverage.mild.percent",
        ),
        (
            {"type": "property", "sum_insured": "5", "valuation": "market"},
            E.InvalidChoice,
            "coverage.valuation",
        ),
        (
            {"type": "property", "sum_insured": "5", "proportional": "maybe"},
            E.MalformedFlag,
            "coverage.proportional",
        ),
        ({"type": "liability", "limit": True}, E.MalformedAmount, "coverage.limit"),
        ("medical", E.MalformedObject, "coverage"),
    ],
)
def test_bad_coverage(coverage: Any, error: type[Exception], field: str) -> None:
    # SPEC GEN-6 PRD-3
    with pytest.raises(error) as caught:
        parse_coverage(coverage)
    assert caught.value.field == field  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("kind", "claim", "error", "field"),
    [
        ("medical", {"lines": []}, E.MissingField, "claim.date_of_loss"),
        (
            "medical",
            {"date_of_loss": "2026-02-30", "lines": []},
            E.MalformedDate,
            "claim.date_of_loss",
        ),
        (
            "medical",
            {"date_of_loss": "2026/02/01", "lines": []},
            E.MalformedDate,
            "claim.date_of_loss",
        ),
        ("medical", {"date_of_loss": "2026-02-01", "lines": []}, E.EmptyList, "claim.lines"),
        (
            "medical",
            {"date_of_loss": "2026-02-01", "lines": [{"catalog": "A", "amount": "-1"}]},
            E.NegativeAmount,
            "claim.lines[0].amount",
        ),
        (
            "medical",
            {"date_of_loss": "2026-02-01", "lines": [{"catalog": "Z", "amount": "1"}]},
            E.InvalidChoice,
            "claim.lines[0].catalog",
        ),
        (
            "medical",
            {
                "date_of_loss": "2026-02-01",
                "lines": [{"catalog": "B", "amount": "1", "self_pay_ratio": "-0.1"}],
            },
            E.RatioOutOfRange,
            "claim.lines[0].self_pay_ratio",
        ),
        (
            "medical",
            {
                "date_of_loss": "2026-02-01",
                "social_insurance_paid": "abc",
                "lines": [{"amount": "1"}],
            },
            E.MalformedAmount,
            "claim.social_insurance_paid",
        ),
        (
            "accident_disability",
            {"date_of_loss": "2026-02-01", "injuries": [{"grade": 11}]},
            E.DisabilityGradeOutOfRange,
            "claim.injuries[0].grade",
        ),
        (
            "accident_disability",
            {"date_of_loss": "2026-02-01", "injuries": [{"grade": 2.5}]},
            E.DisabilityGradeOutOfRange,
            "claim.injuries[0].grade",
        ),
        ("property", {"date_of_loss": "2026-02-01"}, E.MissingField, "claim.repair"),
        (
            "property",
            {"date_of_loss": "2026-02-01", "repair": {"materials": "1"}, "total_loss": True},
            E.ConflictingFacts,
            "claim.total_loss",
        ),
        (
            "property",
            {"date_of_loss": "2026-02-01", "repair": {"salvage": "-3"}},
            E.NegativeAmount,
            "claim.repair.salvage",
        ),
        (
            "liability",
            {"date_of_loss": "2026-02-01", "damages": "5", "liability_ratio": "1.01"},
            E.RatioOutOfRange,
            "claim.liability_ratio",
        ),
        (
            "critical_illness",
            {"date_of_loss": "2026-02-01", "disease": 7},
            E.MalformedObject,
            "claim.disease",
        ),
    ],
)
def test_bad_claim(kind: str, claim: Any, error: type[Exception], field: str) -> None:
    # SPEC GEN-6
    with pytest.raises(error) as caught:
        parse_claim(kind, claim)
    assert caught.value.field == field  # type: ignore[attr-defined]


def test_policy_and_history_errors_name_their_fields() -> None:
    # SPEC GEN-6
    with pytest.raises(E.PolicyPeriodReversed) as caught:
        parse_policy({"start": "2026-12-31", "end": "2026-01-01"})
    assert caught.value.field == "policy.end"
    with pytest.raises(E.NegativeAmount) as caught2:
        parse_history({"paid": "-1.00"})
    assert caught2.value.field == "history.paid"
    with pytest.raises(E.MalformedCount):
        parse_history({"mild_paid_count": -1})


def test_defaults_and_aliases() -> None:
    # SPEC PRD-3: optional parameters default to 0 / false / the same ratio.
    cov = parse_coverage({"type": "accident_medical", "sum_insured": 1000})
    assert isinstance(cov, MedicalCoverage)
    assert (cov.deductible, cov.payout_ratio, cov.scope) == (D("0.00"), D(1), "all_necessary")
    assert parse_history(None).paid == D("0.00")
    assert parse_history({"severe_paid": "500000.00"}).severe_paid is True
    claim = parse_claim(
        "medical",
        {
            "date_of_loss": "2026-02-01",
            "lines": [{"catalog": "乙", "amount": "1", "self_pay_ratio": "0.1"}],
        },
    )
    assert claim.lines[0].catalog == "B"  # type: ignore[union-attr]
    prop = parse_claim(
        "property",
        {
            "date_of_loss": "2026-02-01",
            "total_loss": {"replacement_value": "10.00", "years_in_use": 3.9},
        },
    )
    assert isinstance(prop, PropertyClaim) and prop.total_loss is not None
    assert prop.total_loss.years_in_use == 3  # whole years of use
    assert prop.date_of_loss == date(2026, 2, 1)
