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


@pytest.mark.parametrize(
    ("stored", "zh", "en"),
    [
        # The automatic checks quote the receipt's item, the hospital or the diagnosis as
        # it is written — in Chinese — in the English half too (checks.service._act).
        (
            "前列腺特异性抗原测定「PSA检测」与被保险人性别不符"
            " / PSA test 'PSA检测' does not fit the insured: sex",
            "前列腺特异性抗原测定「PSA检测」与被保险人性别不符",
            "PSA test 'PSA检测' does not fit the insured: sex",
        ),
        (
            "医疗机构「北京某某医院」在 7 天内有 9 位无关联被保险人就诊索赔（通常约 2.0 位）"
            " / 9 unrelated insureds claimed at '北京某某医院' within 7 days (usually about 2.0)",
            "医疗机构「北京某某医院」在 7 天内有 9 位无关联被保险人就诊索赔（通常约 2.0 位）",
            "9 unrelated insureds claimed at '北京某某医院' within 7 days (usually about 2.0)",
        ),
        # The survey's flag carries the surveyor's note, typed in Chinese, in both halves.
        (
            system_reason(
                "查勘发现不一致：损失与出险原因相符：水渍位置与报案不符",
                "survey found an inconsistency — The damage fits the cause: 水渍位置与报案不符",
            ),
            "查勘发现不一致：损失与出险原因相符：水渍位置与报案不符",
            "survey found an inconsistency — The damage fits the cause: 水渍位置与报案不符",
        ),
        # A name holding " / " itself: the division is where the English half begins.
        (
            system_reason(
                "疑似伪造材料：病历/诊断证明 — 印章模糊",
                "suspected forged material: Medical record / diagnosis — 印章模糊",
            ),
            "疑似伪造材料：病历/诊断证明 — 印章模糊",
            "suspected forged material: Medical record / diagnosis — 印章模糊",
        ),
        # A forgery flag written before: the handler's note after the English half only.
        (
            "疑似伪造材料 / suspected forged material: expense_invoices — 印章模糊",
            "疑似伪造材料 — 印章模糊",
            "suspected forged material: expense_invoices — 印章模糊",
        ),
    ],
)
def test_a_flag_quoting_chinese_in_its_english_half_reads_in_one_language(
    stored: str, zh: str, en: str
) -> None:
    # SPEC CLM-F1 CLM-F3 GEN-4: a flag the system wrote in both languages shows one half,
    # even when its English half quotes a name or a note in Chinese (it showed both)
    assert reason_in(stored, "zh-CN") == zh
    assert reason_in(stored, "en") == en


@pytest.mark.parametrize(
    "typed",
    ["发票与清单不符 / 疑似虚开", "CT 报告 / MRI 报告不一致", "住院 3 天 / 门诊 2 次"],
)
def test_a_note_a_person_typed_in_chinese_with_a_slash_stays_whole(typed: str) -> None:
    # SPEC CLM-F1: free text typed by a person is shown as typed, never cut in two
    assert reason_in(typed, "zh-CN") == typed and reason_in(typed, "en") == typed
