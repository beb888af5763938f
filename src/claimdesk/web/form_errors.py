"""Every problem of a refused form beside its own field, all at once (GEN-6, issue 12).

A pydantic refusal lists every field that is wrong; a page shows each message next to
the field it is about, in the user's language, naming the field by the label the person
sees and the rule it broke — never an API path or a code. A business refusal (one
``ClaimdeskError``) is shown the same way, beside its field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from claimdesk.errors import ClaimdeskError
from claimdesk.i18n import gettext

# The rule each pydantic error type stands for, as a person reads it: (zh-CN, English).
RULES: dict[str, tuple[str, str]] = {
    "missing": ("必填", "required"),
    "string_too_short": ("必填", "required"),
    "string_too_long": ("内容过长", "too long"),
    "string_pattern_mismatch": ("格式不正确", "not in the expected format"),
    "int_parsing": ("应为整数", "a whole number is needed"),
    "decimal_parsing": ("应为金额，例如 1200.50", "an amount is needed, e.g. 1200.50"),
    "decimal_max_places": ("最多两位小数", "at most two decimal places"),
    "decimal_max_digits": ("金额过大", "the amount is too large"),
    "greater_than": ("数值过小", "too small"),
    "greater_than_equal": ("不能为负数", "may not be negative"),
    "less_than_equal": ("数值过大", "too large"),
    "date_parsing": ("应为日期，例如 2026-03-02", "a date is needed, e.g. 2026-03-02"),
    "date_from_datetime_parsing": (
        "应为日期，例如 2026-03-02",
        "a date is needed, e.g. 2026-03-02",
    ),
    "literal_error": ("请从列表中选择", "choose one from the list"),
    "enum": ("请从列表中选择", "choose one from the list"),
    "too_long": ("选择过多", "too many chosen"),
}
# A rule that says more for one field than the generic one (field, error type).
FIELD_RULES: dict[tuple[str, str], tuple[str, str]] = {
    ("contact_phone", "string_pattern_mismatch"): (
        "应为 11 位手机号码，以 13-19 开头",
        "11 digits starting with 13 to 19 are needed",
    ),
}


def _path(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts)


def _field_of(path: str, aliases: Mapping[str, str]) -> str:
    if path in aliases:
        return aliases[path]
    head = path.split(".")[0]
    return aliases.get(head, head)


def labelled(label_msgid: str | None, rule: str, language: str) -> str:
    """'“Mobile number”: 11 digits …' — the field as the person sees it, then the rule."""
    if not label_msgid:
        return rule
    label = gettext(label_msgid)
    return f"“{label}”：{rule}" if language.startswith("zh") else f"“{label}”: {rule}"


def problems_of_validation(
    errors: Sequence[Any],
    *,
    labels: Mapping[str, str],
    language: str,
    aliases: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Field name → message, for every field pydantic refused (the first rule per field)."""
    zh = language.startswith("zh")
    out: dict[str, str] = {}
    for error in errors:
        path = _path(error.get("loc", ()))
        field = _field_of(path, aliases or {})
        if field in out:
            continue
        kind = str(error.get("type", ""))
        if error.get("input", "") is None or error.get("input") == "":
            kind = "missing"  # an empty field reaches the schema as None
        pair = FIELD_RULES.get((field, kind)) or RULES.get(kind) or ("取值无效", "not valid")
        out[field] = labelled(labels.get(field), pair[0] if zh else pair[1], language)
    return out


def problem_of_error(
    error: ClaimdeskError,
    *,
    labels: Mapping[str, str],
    language: str,
    aliases: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Field name → message for one business refusal; a refusal about no known field is
    keyed "" (shown above the form)."""
    message = error.message(language)
    path = error.field or ""
    field = _field_of(path, aliases or {}) if path else ""
    if field not in labels:
        return {"": message}
    label = gettext(labels[field])
    # The service names its API field ("loss_date：…"); the person sees the label.
    if path and message.startswith(path):
        message = f"“{label}”" + message[len(path) :]
    elif path and path in message:
        message = message.replace(path, f"“{label}”", 1)
    return {field: message}
