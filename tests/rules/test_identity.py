"""Resident ID, bank card and mobile number rules. # SPEC POL-1 CLM-P1 SEC-1"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimdesk.errors import InvalidBankCard, InvalidIdNumber, InvalidMobileNumber
from claimdesk.rules.identity import (
    PROVINCE_CODES,
    check_char,
    luhn_check_digit,
    mask_account,
    mask_id_number,
    mask_name,
    mask_phone,
    validate_bank_card,
    validate_mobile,
    validate_resident_id,
)

TODAY = dt.date(2026, 11, 22)


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    region = f"{province:02d}{draw(st.integers(0, 9999)):04d}"
    birth = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY))
    seq = f"{draw(st.integers(0, 999)):03d}"
    first17 = region + birth.strftime("%Y%m%d") + seq
    return first17 + check_char(first17)


@given(resident_ids())
def test_generated_valid_ids_pass_and_derive_birth_and_gender(number: str) -> None:  # SPEC POL-1
    parsed = validate_resident_id(number, today=TODAY)
    assert parsed.number == number
    assert parsed.birth_date.strftime("%Y%m%d") == number[6:14]
    assert parsed.gender == ("M" if int(number[16]) % 2 else "F")


@given(resident_ids(), st.integers(0, 17), st.integers(1, 9))
def test_any_single_digit_change_is_caught(number: str, position: int, shift: int) -> None:
    # SPEC POL-1 — MOD 11-2 detects every single-character substitution.
    char = number[position]
    replacement = str(shift) if char == "X" else str((int(char) + shift) % 10)
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(InvalidIdNumber):
        validate_resident_id(changed, today=TODAY)


def test_lowercase_x_is_normalised() -> None:  # SPEC POL-1
    first17 = "11010519491231002"
    assert check_char(first17) == "X"
    assert validate_resident_id(first17 + "x", today=TODAY).number == first17 + "X"


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        ("11010519850312451", "18 位", "18 characters"),
        ("1101051985031245AX", "数字", "17 digits"),
        ("991051198503124510", "省级", "province"),
        ("110105198502304510", "有效日期", "valid date"),
        ("110105189912314510", "1900", "1900"),
        ("110105202712314510", "晚于今天", "future"),
        ("110105198503124510", "校验码", "check digit"),
    ],
)
def test_each_rule_is_named_in_both_languages(value: str, zh: str, en: str) -> None:
    # SPEC POL-1 GEN-6
    with pytest.raises(InvalidIdNumber) as caught:
        validate_resident_id(value, field="insured.id_number", today=TODAY)
    assert caught.value.field == "insured.id_number"
    assert zh in caught.value.message("zh-CN")
    assert en in caught.value.message("en")


@st.composite
def bank_cards(draw: st.DrawFn) -> str:
    partial = draw(st.text("0123456789", min_size=11, max_size=18))
    return partial + luhn_check_digit(partial)


@given(bank_cards())
def test_luhn_cards_pass_with_or_without_spaces(card: str) -> None:  # SPEC CLM-P1
    spaced = " ".join(card[i : i + 4] for i in range(0, len(card), 4))
    assert validate_bank_card(spaced) == card


@given(bank_cards(), st.data())
def test_single_digit_change_breaks_luhn(card: str, data: st.DataObject) -> None:  # SPEC CLM-P1
    position = data.draw(st.integers(0, len(card) - 1))
    shift = data.draw(st.integers(1, 9))
    changed = card[:position] + str((int(card[position]) + shift) % 10) + card[position + 1 :]
    with pytest.raises(InvalidBankCard):
        validate_bank_card(changed)


@pytest.mark.parametrize(
    ("value", "rule"),
    [("6222 0210 01x3", "digits"), ("62220210012", "12 to 19"), ("6222021001234567890", "Luhn")],
)
def test_bank_card_rules_are_named(value: str, rule: str) -> None:  # SPEC CLM-P1 GEN-6
    with pytest.raises(InvalidBankCard) as caught:
        validate_bank_card(value)
    assert caught.value.field == "account_number"
    assert rule in caught.value.message("en")


def test_mobile_numbers() -> None:  # SPEC SEC-1
    assert validate_mobile("+86 138-0013-8000") == "13800138000"
    for bad in ("12800138000", "1380013800", "138001380001", "phone"):
        with pytest.raises(InvalidMobileNumber) as caught:
            validate_mobile(bad)
        assert caught.value.field == "phone"


def test_masks_show_only_the_last_digits() -> None:  # SPEC SEC-1
    assert mask_id_number("110105198503124515") == "**************4515"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_account("6222 0210 0123 4567 896") == "**** **** **** 7896"
    assert mask_account("7896") == "**** **** **** 7896"


def test_a_masked_name_keeps_the_family_name_only() -> None:  # SPEC SEC-4
    assert mask_name("钱父") == "钱*"
    assert mask_name(" 欧阳娜娜 ") == "欧***"
    assert mask_name("王") == "王*"  # one star at least


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("wang.li@example.cn", True),
        (" wang.li@example.cn ", True),
        ("wang li@example.cn", False),
        ("wang.li@example", False),
        ("13800138000", False),
        ("北京市朝阳区建国路 1 号", False),
    ],
)
def test_an_email_address_as_customers_give_one(value: str, expected: bool) -> None:
    # SPEC SVC-3, POL-2: one rule chooses the e-mail channel and refuses a contact typo
    from claimdesk.rules.identity import is_email

    assert is_email(value) is expected
