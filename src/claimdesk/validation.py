"""Turn pydantic's validation errors into one clear error naming the field (GEN-6)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from claimdesk.field_labels import field_words

_ZH = {
    "missing": "必填",
    "string_too_short": "长度不足",
    "string_too_long": "长度超限",
    "string_type": "应为文本",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "decimal_parsing": "应为金额（十进制数）",
    "decimal_type": "应为金额（十进制数）",
    "decimal_max_places": "小数位数过多",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "date_parsing": "应为日期 YYYY-MM-DD",
    "date_from_datetime_parsing": "应为日期 YYYY-MM-DD",
    "datetime_parsing": "应为时间（ISO 8601）",
    "datetime_from_date_parsing": "应为时间（ISO 8601）",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "json_invalid": "不是有效的 JSON",
    "bool_parsing": "应为是/否",
    "model_attributes_type": "格式错误",
    "dict_type": "应为对象",
    "list_type": "应为列表",
    "value_error": "取值无效",
    "extra_forbidden": "不允许的字段",
    "too_short": "条目不足",
    "too_long": "条目过多",
    "float_parsing": "应为数字",
}


def field_path(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


def describe_validation_error(errors: Sequence[Any], language: str) -> dict[str, Any]:
    first = errors[0] if errors else {"loc": ("body",), "type": "value_error", "msg": "invalid"}
    kind = str(first.get("type", "value_error"))
    # For unparseable JSON pydantic's location is a character offset, not a field.
    field = "body" if kind == "json_invalid" else field_path(first.get("loc", ()))
    # The message names the field by its label, the path stays in "field" (issue 12).
    label = field_words(field, language)
    if language == "zh-CN":
        rule = _ZH.get(kind, "取值无效")
        message = f"{label}：{rule}"
    else:
        message = f"{label}: {first.get('msg', 'invalid value')}"
    details = [
        {"field": field_path(e.get("loc", ())), "type": e.get("type"), "message": e.get("msg")}
        for e in errors
    ]
    return {"code": "validation_failed", "message": message, "field": field, "details": details}
