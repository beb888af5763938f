"""Bad adjustment input: one error per condition, naming the field (GEN-6).

Every error is a :class:`claimdesk.errors.ValidationFailed`, so the API renders it as a
422 with the field path (``claim.lines[2].amount``) and the rule in zh-CN and English.
"""

from __future__ import annotations

from typing import Any

from claimdesk.errors import ValidationFailed


class AdjudicationInputError(ValidationFailed):
    """Base of the engine's input errors; ``at(prefix)`` re-anchors the field path."""

    code = "adjudication_input_invalid"

    def at(self, prefix: str) -> AdjudicationInputError:
        """The same error with its field placed under ``prefix`` (``lines[2]`` + ``amount``)."""
        field = f"{prefix}.{self.field}" if self.field else prefix
        return type(self)(field=field, zh=self._zh, en=self._en, **self.params)


class UnknownCoverageType(AdjudicationInputError):
    code = "unknown_coverage_type"
    message_zh = "{field}：未知的保障类型 {value!r}（可选：{allowed}）"
    message_en = "{field}: unknown coverage type {value!r} (one of: {allowed})"


class ClaimDoesNotMatchCoverage(AdjudicationInputError):
    code = "claim_does_not_match_coverage"
    message_zh = "{field}：案件事实类型与保障类型 {coverage_type} 不符"
    message_en = "{field}: the claim facts do not match coverage type {coverage_type}"


class MissingField(AdjudicationInputError):
    code = "missing_field"
    message_zh = "{field}：必填"
    message_en = "{field}: required"


class MalformedAmount(AdjudicationInputError):
    code = "malformed_amount"
    message_zh = '{field}：金额格式无效（应为最多两位小数的十进制数，如 "1200.50"）'
    message_en = '{field}: malformed amount (a decimal with at most 2 places, e.g. "1200.50")'


class NegativeAmount(AdjudicationInputError):
    code = "negative_amount"
    message_zh = "{field}：金额不能为负数"
    message_en = "{field}: an amount cannot be negative"


class AmountTooLarge(AdjudicationInputError):
    code = "amount_too_large"
    message_zh = "{field}：金额超出上限（须小于 1,000,000,000,000,000 元）"
    message_en = "{field}: amount too large (must be below 1,000,000,000,000,000 yuan)"


class MalformedRatio(AdjudicationInputError):
    code = "malformed_ratio"
    message_zh = '{field}：比例格式无效（应为 0 到 1 之间、最多 10 位小数的十进制数，如 "0.80"）'
    message_en = (
        '{field}: malformed ratio (a decimal between 0 and 1 with at most 10 places, e.g. "0.80")'
    )


class RatioOutOfRange(AdjudicationInputError):
    code = "ratio_out_of_range"
    message_zh = "{field}：比例必须在 0 到 1 之间"
    message_en = "{field}: a ratio must be between 0 and 1"


class MalformedCount(AdjudicationInputError):
    code = "malformed_count"
    message_zh = "{field}：应为非负整数"
    message_en = "{field}: must be a whole number, 0 or more"


class DisabilityGradeOutOfRange(AdjudicationInputError):
    code = "disability_grade_out_of_range"
    message_zh = "{field}：伤残等级必须是 1 到 10 的整数（JR/T 0083-2013）"
    message_en = "{field}: a disability grade must be a whole number from 1 to 10 (JR/T 0083-2013)"


class MalformedDate(AdjudicationInputError):
    code = "malformed_date"
    message_zh = "{field}：日期格式无效（应为 YYYY-MM-DD）"
    message_en = "{field}: malformed date (expected YYYY-MM-DD)"


class PolicyPeriodReversed(AdjudicationInputError):
    code = "policy_period_reversed"
    message_zh = "{field}：保险期间终止日早于起始日"
    message_en = "{field}: the policy period ends before it starts"


class InvalidChoice(AdjudicationInputError):
    code = "invalid_choice"
    message_zh = "{field}：取值 {value!r} 不在允许范围内（可选：{allowed}）"
    message_en = "{field}: {value!r} is not allowed (one of: {allowed})"


class MalformedFlag(AdjudicationInputError):
    code = "malformed_flag"
    message_zh = "{field}：应为 true 或 false"
    message_en = "{field}: must be true or false"


class MalformedObject(AdjudicationInputError):
    code = "malformed_object"
    message_zh = "{field}：格式错误（应为{expected_zh}）"
    message_en = "{field}: malformed (expected {expected_en})"


class EmptyList(AdjudicationInputError):
    code = "empty_list"
    message_zh = "{field}：至少需要一项"
    message_en = "{field}: at least one entry is required"


class ConflictingFacts(AdjudicationInputError):
    code = "conflicting_facts"
    message_zh = "{field}：修复费用与全损只能二选一"
    message_en = "{field}: give either a repair or a total loss, not both"


def invalid_choice(field: str, value: Any, allowed: tuple[str, ...]) -> InvalidChoice:
    return InvalidChoice(field=field, value=value, allowed=", ".join(allowed))
