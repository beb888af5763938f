"""A check's reason in the words people write: dates, amounts and lists in reason_zh and
reason_en as the pages write them; the evidence stays machine-readable (SPEC CLM-F3, GEN-2)."""

from __future__ import annotations

import pytest

from claimdesk import formatting
from claimdesk.rules.checks import words
from claimdesk.rules.checks.params import ParamError
from claimdesk.rules.checks.types import PastClaim
from tests.rules.checks.helpers import D, claim, day, make, policy, receipt, run


def test_a_checks_dates_read_as_people_write_them():  # SPEC CLM-F3 GEN-2
    surrendered = policy(terminated_on=day("2026-09-01"))
    (hit,) = run(
        "outside_period", make(claim=claim(loss_date=day("2026-09-28")), policy=surrendered)
    )
    assert hit.reason_zh.startswith("出险日期 2026年9月28日 在保单解除生效（2026年9月1日）之后")
    assert "（2026年1月1日～2026年12月31日，" in hit.reason_zh
    assert hit.reason_en.startswith("Date of loss 28 Sep 2026 is after the policy's termination")
    assert "(1 Jan 2026 to 31 Dec 2026, " in hit.reason_en
    assert "2026-" not in hit.reason_zh + hit.reason_en
    assert "loss_date" not in hit.reason_zh + hit.reason_en  # the date named in words
    # The evidence is for machines: ISO, as before.
    assert hit.evidence["date"] == "2026-09-28" and hit.evidence["terminated_on"] == "2026-09-01"


def test_a_checks_amounts_read_with_thousands_separators():  # SPEC CLM-F3 GEN-2
    inp = make(
        claim=claim(amount=D("9990.00")),
        insured_claims=(PastClaim(50, day("2026-05-01"), D("9800.00")),),
    )
    (hit,) = run("just_under_limit", inp, limits=["10000"], within_pct="5", min_count=2)
    assert "限额 10,000.00 元以下" in hit.reason_zh
    assert hit.reason_en.endswith("under the limit 10,000.00")
    assert hit.evidence["limit"] == "10000" and hit.evidence["amount"] == "9990.00"


def test_a_list_reads_with_the_enumeration_comma_in_chinese():  # SPEC CLM-F3 GEN-2
    with pytest.raises(ParamError) as refused:
        run("just_under_limit", make(), dayz=3)
    assert "（可用：limits、lookback_days、min_count、within_pct）" in refused.value.message_zh
    assert "(known: limits, lookback_days, min_count, within_pct)" in refused.value.message_en


@pytest.mark.parametrize("on", ["2026-01-01", "2026-09-01", "2026-12-31", "2027-05-09"])
def test_the_rules_words_write_a_date_as_the_pages_do(on: str):  # SPEC CLM-F3 GEN-2
    # Rules may not import formatting (it reads the settings): the two must not drift.
    assert words.day_zh(day(on)) == formatting.local_date(day(on), "zh-CN")
    assert words.day_en(day(on)) == formatting.local_date(day(on), "en")


@pytest.mark.parametrize("value", ["0", "12345.6", "1000000", "-5.5", "250.0000"])
def test_the_rules_words_write_an_amount_as_the_pages_do(value: str):  # SPEC CLM-F3 GEN-2
    assert words.amount(D(value)) == formatting.amount(D(value))


def test_a_unit_price_below_a_cent_keeps_its_places():  # SPEC CLM-F3 GEN-2
    # A tablet at ¥0.0325 rounded to 0.03 would read as another price.
    assert words.amount(D("0.0325")) == "0.0325" and words.amount(D("1234.5678")) == "1,234.5678"


def test_a_receipts_date_is_named_by_the_receipt():  # SPEC CLM-F3 GEN-6
    late = policy(terminated_on=day("2026-09-01"))
    bill = receipt(on="2026-09-03", number="0000012345")
    (hit,) = run(
        "outside_period",
        make(claim=claim(loss_date=day("2026-08-28")), policy=late, receipts=(bill,)),
    )
    assert hit.reason_zh.startswith("票据 0000012345 开具日期 2026年9月3日 在保单解除生效")
    assert hit.reason_en.startswith("Receipt 0000012345's issue date 3 Sep 2026 is after")
    assert hit.evidence["field"] == "receipt:1:issued_on"  # the machine's name stays
