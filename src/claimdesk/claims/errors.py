"""One error per business condition of the claim workflow (GEN-6: field, rule, zh/en)."""

from __future__ import annotations

from typing import Any, ClassVar

from claimdesk.errors import ClaimdeskError, Conflict, ValidationFailed, said_as
from claimdesk.formatting import local_date
from claimdesk.products.coverage_types import MATERIALS
from claimdesk.rules import transitions


class IllegalTransition(transitions.IllegalTransition):
    """The claim's table of actions has no such move from its state (GEN-5)."""

    code = "illegal_transition"
    message_zh = "理赔案件当前状态为 {state}，不能执行操作 {action}"
    message_en = "The claim is {state}; action {action} is not allowed in that state"


class TransitionGuardFailed(Conflict):
    code = "transition_guard_failed"
    message_zh = "不能执行操作 {action}：{why_zh}"
    message_en = "Action {action} refused: {why_en}"


class ClaimSuspended(Conflict):
    code = "claim_suspended"
    message_zh = "案件因涉嫌欺诈被挂起，只有反欺诈调查员可以解除或确认"
    message_en = "The claim is on fraud hold; only a fraud investigator may clear or confirm it"


class ClaimClosedForMaterials(Conflict):
    """A claim that is decided or has ended takes no more materials (issue: uploads had
    no state check): the customer's materials and the staff's claim materials stop; the
    staff's evidence (CLM-F1 investigation, FIN-2 recovery, CLM-T3 correction) and the
    green channel's deferred items (CLM-Z2) still come in."""

    code = "claim_closed_for_materials"
    message_zh = "{field}：案件当前状态为 {state}，不再接收理赔材料"
    message_en = "{field}: the claim is {state}; it takes no more claim materials"


class PolicyNotFoundForReport(ValidationFailed):
    status_code = 422
    code = "policy_not_found"
    message_zh = "{field}：找不到对应保单（请提供保单号，或被保险人证件号与出险日期）"
    message_en = (
        "{field}: no policy found (give the policy number, "
        "or the insured's ID number and the date of loss)"
    )


class PolicyAmbiguous(ValidationFailed):
    status_code = 422
    code = "policy_ambiguous"
    message_zh = "{field}：被保险人在出险日有多张有效保单，请提供保单号"
    message_en = (
        "{field}: the insured has several policies in force on that date; give the policy number"
    )


class PolicyAmbiguousOutsidePeriod(ValidationFailed):
    """No policy of the insured covers the date of loss, and several are as near to it
    (ended the same day, or start the same day): the reporter chooses (CLM-R2). Its own
    code: ``policy_ambiguous`` means several policies *cover* the date, a different
    situation for the reporter (the report will not be flagged outside the period)."""

    status_code = 422
    code = "policy_nearest_tied"
    message_zh = (
        "{field}：被保险人在出险日没有有效保单，且有多张保单与出险日同样接近"
        "（同一天保障终止或同一天起保），请提供保单号"
    )
    message_en = (
        "{field}: no policy of the insured is in force on that date and several are "
        "equally near to it (their cover ended, or starts, the same day); give the "
        "policy number"
    )


class UnknownCoverage(ValidationFailed):
    code = "unknown_coverage"
    message_zh = "{field}：保单产品中没有保障 {code}"
    message_en = "{field}: the policy's product has no coverage {code}"


class ReporterForOwnReport(ValidationFailed):
    """A customer reports for themself: the reporter is the customer (CLM-R1)."""

    code = "reporter_for_own_report"
    message_zh = "{field}：客户本人报案时无需填写报案人"
    message_en = "{field}: a customer reporting their own claim is the reporter"


class ReceivedAfterEntry(ValidationFailed):
    code = "received_after_entry"
    message_zh = "{field}：接报时间不能晚于录入时间"
    message_en = "{field}: the time received cannot be after the time entered"


class ChecklistIncomplete(Conflict):
    """``missing``: the material codes (kept for programs); a person reads each by its
    name, listed as the language lists them: 身份证明、医疗费用发票 / Identity proof,
    Expense invoices."""

    code = "checklist_incomplete"
    message_zh = "材料不齐，缺少：{missing}"
    message_en = "Materials incomplete; missing: {missing}"

    def words(self, language: str) -> dict[str, Any]:
        zh = language.lower().startswith("zh")
        codes = self.params.get("missing", ())
        if isinstance(codes, str):
            return self.params
        names = (MATERIALS.get(str(c), (str(c), str(c)))[0 if zh else 1] for c in codes)
        return {**self.params, "missing": ("、" if zh else ", ").join(names)}


class NothingMissing(Conflict):
    code = "nothing_missing"
    message_zh = "{field}：所列材料均已收到或不在清单中，无需通知"
    message_en = (
        "{field}: every listed item is already in or not on the checklist; no notice needed"
    )


class MaterialsAlreadyRequested(Conflict):
    code = "materials_already_requested"
    message_zh = (
        "{field}：补充材料通知只能一次性发出（保险法第二十二条）；{items} 在首次通知时即可要求。"
        "仅因后来发现的事实新需要的材料可再次要求，并须说明理由"
    )
    message_en = (
        "{field}: the missing-materials notice is one-time (Insurance Law art. 22); "
        "{items} could have been asked the first time. Only items made necessary by "
        "later facts may be asked again, with a justification"
    )


class JustificationRequired(ValidationFailed):
    code = "justification_required"
    message_zh = "{field}：再次要求材料必须说明新发现的事实"
    message_en = "{field}: asking for materials again needs the later fact that made them necessary"


class UnknownMaterial(ValidationFailed):
    code = "unknown_material"
    message_zh = "{field}：材料代码 {code} 无效"
    message_en = "{field}: unknown material code {code}"


class UploadTooLarge(ValidationFailed):
    status_code = 413
    code = "upload_too_large"
    message_zh = "{field}：文件超过 {limit_mb} MB 上限"
    message_en = "{field}: the file exceeds the {limit_mb} MB limit"


class UploadTypeNotAllowed(ValidationFailed):
    status_code = 415
    code = "upload_type_not_allowed"
    message_zh = "{field}：文件内容不是允许的类型（PDF、JPEG、PNG、HEIC）"
    message_en = "{field}: the file content is not an allowed type (PDF, JPEG, PNG, HEIC)"


class FileRequired(ValidationFailed):
    """An upload form sent without a file (a browser that ignores ``required``, a second
    press): said beside the file field, on the page it came from (GEN-6)."""

    code = "file_required"
    message_zh = "{field}：请选择要上传的文件"
    message_en = "{field}: choose the file to upload"


class UploadEmpty(ValidationFailed):
    code = "upload_empty"
    message_zh = "{field}：文件为空"
    message_en = "{field}: the file is empty"


class NotAssignedSurveyor(ClaimdeskError):
    status_code = 403
    code = "not_assigned_surveyor"
    message_zh = "您不是本案指派的查勘员"
    message_en = "You are not the surveyor assigned to this claim"


class NotASurveyor(ValidationFailed):
    code = "not_a_surveyor"
    message_zh = "{field}：该用户不是在职查勘员"
    message_en = "{field}: that user is not an active surveyor"


class SurveyorAlreadyAssigned(Conflict):
    code = "surveyor_already_assigned"
    message_zh = (
        "{field}：本案已指派给该查勘员；改派须选另一名查勘员（同一人改派会重置 1 小时联系时限）"
    )
    message_en = (
        "{field}: the claim is already assigned to that surveyor; a reassignment must name "
        "another surveyor (reassigning the same one would restart the 1-hour contact limit)"
    )


class SurveyNotAssigned(Conflict):
    code = "survey_not_assigned"
    message_zh = "尚未指派查勘员"
    message_en = "No surveyor has been assigned yet"


class CertificateRequired(ValidationFailed):
    code = "certificate_required"
    message_zh = "{field}：火灾或盗抢损失须附官方证明（火灾事故认定书、公安报案回执）"
    message_en = (
        "{field}: fire or theft losses need the official certificate (fire report, police receipt)"
    )


class FileNotOnClaim(ValidationFailed):
    code = "file_not_on_claim"
    message_zh = "{field}：文件 {file_id} 不属于本案"
    message_en = "{field}: file {file_id} does not belong to this claim"


class AssessmentInvalid(ValidationFailed):
    code = "assessment_invalid"
    message_zh = "{field}：{rule_zh}"
    message_en = "{field}: {rule_en}"


class DeathCertificateRequired(ValidationFailed):
    code = "death_certificate_required"
    message_zh = "{field}：身故案件须有死亡证明"
    message_en = "{field}: a death claim needs the death certificate"


class AdjusterReportNotAccepted(Conflict):
    code = "adjuster_report_not_accepted"
    message_zh = "公估报告须经保险人和被保险人双方认可"
    message_en = "The external loss adjuster's report must be accepted by both sides"


class AssessmentMissing(Conflict):
    code = "assessment_missing"
    message_zh = "保障 {coverage} 尚未定损"
    message_en = "Coverage {coverage} has not been assessed"


class AdjustmentMissing(Conflict):
    code = "adjustment_missing"
    message_zh = "保障 {coverage} 尚未理算签字"
    message_en = "Coverage {coverage} has not been adjusted and signed"


class AdjustmentNotResigned(Conflict):
    code = "adjustment_not_resigned"
    message_zh = "保障 {coverage}：核赔已退回理算，须按退回意见重新签署理算结论后才能完成理算"
    message_en = (
        "Coverage {coverage}: the review returned the claim to adjustment; sign the "
        "adjustment again, answering the return, before completing it"
    )


class RejectionNeedsClause(ValidationFailed):
    """CLM-C1: a "not covered" decision states the written reason, the clause's text and
    the evidence; ``field`` names the first one missing."""

    code = "rejection_needs_clause"
    message_zh = "{field}：不属保险责任的认定须写明理由、合同条款原文及证据"
    message_en = (
        "{field}: a decision of not covered needs the written reason, the clause text and "
        "the evidence"
    )


class CoveredItemsRequired(ValidationFailed):
    """CLM-C1: a covered decision states its items: the liabilities of the product."""

    code = "covered_items_required"
    message_zh = "{field}：属保险责任的认定须列明赔付项目（本产品的保险责任：{allowed}）"
    message_en = (
        "{field}: a covered decision must state its items (the product's liabilities: {allowed_en})"
    )


class CoveredItemNotInProduct(ValidationFailed):
    code = "covered_item_not_in_product"
    message_zh = "{field}：“{item}”不是本保单产品的保险责任（可选：{allowed}）"
    message_en = (
        "{field}: “{item}” is not a liability of the policy's product (choose from: {allowed_en})"
    )


class CoveredItemsMissTheCoverage(ValidationFailed):
    code = "covered_items_miss_the_coverage"
    message_zh = "{field}：赔付项目须包含本次理算的保障“{coverage}”"
    message_en = "{field}: the items must include the coverage being adjusted (“{coverage_en}”)"


class LiabilityTermMismatch(ValidationFailed):
    """CLM-C1: the ratio and deductible are the product's and the assessment's; a figure
    stated with the decision must be the one the calculation applies."""

    code = "liability_term_mismatch"
    message_zh = "{field}：{stated} 与产品条款及定损结果确定的 {expected} 不符"
    message_en = (
        "{field}: {stated} differs from {expected}, which the product and the assessment fix"
    )


class AmountOverRemainingSumInsured(ValidationFailed):
    code = "amount_over_remaining_sum_insured"
    message_zh = "{field}：金额超过该保障剩余保险金额 {limit} 元"
    message_en = "{field}: the amount exceeds the coverage's remaining sum insured of {limit} CNY"


class ReserveReasonRequired(ValidationFailed):
    code = "reserve_reason_required"
    message_zh = "{field}：调整准备金须说明理由"
    message_en = "{field}: changing a reserve needs a reason"


class FraudFlagNotOpen(Conflict):
    code = "fraud_flag_not_open"
    message_zh = "该欺诈嫌疑标记已处理"
    message_en = "That fraud flag has already been resolved"


class CoveragesAlreadyFixed(Conflict):
    code = "coverages_already_fixed"
    message_zh = "{field}：只能在受理前（已报案、尚未发出补充材料通知时）确定索赔的保障责任"
    message_en = (
        "{field}: the coverages claimed can only be settled before acceptance, while the"
        " claim is reported and no missing-materials notice has gone out"
    )


class SaysDates(ClaimdeskError):
    """A refusal whose date parameters (ISO text, as programs read them) a person reads
    as people write dates: 2026年12月7日 / 7 Dec 2026 (GEN-2). Mixed into a refusal of
    any status (422 here, 409 for a review's approval)."""

    date_params: ClassVar[tuple[str, ...]] = ()

    def words(self, language: str) -> dict[str, Any]:
        return said_as(self.params, self.date_params, lambda day: local_date(day, language))


class _SaysDates(SaysDates, ValidationFailed):
    """A 422 refusal naming dates."""


class LossDateInFuture(_SaysDates):
    code = "loss_date_in_future"
    # The field names the date already ("出险日期："); the rule does not say it again.
    message_zh = "{field}：不能晚于今天（{today}）"
    message_en = "{field}: cannot be after today ({today})"
    date_params = ("today",)


class LossDateTooEarly(_SaysDates):
    code = "loss_date_too_early"
    message_zh = "{field}：不能早于 {earliest}"
    message_en = "{field}: cannot be before {earliest}"
    date_params = ("earliest",)


class CoveredAfterTermination(_SaysDates):
    """CLM-C1, POL-3: the policy's termination ended its cover before the loss
    (rules.cover): the loss is not the insurer's to pay, so a decision of covered — which
    would pay 0 and send no written reason — is refused; the written decline stays open."""

    code = "covered_after_termination"
    message_zh = (
        "{field}：出险日期 {loss_date} 在保单解除生效日 {terminated_on} 当日或之后，保单已不再"
        "承保，不能认定属保险责任；请认定不属保险责任，写明理由、合同条款原文及证据"
    )
    message_en = (
        "{field}: the date of loss, {loss_date}, is on or after the day the policy's "
        "termination took effect ({terminated_on}): the policy no longer covered it, so it "
        "cannot be decided covered; decide not covered, with the written reason, the clause "
        "text and the evidence"
    )
    date_params = ("loss_date", "terminated_on")


class CoveredOutsidePeriod(_SaysDates):
    """CLM-C1: a loss outside the policy period is declined in writing, never decided
    covered for nothing."""

    code = "covered_outside_period"
    message_zh = (
        "{field}：出险日期 {loss_date} 不在保险期间（{start} 至 {end}）内，不能认定属保险"
        "责任；请认定不属保险责任，写明理由、合同条款原文及证据"
    )
    message_en = (
        "{field}: the date of loss, {loss_date}, is outside the policy period ({start} to "
        "{end}), so it cannot be decided covered; decide not covered, with the written "
        "reason, the clause text and the evidence"
    )
    date_params = ("loss_date", "start", "end")


class CorrectionPaysAfterTermination(_SaysDates):
    """CLM-T3, POL-3: the quality sample's correction is a signed decision like the
    adjuster's: on a loss the policy's termination left uncovered it cannot pay; the
    reviewer corrects it to 0.00 and what was paid is recovered."""

    code = "correction_pays_after_termination"
    message_zh = (
        "{field}：出险日期 {loss_date} 在保单解除生效日 {terminated_on} 当日或之后，保单已不再"
        "承保，更正后不能赔付；更正金额只能为 0.00，已付款项予以追回"
    )
    message_en = (
        "{field}: the date of loss, {loss_date}, is on or after the day the policy's "
        "termination took effect ({terminated_on}): the policy no longer covered it, so the "
        "correction cannot pay anything; correct the amount to 0.00 and what was paid is "
        "recovered"
    )
    date_params = ("loss_date", "terminated_on")


class CorrectionPaysOutsidePeriod(_SaysDates):
    """CLM-T3: a correction paying on a loss outside the policy period is refused."""

    code = "correction_pays_outside_period"
    message_zh = (
        "{field}：出险日期 {loss_date} 不在保险期间（{start} 至 {end}）内，更正后不能赔付；"
        "更正金额只能为 0.00，已付款项予以追回"
    )
    message_en = (
        "{field}: the date of loss, {loss_date}, is outside the policy period ({start} to "
        "{end}), so the correction cannot pay anything; correct the amount to 0.00 and what "
        "was paid is recovered"
    )
    date_params = ("loss_date", "start", "end")


class StoredFileUnavailable(ClaimdeskError):
    """The row of an uploaded file exists but its sealed bytes are missing from the
    file store or do not open with the recorded key (SEC-1): an operations fault."""

    status_code = 500
    code = "stored_file_unavailable"
    message_zh = "{field}：文件 {file_id} 在文件存储中缺失或无法解密"
    message_en = "{field}: file {file_id} is missing from the file store or does not decrypt"


class NoContactPhone(Conflict):
    code = "no_contact_phone"
    message_zh = "本案报案时未留联系电话"
    message_en = "The claim has no contact phone number"


class SurveyTimeInFuture(ValidationFailed):
    """The survey is reported after it happened: a survey time after now is a typing
    error (it used to surface as the report clock's '时间不能早于 <ISO time>')."""

    code = "survey_time_in_future"
    message_zh = "{field}：不能晚于现在（{now_zh}）"
    message_en = "{field}: may not be later than now ({now_en})"


class SurveyTimeBeforeLoss(ValidationFailed):
    """A survey is of a loss that happened: a survey time before the date of loss is a
    typing error (a year, a month). It was accepted, signed into the report, and started
    the 24-hour report clock then, shown breached for good."""

    code = "survey_time_before_loss"
    message_zh = "{field}：不能早于出险日期（{loss_zh}）"
    message_en = "{field}: may not be before the date of loss ({loss_en})"


class NoAdjustmentYet(Conflict):
    """The adjustment report is the adjustment's: before one exists there is nothing to
    print (it used to print '合计: - 元')."""

    code = "no_adjustment_yet"
    message_zh = "本案尚未理算，还没有理算报告"
    message_en = "The claim has not been adjusted yet, so there is no adjustment report"
