"""Amounts, times, durations and field names as people read them (issue 12, GEN-1,
GEN-2, GEN-6): one formatter each, in zh-CN and English."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from claimdesk import formatting
from claimdesk.errors import ValidationFailed
from claimdesk.field_labels import FIELD_LABELS, field_label, without_spec_refs
from claimdesk.formatting import duration, local_date, local_datetime, money, month
from claimdesk.validation import describe_validation_error


def test_amounts_have_thousands_separators_and_two_decimals() -> None:
    # SPEC GEN-1 (CNY, two decimals, half-up), issue 12 (¥9,000.00 not ¥9000.00)
    assert money(Decimal("9000")) == "¥9,000.00"
    assert money("1234567.125") == "¥1,234,567.13"
    assert money(Decimal("-25000.5")) == "-¥25,000.50"
    assert money(None) == "—"


def test_times_in_the_local_zone_as_people_write_them() -> None:
    # SPEC GEN-2 (stored in UTC, shown in the configured zone, Asia/Shanghai)
    instant = dt.datetime(2026, 12, 20, 2, 0, tzinfo=dt.UTC)
    assert local_datetime(instant, "zh-CN") == "2026年12月20日 10:00"
    assert local_datetime(instant, "en") == "20 Dec 2026 10:00"
    assert local_datetime("2026-12-20T10:00:00+08:00", "en") == "20 Dec 2026 10:00"
    assert local_date(dt.date(2026, 3, 2), "zh-CN") == "2026年3月2日"


def test_durations_in_words_not_3d_18h() -> None:
    # SPEC GEN-4 (time limits shown to staff), issue 12 ("3d 18h")
    span = 3 * 86400 + 18 * 3600 + 59
    assert duration(span, "zh-CN") == "3 天 18 小时"
    assert duration(span, "en") == "3 days 18 hours"
    assert duration(-3600 - 60, "en") == "1 hour 1 minute"
    assert duration(30, "zh-CN") == "不到 1 分钟"


def test_errors_name_the_field_by_its_label_in_both_languages() -> None:
    # SPEC GEN-6 (the error names the field and the rule in the user's language)
    error = ValidationFailed(field="contact_phone")
    assert error.message("zh-CN") == "联系电话无效"
    assert error.message("en") == "Contact phone is invalid"
    assert error.to_dict("en")["field"] == "contact_phone"  # programs keep the path
    shown = describe_validation_error(
        [{"loc": ("body", "lines", 2, "amount"), "type": "decimal_parsing", "msg": "bad"}],
        "zh-CN",
    )
    assert shown["message"] == "费用明细第 3 行的金额：应为金额（十进制数）"
    assert shown["field"] == "lines.2.amount"
    assert field_label("insured_id_number", "en") == "Insured's ID number"
    assert field_label("settlement.fund_pay_sumamt", "zh-CN") is None  # path kept


def test_every_field_label_is_translated() -> None:
    # SPEC GEN-6: zh-CN first, English beside it
    for path, (zh, en) in FIELD_LABELS.items():
        assert zh and en and zh != en, path
        assert "_" not in zh + en, path


def test_spec_ids_are_not_shown_as_clauses() -> None:
    # SPEC GEN-6, issue 12 ("(CLM-R3)" is not a clause a person can look up)
    assert without_spec_refs("咨询须在 2 小时内答复（SVC-4）。") == "咨询须在 2 小时内答复。"
    assert without_spec_refs("tier limits (CLM-V1, CLM-R4)") == "tier limits"
    assert without_spec_refs("服务标准 8.2.1(2)：咨询") == "服务标准 8.2.1(2)：咨询"


def test_error_messages_carry_no_spec_ids() -> None:
    # SPEC GEN-6
    from claimdesk.thresholds.errors import ReviewTiersNotIncreasing

    error = ReviewTiersNotIncreasing(field="review_tier2_max")
    assert error.message("zh-CN") == "二级核赔上限：二级审核上限须大于一级审核上限"
    assert (
        error.message("en")
        == "Tier-2 review limit: the tier-2 limit must be above the tier-1 limit"
    )


def test_a_dashboard_month_reads_as_people_write_it() -> None:
    # SPEC GEN-2, GEN-7: a Beijing-time month of the dashboards ("2026-03") as the day
    # is written (2026年3月7日 / 7 Mar 2026); anything that is no month stays as it is.
    assert month("2026-03", "zh-CN") == "2026年3月"
    assert month("2026-12", "zh-CN") == "2026年12月"
    assert month("2026-03", "en") == "Mar 2026"
    assert month("2027-01", "en") == "Jan 2027"
    assert month("2026-13", "en") == "2026-13"
    assert month("total", "zh-CN") == "total"
    assert month(None, "en") == ""


def test_file_sizes_as_file_managers_show_them() -> None:
    # SPEC GEN-6: a file listed as "(ID card, 3.4 MB)", not "3565158 B"
    assert formatting.file_size(812) == "812 B"
    assert formatting.file_size(49_357) == "48.2 KB"
    assert formatting.file_size(3_565_158) == "3.4 MB"
    assert formatting.file_size(None) == ""


def test_a_name_is_shown_in_english_only_where_the_product_gives_one() -> None:
    # SPEC GEN-6, PRD-3: one rule for every page (formatting.name_in): the English name on
    # an English page when set, the Chinese name otherwise; name_language says which
    from types import SimpleNamespace

    from claimdesk.formatting import name_in, name_language

    named = SimpleNamespace(name="百万医疗保险", name_en="Million medical insurance")
    unnamed = SimpleNamespace(name="家庭财产保险", name_en=None)
    assert name_in(named, "en") == "Million medical insurance"
    assert name_in(named, "zh-CN") == "百万医疗保险"
    assert name_in(unnamed, "en") == "家庭财产保险"
    assert name_in({"name": "第三者责任", "name_en": ""}, "en") == "第三者责任"
    assert name_in(None, "en") == ""
    assert (name_language(named, "en"), name_language(unnamed, "en")) == ("en", "zh-CN")
    assert name_language(named, "zh-CN") == "zh-CN"


def test_a_stamp_names_its_zone() -> None:
    # SPEC GEN-2: an instant printed for an operator (a command's output, a log line) is
    # local time with its offset and zone, unambiguous on a server that runs in UTC.
    import datetime as dt

    from claimdesk.formatting import local_stamp

    instant = dt.datetime(2026, 9, 1, 2, 30, tzinfo=dt.UTC)
    assert local_stamp(instant) == "2026-09-01 10:30 +08:00 (Asia/Shanghai)"
    assert local_stamp(instant.replace(tzinfo=None)) == "2026-09-01 10:30 +08:00 (Asia/Shanghai)"
    assert local_stamp(None) == "-"
