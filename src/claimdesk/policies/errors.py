"""Business errors of the policies domain (GEN-6): one class per condition."""

from __future__ import annotations

from claimdesk.code_labels import NamesCodes
from claimdesk.errors import ClaimdeskError, Conflict, ValidationFailed
from claimdesk.rules.transitions import IllegalTransition


class ProductNotOnSale(ValidationFailed):
    code = "product_version_not_on_sale"
    message_zh = "{field}：产品第 {version} 版状态为 {status}，只有已发布的版本可以销售"
    message_en = (
        "{field}: product version {version} is {status}; only a published version can be sold"
    )


class OutsideProductLimits(NamesCodes, ValidationFailed):
    """The refused value and the product's limits in words: "渠道：产品限定为 直销、银行，
    “互联网” 不在范围内", not the stored codes (PRD-6, GEN-6)."""

    value_is_code = True
    code = "outside_product_limits"
    message_zh = "{field}：产品限定为 {allowed}，“{value}” 不在范围内"
    message_en = "{field}: the product is limited to {allowed}; '{value}' is outside"


class InvalidPolicyPeriod(ValidationFailed):
    code = "invalid_policy_period"
    message_zh = "{field}：保险期间无效（{rule_zh}）"
    message_en = "{field}: invalid policy period ({rule_en})"


class BeneficiarySharesInvalid(ValidationFailed):
    code = "beneficiary_shares_invalid"
    message_zh = "{field}：受益份额合计须恰为 100%（当前 {total}%）"
    message_en = "{field}: beneficiary shares must add up to exactly 100% (now {total}%)"


class DuplicateBeneficiary(ValidationFailed):
    code = "duplicate_beneficiary"
    message_zh = "{field}：同一受益人重复出现"
    message_en = "{field}: the same beneficiary appears twice"


class InsuredRelationshipMissing(ValidationFailed):
    code = "insured_relationship_missing"
    message_zh = (
        "{field}：投保人与被保险人不是同一人，须填写被保险人是投保人的配偶、子女、父母或其他"
    )
    message_en = (
        "{field}: the policyholder and the insured are two people; say whether the insured "
        "is the policyholder's spouse, child, parent or other"
    )


class InsuredRelationshipNotSelf(ValidationFailed):
    code = "insured_relationship_not_self"
    message_zh = "{field}：投保人与被保险人是同一人，关系只能是“本人”（当前 {value}）"
    message_en = (
        "{field}: the policyholder is the insured; the relationship can only be self (got {value})"
    )


class InsuredRelationshipSelfForOther(ValidationFailed):
    code = "insured_relationship_self_for_other"
    message_zh = "{field}：投保人与被保险人不是同一人，关系不能是“本人”"
    message_en = "{field}: the policyholder and the insured are two people; it cannot be self"


class InsuredNotAdult(ValidationFailed):
    code = "insured_not_adult"
    message_zh = "{field}：本产品仅限成人投保，被保险人起保时未满 18 周岁"
    message_en = "{field}: this product is for adults; the insured is under 18 at the start"


class UnsupportedIdType(ValidationFailed):
    code = "unsupported_id_type"
    message_zh = "{field}：投保人证件须为居民身份证（当前 {value}）"
    message_en = "{field}: the policyholder's document must be a resident ID (got {value})"


class CustomerConsentMissing(ValidationFailed):
    code = "customer_consent_missing"
    message_zh = "{field}：批改/解除须有投保人或被保险人的同意"
    message_en = "{field}: a change or termination needs the policyholder's or insured's consent"


class OwnRequestNotConfirmed(CustomerConsentMissing):
    """A customer's own request sent without ticking that they ask for it: said as the
    portal's box says it, not as the staff's rule does."""

    code = "customer_consent_missing"
    message_zh = "{field}：请勾选“本人为投保人，申请此项变更。”后再提交"
    message_en = "{field}: tick 'I am the policyholder and I ask for this change.' to send it"


class ChangeDateOutsidePeriod(ValidationFailed):
    code = "change_date_outside_period"
    message_zh = "{field}：生效日期须在 {start} 至 {end} 之间"
    message_en = "{field}: the effective date must lie between {start} and {end}"


class PolicyNotInForce(Conflict):
    code = "policy_not_in_force"
    message_zh = "保单 {number} 当前状态为 {status}，不能办理此业务"
    message_en = "Policy {number} is {status}; this operation is not possible"


class WrongStep(IllegalTransition):
    code = "wrong_step"
    message_zh = "当前状态 {status} 不能执行“{step}”"
    message_en = "Step '{step}' is not possible in state {status}"


class SameReviewerAndApprover(Conflict):
    code = "same_reviewer_and_approver"
    message_zh = "审核人与批准人不能是同一人"
    message_en = "The reviewer may not also approve"


class AlreadyRenewed(Conflict):
    code = "policy_already_renewed"
    message_zh = "保单 {number} 已续保为 {renewal}"
    message_en = "Policy {number} was already renewed as {renewal}"


class NoPolicyFound(ClaimdeskError):
    status_code = 404
    code = "no_policy_found"
    message_zh = "未找到 {date} 有效的保单"
    message_en = "No policy in force on {date} was found"


class LookupCriteriaMissing(ValidationFailed):
    code = "lookup_criteria_missing"
    message_zh = "{field}：请提供保单号，或被保险人身份证号与出险日期"
    message_en = "{field}: give a policy number, or the insured's ID number and the date of loss"


class FontUnavailable(ClaimdeskError):
    status_code = 500
    code = "cjk_font_unavailable"
    message_zh = "生成合同需要中文字体 {path}，但该字体未安装（Debian：fonts-wqy-microhei）"
    message_en = (
        "The contract needs the CJK font {path}, which is not installed "
        "(Debian: fonts-wqy-microhei)"
    )


class ChangeContentMissing(ValidationFailed):
    code = "change_content_missing"
    message_zh = (
        "{field}：批改须说明变更内容（新的受益人、投保人与被保险人关系、新投保人或联系方式）"
    )
    message_en = (
        "{field}: a change must state what changes (new beneficiaries, the insured's "
        "relationship to the policyholder, a new policyholder, or contact details)"
    )


class InitiatorMissing(ValidationFailed):
    code = "termination_initiator_missing"
    message_zh = "{field}：须说明解除的发起方（投保人/保险人/法定）"
    message_en = "{field}: say who terminates the contract (policyholder, insurer or law)"


class FieldNotForKind(ValidationFailed):
    """A field that belongs to the other kind of request: a termination carrying new
    beneficiaries or a new holder, a change naming who terminates. Refused rather than
    dropped, so nobody believes a termination also changed the beneficiaries."""

    code = "field_not_for_kind"
    message_zh = "{field}：{kind_zh}申请不能包含此项"
    message_en = "{field}: not part of a {kind} request"


class DisputeRouteMissing(ValidationFailed):
    code = "dispute_route_missing"
    message_zh = "{field}：须选择仲裁或诉讼"
    message_en = "{field}: choose arbitration or court"


class PolicyholderChangeOnEndedPolicy(Conflict):
    code = "policyholder_change_policy_ended"
    message_zh = "保单 {number} 当前为 {status}（已解除或已失效），不能变更投保人"
    message_en = (
        "Policy {number} is {status} (terminated or lapsed); its policyholder cannot change"
    )


class PolicyholderChangePending(Conflict):
    code = "policyholder_change_pending"
    message_zh = (
        "保单 {number} 的变更投保人批改 #{change_id} 尚未生效，生效前不能再变更投保人或关系"
    )
    message_en = (
        "Policy {number}: the change of policyholder #{change_id} has not taken effect yet; "
        "neither the policyholder nor the relationship can change before it does"
    )


class SamePolicyholder(ValidationFailed):
    code = "same_policyholder"
    message_zh = "{field}：新投保人与现投保人是同一人"
    message_en = "{field}: the new policyholder is the current policyholder"


class CurrentHolderConsentMissing(ValidationFailed):
    code = "current_policyholder_consent_missing"
    message_zh = "{field}：变更投保人须有现投保人的同意"
    message_en = "{field}: a change of policyholder needs the current policyholder's consent"


class NewHolderConsentMissing(ValidationFailed):
    code = "new_policyholder_consent_missing"
    message_zh = "{field}：变更投保人须有新投保人的同意（及同意方式）"
    message_en = (
        "{field}: a change of policyholder needs the new policyholder's consent "
        "(and how it was given)"
    )


class ContactChangeEmpty(ValidationFailed):
    code = "contact_change_empty"
    message_zh = "{field}：请填写新的手机号码、电子邮箱或地址（至少一项）"
    message_en = "{field}: give the new mobile number, e-mail or address (at least one)"


class InvalidEmail(ValidationFailed):
    code = "invalid_email"
    message_zh = "{field}：电子邮箱格式应为 name@example.com"
    message_en = "{field}: an e-mail address reads name@example.com"


class AddressTooShort(ValidationFailed):
    code = "address_too_short"
    message_zh = "{field}：地址过短，请写明省市区及详细地址"
    message_en = "{field}: too short; give the full address (city, district, street)"


class ContactNotPolicyholder(ClaimdeskError):
    """A customer changes the contact details of a policy they hold, not of one where
    they are only the insured (the details are the policyholder's, SEC-4)."""

    status_code = 403
    code = "contact_not_policyholder"
    message_zh = "{field}：只有投保人本人可以变更本保单的联系方式"
    message_en = "{field}: only the policyholder may change this policy's contact details"


class ContactWithHolderChange(ValidationFailed):
    code = "contact_with_holder_change"
    message_zh = "{field}：变更联系方式与变更投保人须分别申请"
    message_en = (
        "{field}: a change of contact details and a change of policyholder are asked for separately"
    )
