"""The claimant and the reporter are two people and are named apart, in both languages
and in the refusals that name their fields (GEN-6, CLM-R1): the claimant is the
applicant (申请人) whose claim it is; the reporter (报案人) is whoever called the hotline
or came to the counter for them — the claimant too when nobody else reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

import claimdesk
from claimdesk.claims.schemas import ReportCreate
from claimdesk.field_labels import field_label
from claimdesk.validation import describe_validation_error

BASE = {
    "channel": "hotline",
    "policy_number": "P-1",
    "claimant_name": "李四",
    "loss_date": "2026-09-27",
    "loss_place": "北京",
    "loss_cause": "illness",
    "loss_overview": "住院",
}


@pytest.mark.parametrize(
    ("path", "zh", "en"),
    [
        ("claimant_name", "申请人姓名", "Claimant's name"),
        ("claimant_relationship", "申请人与被保险人关系", "Claimant's relationship to the insured"),
        ("reporter.name", "报案人姓名", "Reporter's name"),
        ("reporter.relationship", "报案人与被保险人关系", "Reporter's relationship to the insured"),
        ("reporter.phone", "报案人手机号码", "Reporter's mobile number"),
    ],
)
def test_claimant_and_reporter_fields_are_named_apart(path: str, zh: str, en: str) -> None:
    # SPEC CLM-R1 GEN-6: the claimant is 申请人, the caller 报案人
    assert field_label(path, "zh-CN") == zh
    assert field_label(path, "en") == en


def _refusal(body: dict[str, object], language: str) -> str:
    with pytest.raises(ValidationError) as caught:
        ReportCreate.model_validate(body)
    return str(describe_validation_error(caught.value.errors(), language)["message"])


def test_a_refused_claimant_name_names_the_applicant_not_the_reporter() -> None:
    # SPEC CLM-R1 GEN-6: an empty claimant name is refused naming 申请人姓名
    zh = _refusal({**BASE, "claimant_name": ""}, "zh-CN")
    assert zh.startswith("申请人姓名") and "报案人" not in zh, zh
    assert _refusal({**BASE, "claimant_name": ""}, "en").startswith("Claimant's name")


def test_a_refused_reporter_name_names_the_reporter() -> None:
    # SPEC CLM-R1 GEN-6: the caller's fields are the reporter's
    body = {**BASE, "reporter": {"name": "", "relationship": "spouse", "phone": "13911112222"}}
    zh = _refusal(body, "zh-CN")
    assert zh.startswith("报案人姓名"), zh
    assert _refusal(body, "en").startswith("Reporter's name")


def test_the_report_page_labels_the_claimant_as_the_applicant() -> None:
    # SPEC CLM-R1 GEN-6: the staff report form's claimant field reads 申请人姓名
    from claimdesk.i18n import gettext

    assert gettext("Claimant's name", "zh-CN") == "申请人姓名"
    # The form's labels are the refusal's words (a counter report has no caller).
    assert gettext("Reporter's name", "zh-CN") == "报案人姓名"
    template = Path(claimdesk.__file__).parent / "templates" / "claims" / "report.html"
    assert "Caller" not in template.read_text(encoding="utf-8")


def test_a_context_names_its_own_fields_and_leaves_the_others() -> None:
    # SPEC GEN-6: ``lines`` are expense lines (费用明细) in general, payment lines (付款明细)
    # in the bank's answer; a path the context does not name reads as everywhere.
    from claimdesk.field_labels import field_label

    assert field_label("lines.0.amount", "zh-CN") == "费用明细第 1 行的金额"
    assert field_label("lines.0.result", "zh-CN", "bank_answer") == "付款明细第 1 行的结果"
    assert field_label("lines[2].result", "en", "bank_answer") == "Payment lines, line 3, result"
    assert field_label("lines", "en", "bank_answer") == "Payment lines"
    assert field_label("csv", "zh-CN", "bank_answer") == "回盘文件"
    assert field_label("csv", "zh-CN") is None
    assert field_label("amount", "zh-CN", "bank_answer") == "金额"


@pytest.mark.parametrize(
    ("path", "zh", "en"),
    [
        # A coverage's row of a product version: the row is the coverage list's, and the
        # field reads as its label does everywhere ("English name", never "english name").
        (
            "version.coverages.0.name_en",
            "保障责任第 1 行的英文名称",
            "Coverages, line 1, English name",
        ),
        ("coverages.0.parameters", "保障责任第 1 行的保障参数", "Coverages, line 1, parameters"),
        ("lines[2].amount", "费用明细第 3 行的金额", "Expense lines, line 3, amount"),
        ("lines.1.description", "费用明细第 2 行的项目", "Expense lines, line 2, description"),
        ("version.name_en", "版本的英文名称", "Version, English name"),
        ("lines[2]", "费用明细第 3 行", "Expense lines, line 3"),
        # A label that starts with a name or an abbreviation keeps its capitals.
        ("reporter.id_number", "报案人的身份证号码", "Reporter, ID number"),
    ],
)
def test_nested_fields_read_like_the_other_labels(path: str, zh: str, en: str) -> None:
    # SPEC GEN-6: a nested field reads as one phrase in each language — 付款明细第 2 行的结果,
    # "Payment lines, line 2, result" — so a message's "：必填" / ": required" follows it
    # without a second colon; the field's word keeps a name's or an abbreviation's
    # capitals ("English name", "ID number"), the row its list's
    assert field_label(path, "zh-CN") == zh
    assert field_label(path, "en") == en


@pytest.mark.parametrize(
    ("path", "msgid"),
    [
        ("holder_name", "Account holder"),
        ("bank_name", "Bank name"),
        ("account_number", "Account number"),
    ],
)
def test_a_bank_accounts_fields_are_refused_in_the_words_of_their_form(
    path: str, msgid: str
) -> None:
    # SPEC GEN-6, CLM-P1: the payee form (claims/payee_new.html) and the portal's payout
    # accounts (portal/accounts.html) label a bank account's fields; a refusal names the
    # field by the same term (开户名, never 户名 for the same field), in both languages.
    from claimdesk.i18n import gettext
    from claimdesk.people.errors import HolderNotOwnName

    templates = Path(claimdesk.__file__).parent / "templates"
    for page in ("claims/payee_new.html", "portal/accounts.html"):
        assert f'("{path}", "{msgid}"' in (templates / page).read_text(encoding="utf-8"), page
    assert field_label(path, "zh-CN") == gettext(msgid, "zh-CN")
    assert field_label(path, "en") == msgid
    refused = HolderNotOwnName(field="holder_name")
    assert refused.message("zh-CN").startswith("开户名：")
    assert refused.message("en").startswith("Account holder: ")
