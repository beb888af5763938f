"""A reserve change's reason written by the system is kept in both languages and read in
one (claims.settlement.reserves.reason_in, FIN-1); what a person typed is never cut."""

from __future__ import annotations

import pytest

from claimdesk.claims.settlement.reserves import reason_in, system_reason


@pytest.mark.parametrize(
    ("stored", "zh", "en"),
    [
        (system_reason("结案释放", "released at closing"), "结案释放", "released at closing"),
        # Written before system_reason, in the same form (acceptance, payment, automatic).
        (
            "案件受理时设立未决赔款准备金 / case reserve set at acceptance",
            "案件受理时设立未决赔款准备金",
            "case reserve set at acceptance",
        ),
        ("赔款支付 / paid (payment #12)", "赔款支付", "paid (payment #12)"),
        ("自动理赔规则集 v3 / automatic rule set v3", "自动理赔规则集 v3", "automatic rule set v3"),
    ],
)
def test_a_system_reason_reads_in_the_readers_language(stored: str, zh: str, en: str) -> None:
    # FIN-1: the reason of every reserve change, shown once, in the reader's language
    assert reason_in(stored, "zh-CN") == zh
    assert reason_in(stored, "en") == en


@pytest.mark.parametrize(
    "typed",
    ["材料齐全", "估损下调 / 待查勘", "revised after the survey", "A / B", "查勘后 / ", None, ""],
)
def test_what_a_person_typed_is_shown_as_typed(typed: str | None) -> None:
    # FIN-1: only the system's two-language form is split
    assert reason_in(typed, "zh-CN") == typed and reason_in(typed, "en") == typed
