"""Check parameters are validated with a clear error, never floats (SPEC CLM-F3)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from claimdesk.rules.checks.params import ParamError, to_json, validate
from claimdesk.rules.checks.rules import RULES


def test_defaults_fill_missing_parameters():  # SPEC CLM-F3
    values = validate(RULES["just_under_limit"].params, {})
    assert values["limits"] == (Decimal("5000"), Decimal("10000"))
    assert to_json(values)["within_pct"] == "5"


@pytest.mark.parametrize(
    ("raw", "field", "words"),
    [
        ({"days_after_waiting": 0}, "days_after_waiting", "between 1 and 730"),
        ({"days_after_waiting": 1.5}, "days_after_waiting", "must be a number"),
        ({"days_after_waiting": "2.5"}, "days_after_waiting", "whole number"),
        ({"dayz": 3}, "dayz", "unknown parameter"),
    ],
)
def test_wrong_parameters_name_the_field(raw, field, words):  # SPEC CLM-F3
    with pytest.raises(ParamError) as caught:
        validate(RULES["early_claim"].params, raw)
    assert caught.value.field == field and words in caught.value.message_en
    assert caught.value.message_zh


def test_every_rule_has_a_code_titles_and_an_action():  # SPEC CLM-F3, CLM-F1
    assert set(RULES) >= {
        "duplicate_receipt",
        "outside_period",
        "sex_age_mismatch",
        "early_claim",
        "just_under_limit",
        "shared_contact",
        "provider_cluster",
        "claim_frequency",
        "amount_outlier",
    }
    assert all(r.default_action in {"hold", "refer"} and r.title_zh for r in RULES.values())
