"""Errors of claim review, payment and closing: one per business condition (GEN-6)."""

from __future__ import annotations

from typing import Any

from claimdesk.claims.errors import SaysDates
from claimdesk.errors import ClaimdeskError, Conflict, NotFound, ValidationFailed
from claimdesk.field_labels import field_label, nested


class UseDedicatedEndpoint(Conflict):
    code = "use_dedicated_endpoint"
    message_zh = "操作 {action} 须通过其专用接口办理（重新定损、核赔、支付、结案）"
    message_en = (
        "Action {action} is made through its own endpoint (re-assessment, review, payment "
        "or closing)"
    )


class ReviewerHandledClaim(ClaimdeskError):
    status_code = 403
    code = "reviewer_handled_claim"
    message_zh = "您曾经办本案（{role}），不得核赔本案"
    message_en = "You handled this claim ({role}); you may not review it"


class ReviewerAlreadyApprovedTier(Conflict):
    code = "reviewer_already_approved_tier"
    message_zh = "您已在第 {tier} 级核赔本案，同一人不得核赔同一案件的两个级别"
    message_en = "You already decided tier {tier} of this claim; nobody decides two tiers"


class ReviewerTierMismatch(ClaimdeskError):
    status_code = 403
    code = "reviewer_tier_mismatch"
    message_zh = "本案当前待第 {tier} 级核赔，需要角色 {role}"
    message_en = "The claim awaits review tier {tier}, which needs role {role}"


class TierAlreadyDecided(Conflict):
    code = "tier_already_decided"
    message_zh = "第 {tier} 级核赔已由他人作出决定"
    message_en = "Review tier {tier} has already been decided by someone else"


class RejectionPending(Conflict):
    code = "rejection_pending"
    message_zh = "第 {tier} 级已提出拒赔意见，本级只能确认拒赔或退回理算"
    message_en = "Tier {tier} proposed a rejection; this tier may only confirm it or return"


class ChecklistNotConfirmed(ValidationFailed):
    code = "review_checklist_incomplete"
    message_zh = "{field}：核赔通过须逐项确认审核要点（CLM-V2）"
    message_en = "{field}: approval needs every review check confirmed (CLM-V2)"


class RejectionNeedsGrounds(ValidationFailed):
    code = "rejection_needs_grounds"
    message_zh = "{field}：拒赔须写明条款与事实"
    message_en = "{field}: a rejection states the clause and the facts"


class ReturnNeedsRequirements(ValidationFailed):
    code = "return_needs_requirements"
    message_zh = "{field}：退回理算须写明需补充的内容"
    message_en = "{field}: a return states what must be added"


class PolicyIncontestable(Conflict):
    code = "policy_incontestable"
    message_zh = (
        "保单自 {since} 起持续有效，已于 {from_day} 满两年，不得以未如实告知为由拒赔"
        "（保险法第十六条）"
    )
    message_en = (
        "The policy has been in force since {since} and became incontestable on {from_day}; "
        "it cannot be rejected for non-disclosure (Insurance Law art. 16)"
    )


class ApprovalAfterTermination(SaysDates, Conflict):
    """CLM-V2 ("policy in force on the date of loss"), CLM-C1, POL-3: the adjuster's
    decision says covered, but the policy as it stands now — terminated with effect on or
    before the date of loss, perhaps recorded after the adjustment was signed — did not
    cover the loss (rules.cover, the engine's period step). The reviewer cannot approve
    it; returning it to the adjuster, who declines it in writing, is the way."""

    code = "approval_after_termination"
    message_zh = (
        "{field}：出险日期 {loss_date} 在保单解除生效日 {terminated_on} 当日或之后，保单已不再"
        "承保，理算却认定属保险责任，不能核赔通过；请选择“退回理算”，由理算人员认定不属保险"
        "责任并写明理由、合同条款原文及证据"
    )
    message_en = (
        "{field}: the date of loss, {loss_date}, is on or after the day the policy's "
        "termination took effect ({terminated_on}): the policy no longer covered it, yet the "
        "adjustment decides it covered, so it cannot be approved; choose 'Return to "
        "adjustment' for the adjuster to decide it not covered, with the written reason, "
        "the clause text and the evidence"
    )
    date_params = ("loss_date", "terminated_on")


class ApprovalOutsidePeriod(SaysDates, Conflict):
    """CLM-V2, CLM-C1: a covered decision on a loss outside the policy period, as the
    policy stands now, is not approved; it goes back to the adjuster."""

    code = "approval_outside_period"
    message_zh = (
        "{field}：出险日期 {loss_date} 不在保险期间（{start} 至 {end}）内，理算却认定属保险"
        "责任，不能核赔通过；请选择“退回理算”，由理算人员认定不属保险责任并写明理由、合同条款"
        "原文及证据"
    )
    message_en = (
        "{field}: the date of loss, {loss_date}, is outside the policy period ({start} to "
        "{end}), yet the adjustment decides it covered, so it cannot be approved; choose "
        "'Return to adjustment' for the adjuster to decide it not covered, with the written "
        "reason, the clause text and the evidence"
    )
    date_params = ("loss_date", "start", "end")


class NoOpenReview(Conflict):
    code = "no_open_review"
    message_zh = "本案没有进行中的核赔"
    message_en = "The claim has no review in progress"


class PayeeMismatch(ValidationFailed):
    code = "payee_mismatch"
    message_zh = "{field}：收款人须为被保险人或受益人，否则须有授权委托书或公证书"
    message_en = (
        "{field}: the payee must be the insured or a beneficiary, or a power of attorney "
        "or notarial certificate must be on file"
    )


class BankAccountNotPayees(ValidationFailed):
    code = "bank_account_not_payees"
    message_zh = "{field}：银行账户不属于收款人"
    message_en = "{field}: the bank account does not belong to the payee"


class IdempotencyKeyRequired(ValidationFailed):
    code = "idempotency_key_required"
    message_zh = "{field}：支付请求须带 Idempotency-Key 请求头（8-100 个字符）"
    message_en = "{field}: a payment request needs an Idempotency-Key header (8-100 characters)"


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    message_zh = "Idempotency-Key 已用于另一笔支付请求"
    message_en = "This Idempotency-Key was used for a different payment request"


class NotPayable(Conflict):
    code = "not_payable"
    message_zh = "案件状态为 {state}，不能发起{what}"
    message_en = "The claim is {state}; {what} cannot be made"


class AdvanceTooLarge(ValidationFailed):
    code = "advance_too_large"
    message_zh = "{field}：先予支付金额不得超过可确定部分（准备金余额 {limit} 元）"
    message_en = (
        "{field}: the advance cannot exceed the part that can be fixed ({limit} CNY reserve)"
    )


class NothingToExport(Conflict):
    code = "nothing_to_export"
    message_zh = "没有可导出的待支付款项"
    message_en = "No payment is waiting to be exported"


class ConfirmationInvalid(ValidationFailed):
    """A line of the bank's answer that cannot be applied (CLM-P3, GEN-6). ``line`` is the
    row of the bank's CSV file (header counted, as a spreadsheet shows it) or the JSON
    line's position in ``lines`` counted from 1; the message names the line's field by
    its label (``field`` keeps the path: ``line 4.payment_id`` or ``lines[2].result``)."""

    code = "confirmation_invalid"
    field_context = "bank_answer"
    message_zh = "回盘第 {line} 行{part}：回盘记录无效（{why_zh}）"
    message_en = "Confirmation line {line}{part}: invalid confirmation line ({why_en})"

    def words(self, language: str) -> dict[str, Any]:
        leaf = (self.field or "").rsplit(".", 1)[-1] if "." in (self.field or "") else ""
        label = field_label(leaf, language, self.field_context) if leaf else None
        # "回盘第 3 行的结果" / "Confirmation line 3, result" (field_labels.nested)
        part = nested("", label, language) if label else ""
        return {**self.params, "part": part}


class ConfirmationEmpty(ValidationFailed):
    """A bank's answer without a single answered line (CLM-P3, GEN-6): neither ``csv``
    nor ``lines`` given, ``lines`` empty, or a CSV file with no line after its header.
    Refused before anything is written — no batch confirmation, no audit entry. The
    message names the field the caller posted (``csv``, ``lines`` or the page's
    ``file``) by its label in the bank's answer: 回盘文件, 付款明细 (payment lines, not
    the expense lines ``lines`` names elsewhere), 文件."""

    code = "confirmation_empty"
    field_context = "bank_answer"
    message_zh = "{field}：银行回盘至少须有一行回盘记录（csv 文件或 lines 行，二者提供其一）"
    message_en = "{field}: the bank's answer needs at least one answered line (give csv or lines)"


class PaymentNotFound(NotFound):
    def __init__(self, *, field: str | None = "payment_id") -> None:
        super().__init__(what="payment", field=field)


class BatchNotFound(NotFound):
    def __init__(self, *, field: str | None = "batch_id") -> None:
        super().__init__(what="payment batch", field=field)


class AuthorisationFileMissing(ValidationFailed):
    code = "authorisation_file_missing"
    message_zh = "{field}：授权文件须为本案已上传的文件"
    message_en = "{field}: the authorisation must be a file uploaded to this claim"


class CallbackAlreadyDone(Conflict):
    code = "callback_already_done"
    message_zh = "回访已完成"
    message_en = "The callback is already done"


class SatisfactionRequired(ValidationFailed):
    code = "satisfaction_required"
    message_zh = "{field}：赔付回访接通后须记录满意度（1-5）"
    message_en = "{field}: a reached payment callback records satisfaction (1-5)"


class OptionsRequired(ValidationFailed):
    code = "options_required"
    message_zh = "{field}：拒赔回访须说明救济途径（调解、仲裁）"
    message_en = "{field}: a rejection callback explains the options (mediation, arbitration)"


class ReassessReasonRequired(ValidationFailed):
    code = "reassess_reason_required"
    message_zh = "{field}：重新定损须写明原因（例如核赔退回指出的定损问题）"
    message_en = "{field}: re-opening the assessment needs the reason (e.g. what the review found)"


class ReopenReasonRequired(ValidationFailed):
    code = "reopen_reason_required"
    message_zh = "{field}：重开案件须写明原因"
    message_en = "{field}: reopening a claim needs a reason"


class RecoveryLineNotAllowed(ValidationFailed):
    code = "recovery_line_not_allowed"
    message_zh = "{field}：残值与代位求偿只适用于财产险和责任险案件"
    message_en = "{field}: salvage and subrogation apply to property and liability claims only"


class RecoveryNotYet(Conflict):
    code = "recovery_not_yet"
    message_zh = "案件状态为 {state}，须先赔付才能登记追偿"
    message_en = "The claim is {state}; recoveries are recorded after payment"


# -- the means of payment (CLM-P3) ------------------------------------------------------------


class VoucherInvalid(ValidationFailed):
    """A bank transfer or third-party payment confirmed as paid without its electronic
    voucher (the bank's or the payment provider's transaction reference). ``line`` is the
    row of the bank's CSV file (header counted, as a spreadsheet shows it), or the JSON
    line's position in ``lines`` counted from 1."""

    code = "voucher_invalid"
    message_zh = (
        "回盘第 {line} 行的银行流水号（电子凭证）：{why_zh}；确认已付款须留存银行或第三方支付的"
        "交易流水号，3-100 位字母、数字或 - _ . /，以字母或数字开头"
    )
    message_en = (
        "Confirmation line {line}, bank reference (electronic voucher): {why_en}; a payment "
        "confirmed as paid keeps the bank's or payment provider's transaction reference, "
        "3-100 letters, digits or - _ . /, starting with a letter or digit"
    )


class VoucherMissing(VoucherInvalid):
    code = "voucher_missing"

    def __init__(self, *, field: str, line: int) -> None:
        super().__init__(field=field, line=line, why_zh="不能为空", why_en="may not be empty")


class VoucherMalformed(VoucherInvalid):
    code = "voucher_malformed"

    def __init__(self, *, field: str, line: int) -> None:
        super().__init__(field=field, line=line, why_zh="格式不正确", why_en="it is malformed")


class BankAccountRequired(ValidationFailed):
    code = "bank_account_required"
    message_zh = "{field}：银行转账或第三方支付须选择收款人的银行账户"
    message_en = "{field}: a bank transfer or third-party payment needs the payee's bank account"


class OfflinePaymentNotAllowed(ValidationFailed):
    """Cash/offline only for small amounts or a stated special case (CLM-P3)."""

    code = "offline_payment_not_allowed"
    message_zh = (
        "{field}：赔款 {amount} 元超过现金/线下支付限额 {limit} 元，须写明特殊情况"
        "（例如收款人无银行账户），否则请使用银行转账或第三方支付"
    )
    message_en = (
        "{field}: {amount} CNY is above the cash/offline payment limit of {limit} CNY; "
        "state the special case (e.g. the payee has no bank account), or pay by bank "
        "transfer or third-party payment"
    )


class OfflineTotalNotAllowed(OfflinePaymentNotAllowed):
    """CLM-P3 read per claim: the cash/offline payments of a claim (earlier ones not
    cancelled, and this one) together up to the small-cash limit, or a stated special
    case — a top-up or a second payment in cash is counted with the first."""

    message_zh = (
        "{field}：本案已有现金/线下支付 {earlier} 元，加上本笔 {amount} 元共 {total} 元，"
        "超过现金/线下支付限额 {limit} 元，须写明特殊情况（例如收款人无银行账户），"
        "否则请使用银行转账或第三方支付"
    )
    message_en = (
        "{field}: with the {earlier} CNY already paid or due in cash/offline on this claim, "
        "this {amount} CNY makes {total} CNY, above the cash/offline payment limit of "
        "{limit} CNY; state the special case (e.g. the payee has no bank account), or pay "
        "by bank transfer or third-party payment"
    )


class NotCancellable(Conflict):
    """Only a cash/offline payment still waiting to be handed over is cancelled (CLM-P3)."""

    code = "payment_not_cancellable"
    message_zh = (
        "只有尚未交付的现金/线下支付可以撤销；银行转账或第三方支付以银行回盘为准，"
        "回盘失败的款项会重新发送"
    )
    message_en = (
        "Only a cash/offline payment not yet handed over can be cancelled; a bank transfer "
        "or third-party payment follows the bank's answer, and a failed one is sent again"
    )


class DelayExplanationRequired(ValidationFailed):
    """CLM-P4: a delay of the kind "other" tells the customer nothing by its category."""

    code = "delay_explanation_required"
    message_zh = "{field}：延迟原因为“其他原因”时，须填写告知客户的说明"
    message_en = "{field}: a delay for other reasons needs the explanation the customer reads"


class CancellationReasonRequired(ValidationFailed):
    code = "cancellation_reason_required"
    message_zh = "{field}：撤销现金/线下支付须写明原因（例如收款人未到场领取）"
    message_en = (
        "{field}: cancelling a cash/offline payment needs the reason (e.g. the payee never came)"
    )


class ConfirmationFileUnreadable(ValidationFailed):
    """The bank's answer file uploaded on the page is not UTF-8 text (CLM-P3, GEN-6)."""

    code = "confirmation_file_unreadable"
    message_zh = "{field}：回盘文件须为 UTF-8 编码的 CSV 文本文件（payment_id, idempotency_key, result, reference, reason）"
    message_en = (
        "{field}: the bank's answer must be a UTF-8 CSV text file (payment_id, "
        "idempotency_key, result, reference, reason)"
    )


class NotOfflinePayment(Conflict):
    code = "not_offline_payment"
    message_zh = "该笔支付为银行转账或第三方支付，须凭银行回盘及电子凭证确认已付"
    message_en = (
        "This payment is a bank transfer or third-party payment: it is confirmed paid by "
        "the bank's answer with its electronic voucher"
    )


class PayeeDocumentMismatch(ValidationFailed):
    code = "payee_document_mismatch"
    message_zh = "{field}：与收款人登记的证件号码不符，请核对收款人本人的身份证件"
    message_en = (
        "{field}: does not match the payee's ID document on record; check the payee's own "
        "identity document"
    )


class SignedConfirmationMissing(ValidationFailed):
    code = "signed_confirmation_missing"
    message_zh = "{field}：现金/线下支付须上传并留存收款人签字的确认书（PDF 或图片）"
    message_en = (
        "{field}: a cash/offline payment keeps the payee's signed confirmation; upload it "
        "(PDF or image)"
    )
