"""The automatic path's referral reasons read as people write (SPEC CLM-T2: a person
gets the claim with the list of reasons; GEN-2, GEN-6): dates as 2026年3月2日 / 2 Mar
2026, amounts with thousands separators, the engine's reason and the coverage types in
words, each language its own words and list separator."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from claimdesk.claims.automatic.service import Words, _codes, _why_nothing, reason


def test_dates_and_amounts_are_written_for_the_reader() -> None:
    # SPEC CLM-T2 GEN-2
    found = reason(code="over_limit", amount=Decimal("12345.6"), limit=Decimal("5000"))
    assert found["text_zh"] == "票据金额 12,345.60 元超过自动理赔上限 5,000.00 元"
    assert found["text_en"] == "The bills total ¥12,345.60, above the automatic limit of ¥5,000.00"
    found = reason(
        code="not_in_force",
        date=dt.date(2027, 1, 3),
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
    )
    assert found["text_zh"] == (
        "出险或就诊日期 2027年1月3日 不在保险期间（2026年1月1日 至 2026年12月31日）内"
    )
    assert "3 Jan 2027" in found["text_en"] and "2027-01-03" not in found["text_en"]


def test_words_are_chosen_per_language() -> None:
    # SPEC CLM-T2 GEN-6: a check's reason in English reads in English
    found = reason(code="check_hit", reason=Words("同一票据已报销", "Receipt already claimed"))
    assert found["text_zh"] == "自动核查提示：同一票据已报销"
    assert found["text_en"] == "Automatic check: Receipt already claimed"
    types = reason(code="line_not_automatic", types=_codes(["property"]), lines=_codes(["medical"]))
    assert "property" not in types["text_en"] and "Property" in types["text_en"]
    assert "财产" in types["text_zh"] and "medical" not in types["text_zh"]


def test_nothing_payable_names_the_engines_reason_in_words() -> None:
    # SPEC CLM-T2: never a raw code, never "0.00" as a reason
    assert _why_nothing("waiting_period").en == "inside the waiting period"
    assert _why_nothing("waiting_period").zh != "inside the waiting period"
    found = reason(code="nothing_payable", why=_why_nothing(None))
    assert "0.00" not in found["text_zh"] and "deductible" in found["text_en"]
