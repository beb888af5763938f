"""Errors of the automatic path's API (GEN-6): one class per business condition."""

from __future__ import annotations

from claimdesk.errors import ClaimdeskError, Conflict, ValidationFailed


class NotInSample(Conflict):
    code = "automatic_not_in_sample"
    message_zh = "本案不在自动理赔质量抽检样本中"
    message_en = "This claim is not in the automatic payments' quality sample"


class SampleAlreadyReviewed(Conflict):
    code = "automatic_sample_already_reviewed"
    message_zh = "本案的抽检结论已经作出"
    message_en = "The sample verdict on this claim has already been given"


class SampleNeedsTier1(ClaimdeskError):
    status_code = 403
    code = "automatic_sample_needs_tier1"
    message_zh = "质量抽检须由理赔主管（一级核赔）作出"
    message_en = "A quality-sample verdict is given by a claims supervisor (review tier 1)"


class VerdictAmountRequired(ValidationFailed):
    code = "automatic_verdict_amount_required"
    message_zh = "{field}：不同意自动理赔结果时须填写您核定的金额"
    message_en = "{field}: a disagreement states the amount you find payable"


class VerdictAmountInvalid(ValidationFailed):
    code = "automatic_verdict_amount_invalid"
    message_zh = "{field}：须不小于 0、最多两位小数，且与自动理赔金额 {automatic} 元不同"
    message_en = (
        "{field}: the amount is 0 or more with at most 2 decimals and differs from the "
        "automatic amount ¥{automatic}"
    )


class VerdictReasonRequired(ValidationFailed):
    code = "automatic_verdict_reason_required"
    message_zh = "{field}：不同意时须说明理由"
    message_en = "{field}: a disagreement gives its reason"


class RuleSetNotFound(ClaimdeskError):
    status_code = 404
    code = "automatic_rule_set_not_found"
    message_zh = "{field}：没有这个自动理赔规则集版本"
    message_en = "{field}: no automatic rule set has this version"
