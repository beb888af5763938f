"""Adjudication conformance vectors: the shared folder and our own, one per rule and edge.

Our vectors are inline dicts in the README format; each is checked through
``check_vector`` exactly as ``claimdesk conformance run`` does.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from claimdesk.conformance.adjudication import check_vector
from tests.paths import shared_vectors
from tests.wording import field_in

SHARED = shared_vectors()

MED = {
    "type": "medical",
    "sum_insured": "2000000.00",
    "deductible": "10000.00",
    "payout_ratio": "1.00",
    "payout_ratio_without_social_insurance": "0.60",
    "scope": "all_necessary",
    "excluded_kinds": ["cosmetic"],
    "waiting_period_days": 30,
}
MED_SI = {
    "type": "medical",
    "sum_insured": "50000.00",
    "deductible": "0.00",
    "payout_ratio": "0.80",
    "scope": "social_insurance_only",
    "excluded_kinds": ["cosmetic"],
    "waiting_period_days": 0,
}
CI = {
    "type": "critical_illness",
    "sum_insured": "500000.00",
    "waiting_period_days": 90,
    "severe": ["CI-01", "CI-02"],
    "mild": {"diseases": ["CIM-01"], "percent": "0.20", "max_times": 2},
}
DIS = {"type": "accident_disability", "sum_insured": "300000.00"}
DTH = {"type": "accident_death", "sum_insured": "300000.00"}
PRP = {
    "type": "property",
    "sum_insured": "800000.00",
    "deductible": "500.00",
    "deductible_rate": "0.10",
    "valuation": "depreciated",
    "depreciation_rate": "0.10",
    "proportional": True,
}
LIA = {"type": "liability", "limit": "50000.00", "deductible": "1000.00", "deductible_rate": "0.10"}
YEAR = {"start": "2026-01-01", "end": "2026-12-31"}


def line(catalog: str, amount: str, kind: str = "drug", spr: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"catalog": catalog, "kind": kind, "amount": amount}
    if spr is not None:
        out["self_pay_ratio"] = spr
    return out


def medical(
    date_of_loss: str,
    *lines: dict[str, Any],
    settled_with_social_insurance: bool = True,
    **amounts: str,
) -> dict[str, Any]:
    """A medical claim (ADJ-MED) of ``lines`` on ``date_of_loss``: settled with social
    insurance unless told otherwise, with any ``amounts`` (social_insurance_paid,
    other_compensation) besides."""
    return {
        "date_of_loss": date_of_loss,
        "settled_with_social_insurance": settled_with_social_insurance,
        **amounts,
        "lines": list(lines),
    }


def vec(
    vid: str,
    coverage: dict[str, Any],
    claim: dict[str, Any],
    expect: dict[str, Any],
    history: dict[str, Any] | None = None,
    policy: dict[str, Any] = YEAR,
) -> dict[str, Any]:
    v: dict[str, Any] = {
        "id": vid,
        "kind": "adjudication",
        "coverage": coverage,
        "policy": policy,
        "claim": claim,
        "expect": expect,
    }
    if history is not None:
        v["history"] = history
    return v


OWN_VECTORS = [
    # ADJ-MED step 5: last day of the policy is covered, the day after is not.
    vec(
        "O-MED-01",
        MED,
        medical("2026-12-31", line("A", "10500.00")),
        {"payable": "500.00", "deductible_applied": "10000.00"},
    ),
    vec(
        "O-MED-02",
        MED,
        medical("2027-01-01", line("A", "10500.00")),
        {"payable": "0.00", "reason": "not_in_force"},
    ),
    # Waiting period: policy.start + 30 days is the first covered day; the day before is not.
    vec(
        "O-MED-03",
        MED,
        medical("2026-01-31", line("A", "10001.00")),
        {"payable": "1.00"},
    ),
    vec(
        "O-MED-04",
        MED,
        medical("2026-01-30", line("A", "10001.00")),
        {"payable": "0.00", "reason": "waiting_period"},
    ),
    # Step 2: social insurance and other compensation exceed eligible: net floors at 0.
    vec(
        "O-MED-05",
        MED,
        medical(
            "2026-05-01",
            line("A", "5000.00"),
            social_insurance_paid="3000.00",
            other_compensation="2500.00",
        ),
        {"payable": "0.00", "eligible": "5000.00", "deductible_applied": "0.00"},
    ),
    # Step 3: deductible already used up this year.
    vec(
        "O-MED-06",
        MED,
        medical("2026-05-01", line("A", "4000.00")),
        {"payable": "4000.00", "deductible_applied": "0.00"},
        history={"deductible_used": "10000.00"},
    ),
    # Step 4: capped at the remaining sum insured.
    vec(
        "O-MED-07",
        MED,
        medical("2026-05-01", line("A", "60000.00")),
        {"payable": "20000.00"},
        history={"paid": "1980000.00"},
    ),
    vec(
        "O-MED-08",
        MED,
        medical("2026-05-01", line("A", "60000.00")),
        {"payable": "0.00", "reason": "sum_insured_exhausted"},
        history={"paid": "2000000.00", "deductible_used": "10000.00"},
    ),
    # GEN-1: B line with a self-pay ratio giving fractions of a fen; rounded once at the end.
    vec(
        "O-MED-09",
        MED_SI,
        medical("2026-05-01", line("B", "100.01", spr="0.15"), line("B", "100.01", spr="0.15")),
        {"payable": "136.01", "eligible": "170.02"},
    ),
    # Only excluded and catalogue-C lines: nothing covered.
    vec(
        "O-MED-10",
        MED_SI,
        medical("2026-05-01", line("C", "800.00"), line("A", "900.00", kind="cosmetic")),
        {"payable": "0.00", "reason": "not_covered", "eligible": "0.00"},
    ),
    # accident_medical follows ADJ-MED too, and the lower ratio without social insurance.
    vec(
        "O-MED-11",
        {**MED, "type": "accident_medical"},
        medical("2026-06-01", line("A", "12345.67"), settled_with_social_insurance=False),
        {"payable": "1407.40", "eligible": "12345.67"},
    ),
    # ADJ-CI
    vec(
        "O-CI-01", CI, {"date_of_loss": "2026-04-01", "disease": "CI-02"}, {"payable": "500000.00"}
    ),
    vec(
        "O-CI-02",
        CI,
        {"date_of_loss": "2026-03-31", "disease": "CI-02"},
        {"payable": "0.00", "reason": "waiting_period"},
    ),
    vec(
        "O-CI-03",
        CI,
        {"date_of_loss": "2026-06-01", "disease": "CI-02"},
        {"payable": "0.00", "reason": "coverage_ended"},
        history={"severe_paid": True},
    ),
    vec(
        "O-CI-04",
        CI,
        {"date_of_loss": "2026-06-01", "disease": "CIM-01"},
        {"payable": "0.00", "reason": "benefit_exhausted"},
        history={"mild_paid_count": 2},
    ),
    vec(
        "O-CI-05",
        CI,
        {"date_of_loss": "2026-06-01", "disease": "CIM-01"},
        {"payable": "100000.00"},
        history={"mild_paid_count": 1},
    ),
    vec(
        "O-CI-06",
        CI,
        {"date_of_loss": "2026-06-01", "disease": "X-99"},
        {"payable": "0.00", "reason": "not_covered"},
    ),
    # ADJ-DIS: the raise stops at grade 1; cap at the remaining sum insured.
    vec(
        "O-DIS-01",
        DIS,
        {"date_of_loss": "2026-04-12", "injuries": [{"grade": 1}, {"grade": 1}]},
        {"payable": "300000.00", "grade": 1},
    ),
    vec(
        "O-DIS-02",
        DIS,
        {"date_of_loss": "2026-04-12", "injuries": [{"grade": 2}, {"grade": 2}]},
        {"payable": "100000.00", "grade": 1},
        history={"paid": "200000.00"},
    ),
    vec(
        "O-DIS-03",
        DIS,
        {"date_of_loss": "2026-04-12", "injuries": [{"grade": 10}]},
        {"payable": "0.00", "reason": "sum_insured_exhausted", "grade": 10},
        history={"paid": "300000.00"},
    ),
    # ADJ-DTH: disability paid above the sum insured floors at 0.
    vec(
        "O-DTH-01",
        DTH,
        {"date_of_loss": "2026-09-03"},
        {"payable": "0.00"},
        history={"disability_paid": "300000.00"},
    ),
    vec(
        "O-DTH-02",
        DTH,
        {"date_of_loss": "2025-12-31"},
        {"payable": "0.00", "reason": "not_in_force"},
    ),
    # ADJ-PRP: repair capped at the actual value, ratio, rate and absolute deductible.
    vec(
        "O-PRP-01",
        PRP,
        {
            "date_of_loss": "2026-07-21",
            "repair": {"materials": "70000.00", "labour": "5000.00", "salvage": "1000.00"},
            "actual_value": "60000.00",
            "liability_ratio": "0.50",
        },
        {"payable": "26500.00"},
    ),
    # Depreciation never below 0: 12 years at 10%.
    vec(
        "O-PRP-02",
        PRP,
        {
            "date_of_loss": "2026-07-21",
            "total_loss": True,
            "replacement_value": "100000.00",
            "years_in_use": 12,
        },
        {"payable": "0.00"},
    ),
    # Agreed value; proportional under-insurance with a recurring quotient (rounded once).
    vec(
        "O-PRP-03",
        {
            **PRP,
            "valuation": "agreed",
            "agreed_value": "900000.00",
            "deductible_rate": "0.00",
            "deductible": "0.00",
            "sum_insured": "100000.00",
        },
        {"date_of_loss": "2026-07-21", "total_loss": True, "insured_value": "300000.00"},
        {"payable": "100000.00"},
    ),
    vec(
        "O-PRP-04",
        {
            **PRP,
            "valuation": "replacement",
            "deductible_rate": "0.00",
            "deductible": "0.00",
            "sum_insured": "100000.00",
        },
        {
            "date_of_loss": "2026-07-21",
            "repair": {"materials": "1000.00"},
            "insured_value": "300000.00",
        },
        {"payable": "333.33"},
    ),
    # ADJ-LIA: capped at the limit per occurrence; deductible larger than the loss floors at 0.
    vec(
        "O-LIA-01",
        LIA,
        {"date_of_loss": "2026-02-02", "damages": "200000.00", "liability_ratio": "1.00"},
        {"payable": "50000.00"},
    ),
    vec(
        "O-LIA-02",
        LIA,
        {"date_of_loss": "2026-02-02", "damages": "1000.00", "liability_ratio": "0.50"},
        {"payable": "0.00"},
    ),
]


def _shared_adjudication_vectors() -> list[Path]:
    # Deadline vectors in the same folder are the deadline engine's tests' business.
    return [
        path
        for path in sorted(SHARED.glob("*.json"))
        if json.loads(path.read_text(encoding="utf-8")).get("kind") == "adjudication"
    ]


@pytest.mark.parametrize("path", _shared_adjudication_vectors(), ids=lambda p: p.stem)
def test_shared_adjudication_vectors_pass(path: Path) -> None:
    # SPEC ADJ-MED ADJ-CI ADJ-DIS ADJ-DTH ADJ-PRP ADJ-LIA CLM-C2
    vector = json.loads(path.read_text(encoding="utf-8"))
    assert check_vector(vector) is None


def test_shared_folder_has_adjudication_vectors_of_every_formula() -> None:
    # SPEC CLM-C2: the shared folder exercises every coverage family.
    types = {
        json.loads(p.read_text(encoding="utf-8"))["coverage"]["type"]
        for p in _shared_adjudication_vectors()
    }
    assert {"medical", "critical_illness", "accident_disability", "property", "liability"} <= types


@pytest.mark.parametrize("vector", OWN_VECTORS, ids=lambda v: v["id"])
def test_own_vectors_pass(vector: dict[str, Any]) -> None:
    # SPEC ADJ-MED ADJ-CI ADJ-DIS ADJ-DTH ADJ-PRP ADJ-LIA PER-3 GEN-1
    assert check_vector(vector) is None


def test_there_are_at_least_twenty_own_vectors() -> None:
    # SPEC CLM-C2
    assert len({v["id"] for v in OWN_VECTORS}) >= 20


def test_wrong_expectation_fails_with_both_figures() -> None:
    # SPEC CLM-C2
    vector = copy.deepcopy(OWN_VECTORS[0])
    vector["expect"]["payable"] = "501.00"
    assert check_vector(vector) == "payable 500.00 != 501.00"


def test_every_expected_key_is_compared() -> None:
    # SPEC CLM-C2: a grade given as a string, or a reason where there is none, fails.
    vector = copy.deepcopy(next(v for v in OWN_VECTORS if v["id"] == "O-DIS-01"))
    vector["expect"]["grade"] = "1"
    assert check_vector(vector) == "grade 1 != 1"
    vector["expect"] = {"payable": "300000.00", "reason": "not_covered"}
    assert check_vector(vector) == "reason null != not_covered"


def test_unreadable_vector_is_a_failure_with_the_field() -> None:
    # SPEC GEN-6 CLM-C2
    vector = copy.deepcopy(OWN_VECTORS[0])
    vector["claim"]["lines"][0]["amount"] = "abc"
    reason = check_vector(vector)
    assert reason is not None
    assert field_in("claim.lines[0].amount") in reason
    vector = copy.deepcopy(OWN_VECTORS[0])
    vector["coverage"]["type"] = "pet"
    assert field_in("coverage.type") in (check_vector(vector) or "")
    assert check_vector({**OWN_VECTORS[0], "expect": {"colour": "red"}}) is not None


def test_json_numbers_read_through_their_text_not_binary_float() -> None:
    # SPEC GEN-1: a vector written with JSON numbers still computes exactly.
    vector = vec(
        "O-FLOAT",
        LIA,
        {"date_of_loss": "2026-02-02", "damages": 1000.1, "liability_ratio": 0.7},
        {"payable": "0.00"},
    )
    vector["coverage"] = {
        "type": "liability",
        "limit": 100000,
        "deductible": 0,
        "deductible_rate": 0.1,
    }
    # 1000.1 × 0.7 × 0.9 = 630.063 → 630.06
    vector["expect"] = {"payable": "630.06"}
    assert check_vector(vector) is None
