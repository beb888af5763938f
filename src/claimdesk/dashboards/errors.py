"""Bad dashboard filters (GEN-6): named field, both languages."""

from __future__ import annotations

from claimdesk.errors import NotFound, ValidationFailed

# One condition, one class: the service scorecard API refuses the same period alike.
from claimdesk.service.errors import PeriodTooLong

__all__ = [
    "InvalidFilterDate",
    "InvalidFilterNumber",
    "PeriodReversed",
    "PeriodTooLong",
    "UnknownBreakdown",
    "UnknownDataset",
]


class InvalidFilterDate(ValidationFailed):
    code = "invalid_filter_date"
    message_zh = "{field}：日期格式应为 YYYY-MM-DD"
    message_en = "{field}: the date must be written YYYY-MM-DD"


class InvalidFilterNumber(ValidationFailed):
    code = "invalid_filter_number"
    message_zh = "{field}：应为正整数"
    message_en = "{field}: must be a positive whole number"


class PeriodReversed(ValidationFailed):
    code = "period_reversed"
    message_zh = "{field}：截止日期不能早于起始日期"
    message_en = "{field}: the end date may not be before the start date"


class UnknownBreakdown(ValidationFailed):
    code = "unknown_breakdown"
    message_zh = "{field}：应为 month（按月）、branch（按机构）或 month_branch（按月和机构）"
    message_en = "{field}: must be month, branch or month_branch"


class UnknownDataset(NotFound):
    code = "unknown_dataset"
