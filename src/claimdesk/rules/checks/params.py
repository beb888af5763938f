"""Parameters of a check (CLM-F3): declared once per rule, validated with a clear error.

An administrator edits them as JSON; :func:`validate` turns that JSON into typed values
(Decimal for money and ratios, never float) or names the first wrong field and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from claimdesk.rules.checks.words import listed_en, listed_zh

Value = int | Decimal | tuple[Decimal, ...]


@dataclass(frozen=True)
class ParamSpec:
    name: str
    kind: str  # "int" | "decimal" | "decimal_list"
    default: Value
    minimum: Decimal
    maximum: Decimal
    label_zh: str
    label_en: str


class ParamError(ValueError):
    """A parameter that is missing, of the wrong type or out of range."""

    def __init__(self, field: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.field = field
        self.message_zh = message_zh
        self.message_en = message_en


def _number(spec: ParamSpec, raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | str | Decimal):
        # A float is refused on purpose: 0.1 is not exactly one tenth (money is Decimal).
        raise ParamError(
            spec.name,
            f"{spec.label_zh}必须是数字（整数或以字符串表示的小数）",
            f"{spec.label_en} must be a number (an integer, or a decimal as a string)",
        )
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise ParamError(
            spec.name, f"{spec.label_zh}不是数字：{raw}", f"{spec.label_en} is not a number: {raw}"
        ) from None
    if not value.is_finite() or not spec.minimum <= value <= spec.maximum:
        raise ParamError(
            spec.name,
            f"{spec.label_zh}须在 {spec.minimum} 至 {spec.maximum} 之间",
            f"{spec.label_en} must be between {spec.minimum} and {spec.maximum}",
        )
    if spec.kind == "int" and value != value.to_integral_value():
        raise ParamError(
            spec.name, f"{spec.label_zh}必须是整数", f"{spec.label_en} must be a whole number"
        )
    return value


def _one(spec: ParamSpec, raw: Any) -> Value:
    if spec.kind == "decimal_list":
        if not isinstance(raw, list) or not raw:
            raise ParamError(
                spec.name,
                f"{spec.label_zh}必须是非空的数字列表",
                f"{spec.label_en} must be a non-empty list of numbers",
            )
        return tuple(sorted(_number(spec, item) for item in raw))
    value = _number(spec, raw)
    return int(value) if spec.kind == "int" else value


def validate(specs: tuple[ParamSpec, ...], raw: dict[str, Any]) -> dict[str, Value]:
    """Typed parameters: the given ones checked, the missing ones at their defaults."""
    known = {spec.name for spec in specs}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ParamError(
            unknown[0],
            f"未知参数：{unknown[0]}（可用：{listed_zh(sorted(known)) or '无'}）",
            f"unknown parameter: {unknown[0]} (known: {listed_en(sorted(known)) or 'none'})",
        )
    return {
        spec.name: _one(spec, raw[spec.name]) if spec.name in raw else spec.default
        for spec in specs
    }


def to_json(values: dict[str, Value]) -> dict[str, Any]:
    """Stored form: Decimals as strings, so no float ever touches a threshold."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, tuple):
            out[name] = [str(v) for v in value]
        elif isinstance(value, Decimal):
            out[name] = str(value)
        else:
            out[name] = value
    return out
