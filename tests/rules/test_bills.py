"""The 主诊断 rules of a bill's settlement statement, pure (SPEC CLM-T1, CLM-F3)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from claimdesk.bills.schemas import SettlementIn
from claimdesk.rules.bills import (
    BillInvalid,
    check_diagnosis,
    diagnosis_category,
    diagnosis_group,
    inpatient,
    setting_of_lines,
    stay_line,
)
from tests.bills.helpers import SETTLEMENT


def _settlement(**given: Any) -> SettlementIn:
    data = copy.deepcopy(SETTLEMENT)
    data.update({k: v for k, v in given.items() if v is not None})
    return SettlementIn.model_validate(data)


@pytest.mark.parametrize(
    "code", ["J06.900", "I10.x00", "K29.500", "J06.900x003", "E11", "U07.1", "M51.202"]
)
def test_icd10_codes_as_the_platform_writes_them_are_accepted(code):  # SPEC CLM-T1
    check_diagnosis(_settlement(dise_codg=code, dise_name="诊断", med_type="11"))


@pytest.mark.parametrize(
    ("given", "field", "words"),
    [
        ({"dise_codg": "j06.900"}, "settlement.dise_codg", "ICD-10"),
        ({"dise_codg": "J6.900"}, "settlement.dise_codg", "ICD-10"),
        ({"dise_codg": "J06-900"}, "settlement.dise_codg", "ICD-10"),
        ({"dise_codg": "J06.900", "med_type": "1"}, "settlement.med_type", "2-6 digits"),
        ({"dise_codg": "J06.900", "dise_name": None}, "settlement.dise_name", "come together"),
        ({"dise_name": "感冒", "med_type": "11"}, "settlement.dise_codg", "come together"),
    ],
)
def test_a_wrong_diagnosis_is_refused_naming_field_and_rule(given, field, words):
    # SPEC CLM-T1, GEN-6: field and rule, in zh-CN and English
    full = {"dise_codg": None, "dise_name": "急性上呼吸道感染", "med_type": "11", **given}
    if "dise_codg" not in given:
        full["dise_codg"] = None
    with pytest.raises(BillInvalid) as caught:
        check_diagnosis(_settlement(**full))
    error = caught.value
    assert error.field == field
    assert words in error.params["rule_en"]
    assert error.params["rule_zh"] and error.params["rule_zh"] != error.params["rule_en"]


def test_no_diagnosis_at_all_is_fine():  # SPEC CLM-T1: the 主诊断 is optional
    check_diagnosis(_settlement())


def test_the_group_is_the_icd10_category_and_the_setting():  # SPEC CLM-F3
    assert diagnosis_category(" k29.500 ") == "K29"
    assert diagnosis_group("K29.500", "11") == "K29:outpatient"
    assert diagnosis_group("M51.202", "21") == "M51:inpatient"
    assert [inpatient(m) for m in ("11", "13", "14", "21", "22", "2101", "52", "51")] == [
        False,
        False,
        False,
        True,
        True,
        True,
        True,
        False,
    ]


@pytest.mark.parametrize(
    "name",
    [
        "普通病房床位费",
        "床位费（三人间）",
        "Ⅱ级护理",
        "二级护理",
        "II级护理",
        "特级护理",
        "1 级护理",
        "住院诊查费",
        "重症监护",
    ],
)
def test_lines_only_a_stay_bills(name):  # SPEC CLM-F3: the setting from the receipt itself
    assert stay_line(name)


@pytest.mark.parametrize(
    "name",
    [
        "急诊观察床位费",
        "留观床位费",
        "普通门诊诊查费",
        "静脉输液",
        "阿莫西林胶囊",
        "护理耗材",
        "换药（中）",
    ],
)
def test_lines_a_visit_bills_too(name):  # SPEC CLM-F3: an observation bed is no admission
    assert not stay_line(name)


def test_a_receipt_with_a_stay_line_is_inpatient_else_unknown():  # SPEC CLM-F3
    assert setting_of_lines(["阑尾切除术", "普通病房床位费", "Ⅱ级护理"]) == "inpatient"
    # No stay line says nothing: not outpatient (a day surgery, lines named otherwise).
    assert setting_of_lines(["普通门诊诊查费", "血常规检查（五分类）"]) is None
    assert setting_of_lines([]) is None
