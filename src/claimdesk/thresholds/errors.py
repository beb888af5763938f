"""Threshold errors, one per business condition (GEN-6)."""

from __future__ import annotations

from claimdesk.errors import ValidationFailed


class ThresholdNotPositive(ValidationFailed):
    code = "threshold_not_positive"
    message_zh = "{field}：金额须大于 0"
    message_en = "{field}: the amount must be greater than 0"


class ReviewTiersNotIncreasing(ValidationFailed):
    code = "review_tiers_not_increasing"
    message_zh = "{field}：二级审核上限须大于一级审核上限（CLM-V1）"
    message_en = "{field}: the tier-2 limit must be above the tier-1 limit (CLM-V1)"


class ThresholdEffectiveInPast(ValidationFailed):
    code = "threshold_effective_in_past"
    message_zh = "{field}：生效时间不能早于现在"
    message_en = "{field}: a new version cannot take effect in the past"


class SkipSurveyLinesEmpty(ValidationFailed):
    code = "skip_survey_lines_empty"
    message_zh = "{field}：须至少列出一个险种（不允许免查勘时可将金额设为 0.01）"
    message_en = "{field}: name at least one product line"


class AutomaticLineUnsupported(ValidationFailed):
    code = "automatic_line_unsupported"
    message_zh = "{field}：自动理赔只能用于可按电子票据定损的险种（{choices}）"
    message_en = (
        "{field}: the automatic path only takes coverage types assessed from e-bills ({choices})"
    )


class SampleShareOutOfRange(ValidationFailed):
    code = "sample_share_out_of_range"
    message_zh = "{field}：须在 0 到 1 之间，最多四位小数"
    message_en = "{field}: must be between 0 and 1, with at most four decimals"
