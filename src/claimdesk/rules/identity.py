"""Identity documents, bank cards and phone numbers: validation and masking (POL-1, CLM-P1).

Pure functions, no I/O. Every failure raises the business error for the condition
(``InvalidIdNumber``, ``InvalidBankCard``, ``InvalidMobileNumber``) naming the field and
the rule that failed, in zh-CN and English (GEN-6).

Resident ID numbers follow GB 11643-1999 (公民身份号码):

    RRRRRR YYYYMMDD SSS C
    region  birth   seq check

* region: 6 digits (GB/T 2260); the first two must be a province-level code. We accept
  11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71 (Taiwan), 81 (Hong Kong), 82 (Macao) and
  83 (residence permits for HK/Macao/Taiwan residents, 2018). Foreigners' permanent
  residence cards (first digit 9) are a different ``id_type`` and are not resident IDs.
* birth date: a real calendar date, not before 1900-01-01, not after today (Beijing time).
* sequence: odd for men, even for women.
* check character: ISO 7064 MOD 11-2 over the first 17 digits; "X" stands for 10. A
  lowercase "x" is accepted and normalised to "X".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from claimdesk.errors import InvalidBankCard, InvalidIdNumber, InvalidMobileNumber
from claimdesk.rules.deadlines import LOCAL_TZ

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH = dt.date(1900, 1, 1)
PROVINCE_CODES = frozenset(
    [
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
        83,
    ]
)
_RESIDENT_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True)
class ResidentId:
    number: str
    region_code: str
    birth_date: dt.date
    gender: str  # "M" or "F", from the parity of the sequence number

    @property
    def last4(self) -> str:
        return self.number[-4:]


def check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def _today_in_beijing() -> dt.date:
    return dt.datetime.now(LOCAL_TZ).date()


def validate_resident_id(
    value: str, *, field: str = "id_number", today: dt.date | None = None
) -> ResidentId:
    """Check a mainland resident ID number rule by rule; the error says which rule failed."""

    def fail(zh: str, en: str) -> InvalidIdNumber:
        return InvalidIdNumber(field=field, reason_zh=zh, reason_en=en)

    number = "".join(str(value).split()).upper()
    if len(number) != 18:
        raise fail(
            f"应为 18 位，实际 {len(number)} 位", f"must have 18 characters, got {len(number)}"
        )
    if not _RESIDENT_ID_SHAPE.match(number):
        raise fail(
            "前 17 位应为数字，末位应为数字或 X", "17 digits followed by a digit or X expected"
        )
    if int(number[:2]) not in PROVINCE_CODES:
        raise fail(
            f"地区码 {number[:6]} 的省级代码无效", f"region code {number[:6]}: unknown province"
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise fail(
            f"出生日期 {number[6:14]} 不是有效日期",
            f"birth date {number[6:14]} is not a valid date",
        ) from None
    if birth < EARLIEST_BIRTH:
        raise fail("出生日期早于 1900-01-01", "birth date before 1900-01-01")
    if birth > (today or _today_in_beijing()):
        raise fail("出生日期晚于今天", "birth date is in the future")
    expected = check_char(number[:17])
    if number[17] != expected:
        raise fail(f"校验码错误（应为 {expected}）", f"check digit mismatch (expected {expected})")
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, region_code=number[:6], birth_date=birth, gender=gender)


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def luhn_check_digit(partial: str) -> str:
    """The digit that makes ``partial + digit`` pass Luhn (for builders and demo data)."""
    for candidate in "0123456789":
        if luhn_valid(partial + candidate):
            return candidate
    raise AssertionError("unreachable: one of ten digits always completes a Luhn number")


def validate_bank_card(value: str, *, field: str = "account_number") -> str:
    """Return the card number without spaces; 12..19 digits passing the Luhn check."""
    digits = "".join(str(value).split())
    if not digits.isdigit() or not digits.isascii():
        raise InvalidBankCard(field=field, reason_zh="只能包含数字", reason_en="digits only")
    if not 12 <= len(digits) <= 19:
        raise InvalidBankCard(
            field=field,
            reason_zh=f"应为 12 至 19 位，实际 {len(digits)} 位",
            reason_en=f"must have 12 to 19 digits, got {len(digits)}",
        )
    if not luhn_valid(digits):
        raise InvalidBankCard(
            field=field, reason_zh="Luhn 校验位错误", reason_en="Luhn check digit mismatch"
        )
    return digits


def validate_mobile(value: str, *, field: str = "phone") -> str:
    """A mainland mobile number: 11 digits starting 13-19; spaces, dashes and a +86
    prefix are removed. Returns the bare 11 digits."""
    compact = re.sub(r"[\s-]", "", str(value))
    if compact.startswith("+86"):
        compact = compact[3:]
    elif compact.startswith("0086"):
        compact = compact[4:]
    if not _MOBILE.match(compact):
        raise InvalidMobileNumber(field=field)
    return compact


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def is_email(value: str) -> bool:
    """An e-mail address as customers give one (name@domain.tld), spaces around it
    ignored: enough to choose the e-mail channel or refuse a typo, not to prove delivery."""
    return bool(_EMAIL.match(value.strip()))


def mask_id_number(value: str) -> str:
    """All but the last four characters hidden: ``**************123X``."""
    compact = "".join(value.split())
    return "*" * max(len(compact) - 4, 0) + compact[-4:]


def mask_name(value: str) -> str:
    """The family name kept, the rest hidden: ``钱*``, ``欧***`` (one star at least)."""
    compact = value.strip()
    return compact[:1] + "*" * max(len(compact) - 1, 1)


def mask_phone(value: str) -> str:
    """``138****5678``."""
    compact = "".join(value.split())
    if len(compact) < 7:
        return "*" * len(compact)
    return compact[:3] + "*" * (len(compact) - 7) + compact[-4:]


def mask_account(value_or_last4: str) -> str:
    """``**** **** **** 1234`` from the full number or just its last four digits."""
    return "**** **** **** " + "".join(value_or_last4.split())[-4:]
