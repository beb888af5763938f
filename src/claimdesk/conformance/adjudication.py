"""Adjudication conformance vectors (``"kind": "adjudication"``, SPEC ADJ-*).

``check_vector(vector)`` runs one vector through the engine and compares every key of
its ``expect`` exactly: amounts as 2-decimal strings, integers as numbers, reasons as
strings. It returns None on a pass, or the reason of the failure
(``"payable 21000.00 != 20000.00"``). The conformance runner imports it lazily.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from claimdesk.errors import ClaimdeskError
from claimdesk.rules.adjudication import AdjudicationResult, adjudicate
from claimdesk.rules.adjudication.parsing import (
    parse_claim,
    parse_coverage,
    parse_history,
    parse_policy,
)

# What a vector may expect, and how the result's value is written for comparison.
_EXPECTABLE = ("payable", "reason", "eligible", "deductible_applied", "grade")


def run_vector(vector: dict[str, Any]) -> AdjudicationResult:
    """Parse the vector's coverage, policy, history and claim; adjudicate."""
    coverage = parse_coverage(vector.get("coverage"))
    return adjudicate(
        coverage,
        parse_claim(coverage.type, vector.get("claim")),
        policy=parse_policy(vector.get("policy")),
        history=parse_history(vector.get("history")),
    )


def _actual(result: AdjudicationResult, key: str) -> Any:
    value = getattr(result, key)
    return str(value) if isinstance(value, Decimal) else value


def _same(expected: Any, actual: Any) -> bool:
    # Amounts are compared as the exact 2-decimal text; an integer (grade) as a number,
    # never equal to a bool or a string of digits.
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    return type(expected) is type(actual) and expected == actual


def check_vector(vector: dict[str, Any]) -> str | None:
    if not isinstance(vector, dict):
        return "vector is not a JSON object"
    expect = vector.get("expect")
    if not isinstance(expect, dict) or not expect:
        return "expect: missing or empty"
    unknown = sorted(set(expect) - set(_EXPECTABLE))
    if unknown:
        return f"expect: unknown key(s) {', '.join(unknown)}"
    try:
        result = run_vector(vector)
    except ClaimdeskError as error:
        return f"invalid vector: {error.message('en')}"
    failures = []
    for key in _EXPECTABLE:
        if key not in expect:
            continue
        actual = _actual(result, key)
        if not _same(expect[key], actual):
            failures.append(f"{key} {_show(actual)} != {_show(expect[key])}")
    return "; ".join(failures) or None


def _show(value: Any) -> str:
    return "null" if value is None else str(value)
