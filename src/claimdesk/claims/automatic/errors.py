"""Errors of the automatic path's API (GEN-6): one class per business condition."""

from __future__ import annotations

from claimdesk.claims.errors import SaysDates
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


class AgreementAfterTermination(SaysDates, Conflict):
    """CLM-T3, CLM-V2, POL-3: agreeing with an automatic payment is signing it again; on
    a loss the policy's termination (recorded after the payment) left uncovered, the
    reviewer disagrees with 0.00 payable and what was paid is recovered."""

    code = "automatic_agreement_after_termination"
    message_zh = (
        "{field}：出险日期 {loss_date} 在保单解除生效日 {terminated_on} 当日或之后，保单已不再"
        "承保，不能同意自动理赔的赔付；请选择不同意，核定金额填 0.00 并说明理由，已付款项予以追回"
    )
    message_en = (
        "{field}: the date of loss, {loss_date}, is on or after the day the policy's "
        "termination took effect ({terminated_on}): the policy no longer covered it, so the "
        "automatic payment cannot be agreed with; disagree with 0.00 as the amount payable "
        "and the reason, and what was paid is recovered"
    )
    date_params = ("loss_date", "terminated_on")


class AgreementOutsidePeriod(SaysDates, Conflict):
    """CLM-T3, CLM-V2: agreeing with a payment on a loss outside the policy period, as
    the policy stands now, is refused; the correction to 0.00 recovers it."""

    code = "automatic_agreement_outside_period"
    message_zh = (
        "{field}：出险日期 {loss_date} 不在保险期间（{start} 至 {end}）内，不能同意自动理赔的"
        "赔付；请选择不同意，核定金额填 0.00 并说明理由，已付款项予以追回"
    )
    message_en = (
        "{field}: the date of loss, {loss_date}, is outside the policy period ({start} to "
        "{end}), so the automatic payment cannot be agreed with; disagree with 0.00 as the "
        "amount payable and the reason, and what was paid is recovered"
    )
    date_params = ("loss_date", "start", "end")


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
