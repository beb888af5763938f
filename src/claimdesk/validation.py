"""Turn pydantic's validation errors into one clear error naming the field and the rule
(GEN-6).

The rule is said in the reader's language with the limit it sets, taken from the context
pydantic gives each error: "金额：不得小于 0.01" / "Amount: must be at least 0.01",
"姓名：至少 2 个字符" / "Name: at least 2 characters" — never a bare "数值过小". The
API's 422 (``describe_validation_error``) and the pages' refusals
(``claimdesk.web.form_errors``) both say the rule with ``rule_words``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from claimdesk.code_labels import code_list
from claimdesk.field_labels import field_words
from claimdesk.formatting import local_date, local_datetime

# Text that must be given and was left empty (or sent as nothing): said one way in each
# language wherever a schema, an error or a page refuses it (GEN-6) — never "text is
# needed" beside "may not be empty" for the same rule.
TEXT_REQUIRED: tuple[str, str] = ("不能为空", "may not be empty")

# A rule said the same way whatever the limit: error type → (zh-CN, English).
FIXED: dict[str, tuple[str, str]] = {
    "missing": ("必填", "required"),
    # Text sent as a number or a list; nothing at all is TEXT_REQUIRED (rule_words).
    "string_type": ("应为文本", "must be text, not a number or a list"),
    "int_parsing": ("应为整数", "a whole number is needed"),
    "int_type": ("应为整数", "a whole number is needed"),
    "int_from_float": ("应为整数", "a whole number is needed"),
    "float_parsing": ("应为数字", "a number is needed"),
    "float_type": ("应为数字", "a number is needed"),
    "decimal_parsing": ("应为金额（十进制数）", "an amount is needed (a decimal number)"),
    "decimal_type": ("应为金额（十进制数）", "an amount is needed (a decimal number)"),
    "finite_number": ("应为有限的数字", "a finite number is needed"),
    "date_parsing": ("应为日期 YYYY-MM-DD", "a date is needed, as YYYY-MM-DD"),
    "date_from_datetime_parsing": ("应为日期 YYYY-MM-DD", "a date is needed, as YYYY-MM-DD"),
    "date_from_datetime_inexact": ("应为日期，不含时间", "a date without a time is needed"),
    "date_type": ("应为日期 YYYY-MM-DD", "a date is needed, as YYYY-MM-DD"),
    "datetime_parsing": ("应为时间（ISO 8601）", "a time is needed (ISO 8601)"),
    "datetime_from_date_parsing": ("应为时间（ISO 8601）", "a time is needed (ISO 8601)"),
    "datetime_type": ("应为时间（ISO 8601）", "a time is needed (ISO 8601)"),
    "timezone_aware": ("时间须带时区", "the time needs a time zone"),
    "date_past": ("应为过去的日期", "must be a date in the past"),
    "date_future": ("应为将来的日期", "must be a date in the future"),
    "datetime_past": ("应为过去的时间", "must be a time in the past"),
    "datetime_future": ("应为将来的时间", "must be a time in the future"),
    "json_invalid": ("不是有效的 JSON", "not valid JSON"),
    "bool_parsing": ("应为是/否", "yes or no is needed"),
    "bool_type": ("应为是/否", "yes or no is needed"),
    "model_attributes_type": ("格式错误", "not in the expected form"),
    "model_type": ("应为对象", "an object is needed"),
    "dict_type": ("应为对象", "an object is needed"),
    "list_type": ("应为列表", "a list is needed"),
    "uuid_parsing": ("应为 UUID", "a UUID is needed"),
    "url_parsing": ("应为网址", "a web address is needed"),
    "extra_forbidden": ("不允许的字段", "not a field of this form"),
}

# What a pattern a schema sets asks for, in words: pattern → (zh-CN, English).
PATTERNS: dict[str, tuple[str, str]] = {
    r"^1[3-9]\d{9}$": (
        "应为 11 位手机号码，以 13-19 开头",
        "11 digits starting with 13 to 19 are needed",
    ),
    r"^\d{6}$": ("应为 6 位数字", "6 digits are needed"),
    r"^[a-z0-9_]+$": (
        "只能包含小写字母、数字和下划线 _",
        "lowercase letters, digits and _ only",
    ),
    r"^[A-Z0-9][A-Z0-9_-]*$": (
        "只能包含大写字母、数字、_ 和 -，以字母或数字开头",
        "capital letters, digits, _ and - only, beginning with a letter or a digit",
    ),
    r"^[A-Za-z0-9-]+$": ("只能包含字母、数字和 -", "letters, digits and - only"),
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$": (
        "应为电子邮箱地址，例如 name@example.com",
        "an e-mail address is needed, e.g. name@example.com",
    ),
}


def _number(value: object, language: str) -> str:
    """A limit as people write it: 0.01, 100, a date or a time as the language writes it."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return local_datetime(value, language)
    if isinstance(value, dt.date):
        return local_date(value, language)
    if isinstance(value, str) and _is_date(value):
        return local_date(value, language)  # pydantic gives a date limit as its ISO text
    return str(value)


def _en(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _expected(ctx: Mapping[str, Any], language: str) -> str:
    """The values a literal or an enum takes (pydantic says "'direct' or 'bank'"), in
    words."""
    raw = str(ctx.get("expected", ""))
    codes = [part.strip().strip("'\"") for part in raw.replace(" or ", ", ").split(", ")]
    return code_list([c for c in codes if c], language)


# A rule with a limit: error type → how to say it from pydantic's ctx (zh?, language).
Bounded = Callable[[Mapping[str, Any], bool, str], str]


def _is_date(value: object) -> bool:
    if isinstance(value, dt.date):
        return True
    if not isinstance(value, str):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _limit(key: str, dated: tuple[str, str], other: tuple[str, str]) -> Bounded:
    """The words of a bound ``key`` (gt, ge, lt, le) with its limit: ``dated`` (Chinese,
    English) when the limit is a date, ``other`` for a number."""

    def words(c: Mapping[str, Any], zh: bool, lang: str) -> str:
        v = _number(c.get(key), lang)
        said = dated if _is_date(c.get(key)) else other
        return f"{said[0]} {v}" if zh else f"{said[1]} {v}"

    return words


_gt = _limit("gt", ("须晚于", "must be after"), ("须大于", "must be greater than"))
_lt = _limit("lt", ("须早于", "must be before"), ("须小于", "must be less than"))
_le = _limit("le", ("不得晚于", "may not be after"), ("不得大于", "must be at most"))
_ge_limit = _limit("ge", ("不得早于", "may not be before"), ("不得小于", "must be at least"))


def _ge(c: Mapping[str, Any], zh: bool, lang: str) -> str:
    if c.get("ge") == 0:
        return "不能为负数（不得小于 0）" if zh else "may not be negative (at least 0)"
    return _ge_limit(c, zh, lang)


def _multiple(c: Mapping[str, Any], zh: bool, lang: str) -> str:
    v = _number(c.get("multiple_of"), lang)
    return f"须为 {v} 的整数倍" if zh else f"must be a multiple of {v}"


def _count(key: str, default: int, most: bool, unit: tuple[str, str, str]) -> Bounded:
    """The words of a length limit ``key`` (min_length, max_length): at least / at most
    n of ``unit`` (Chinese, English one, English many)."""

    def words(c: Mapping[str, Any], zh: bool, lang: str) -> str:
        n = int(c.get(key, default))
        if zh:
            return f"{'最多' if most else '至少'} {n} {unit[0]}"
        return f"{'at most' if most else 'at least'} {_en(n, unit[1], unit[2])}"

    return words


_CHARS, _BYTES, _ITEMS = (
    ("个字符", "character", "characters"),
    ("个字节", "byte", "bytes"),
    ("项", "item", "items"),
)
_chars_max = _count("max_length", 0, True, _CHARS)
_bytes_min = _count("min_length", 1, False, _BYTES)
_bytes_max = _count("max_length", 0, True, _BYTES)
_items_min = _count("min_length", 1, False, _ITEMS)
_items_max = _count("max_length", 0, True, _ITEMS)


_chars_least = _count("min_length", 1, False, _CHARS)


def _chars_min(c: Mapping[str, Any], zh: bool, lang: str) -> str:
    if int(c.get("min_length", 1)) <= 1:
        return TEXT_REQUIRED[0] if zh else TEXT_REQUIRED[1]
    return _chars_least(c, zh, lang)


def _places(c: Mapping[str, Any], zh: bool, lang: str) -> str:
    n = int(c.get("decimal_places", 0))
    if n == 0:
        return "不能有小数" if zh else "no decimal places allowed"
    return f"最多 {n} 位小数" if zh else f"at most {_en(n, 'decimal place', 'decimal places')}"


def _digits(c: Mapping[str, Any], zh: bool, lang: str) -> str:
    n = int(c.get("max_digits", 0))
    return f"最多 {n} 位数字" if zh else f"at most {_en(n, 'digit', 'digits')} in all"


def _whole(c: Mapping[str, Any], zh: bool, lang: str) -> str:
    n = int(c.get("whole_digits", 0))
    if zh:
        return f"整数部分最多 {n} 位"
    return f"at most {_en(n, 'digit', 'digits')} before the decimal point"


def _pattern(c: Mapping[str, Any], zh: bool, lang: str) -> str:
    pattern = str(c.get("pattern", ""))
    known = PATTERNS.get(pattern)
    if known:
        return known[0] if zh else known[1]
    if pattern.startswith("^(") and pattern.endswith(")$") and "|" in pattern:
        # A closed list written as a pattern: the values it allows, in words.
        listed = code_list(pattern[2:-2].split("|"), lang)
        return f"应为以下之一：{listed}" if zh else f"must be one of: {listed}"
    return f"格式不正确（应符合 {pattern}）" if zh else f"not in the expected format ({pattern})"


def _one_of(c: Mapping[str, Any], zh: bool, lang: str) -> str:
    listed = _expected(c, lang)
    if not listed:
        return "取值不在允许范围内" if zh else "not one of the allowed values"
    return f"应为以下之一：{listed}" if zh else f"must be one of: {listed}"


BOUNDED: dict[str, Bounded] = {
    "greater_than": _gt,
    "greater_than_equal": _ge,
    "less_than": _lt,
    "less_than_equal": _le,
    "multiple_of": _multiple,
    "string_too_short": _chars_min,
    "string_too_long": _chars_max,
    "bytes_too_short": _bytes_min,
    "bytes_too_long": _bytes_max,
    "too_short": _items_min,
    "too_long": _items_max,
    "decimal_max_places": _places,
    "decimal_max_digits": _digits,
    "decimal_whole_digits": _whole,
    "string_pattern_mismatch": _pattern,
    "literal_error": _one_of,
    "enum": _one_of,
}


def rule_words(error: Mapping[str, Any], language: str) -> str:
    """The rule ``error`` (one of pydantic's ``errors()``) broke, with its limit, in
    ``language``; another error (a validator's ``value_error``) says pydantic's own words
    in English and "取值无效" in Chinese."""
    zh = language.lower().startswith("zh")
    kind = str(error.get("type", "value_error"))
    ctx = error.get("ctx") or {}
    if kind == "string_type" and error.get("input") in (None, ""):
        # A text sent as null is a text left empty: the rule of an empty one.
        return TEXT_REQUIRED[0] if zh else TEXT_REQUIRED[1]
    bounded = BOUNDED.get(kind)
    if bounded is not None:
        return bounded(ctx, zh, language)
    fixed = FIXED.get(kind)
    if fixed is not None:
        return fixed[0] if zh else fixed[1]
    # A validator's own words (value_error, assertion_error ...) are English: a Chinese
    # reader gets them after "取值无效" rather than nothing.
    said = str(error.get("msg") or "")
    for prefix in ("Value error, ", "Assertion failed, "):
        said = said.removeprefix(prefix)
    if zh:
        return f"取值无效（{said}）" if said else "取值无效"
    return said or "not valid"


def field_path(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


# Unparseable JSON has no field: the request's body is what was refused.
REQUEST_BODY = ("请求正文", "Request body")


def _refused(error: Mapping[str, Any], language: str, context: str | None) -> tuple[str, str]:
    """One refusal's field path and its words: the field's label and the rule."""
    zh = language.lower().startswith("zh")
    if str(error.get("type", "value_error")) == "json_invalid":
        # For unparseable JSON pydantic's location is a character offset, not a field.
        field, label = "body", REQUEST_BODY[0] if zh else REQUEST_BODY[1]
    else:
        field = field_path(error.get("loc", ()))
        label = field_words(field, language, context)
    rule = rule_words(error, language)
    return field, f"{label}：{rule}" if zh else f"{label}: {rule}"


def describe_validation_error(
    errors: Sequence[Any], language: str, context: str | None = None
) -> dict[str, Any]:
    """The first refusal in words (the schema's ``context`` names its own fields,
    field_labels.CONTEXT_LABELS); every refusal listed in ``details``, each with its
    field path and pydantic's type for programs and its words in the reader's language
    (a client shows them as they are, as it shows the first)."""
    first = errors[0] if errors else {"loc": ("body",), "type": "value_error", "msg": "invalid"}
    # The message names the field by its label, the path stays in "field" (issue 12).
    field, message = _refused(first, language, context)
    details = []
    for error in errors:
        path, words = _refused(error, language, context)
        details.append({"field": path, "type": error.get("type"), "message": words})
    return {"code": "validation_failed", "message": message, "field": field, "details": details}
