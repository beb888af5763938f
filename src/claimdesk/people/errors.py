"""Business errors of the people domain: one class per condition (GEN-6)."""

from __future__ import annotations

from typing import Any

from claimdesk.errors import AlreadyExists, ClaimdeskError, Conflict, NotFound, ValidationFailed


class PersonAlreadyExists(AlreadyExists):
    code = "person_already_exists"
    message_zh = "{field}：该证件号码的客户已存在（编号 {person_id}）"
    message_en = "{field}: a person with this identity number already exists (id {person_id})"


class PersonNotFound(NotFound):
    code = "person_not_found"

    def __init__(self, *, field: str | None = None) -> None:
        super().__init__(what="person", field=field)


class UnsupportedCustomerLanguage(ValidationFailed):
    code = "unsupported_language"
    message_zh = "{field}：只能是 zh-CN（中文）或 en（English）"
    message_en = "{field}: must be zh-CN (Chinese) or en (English)"


class InvalidDocumentNumber(ValidationFailed):
    code = "invalid_document_number"
    message_zh = "{field}：证件号码应为 5 至 20 位字母或数字"
    message_en = "{field}: the document number must be 5 to 20 letters or digits"


class BirthDateMismatch(ValidationFailed):
    code = "birth_date_mismatch"
    message_zh = "{field}：与身份证号码中的出生日期 {expected} 不一致"
    message_en = "{field}: differs from the birth date {expected} in the resident ID number"


# The categories of personal data a consent covers (SEC-6), as a Chinese reader reads them.
CATEGORY_LABELS_ZH = {
    "identity": "身份信息",
    "contact": "联系方式",
    "medical": "医疗信息",
    "bank": "银行账户",
}


class ConsentScopeInsufficient(ClaimdeskError):
    """``categories``: the codes the consent lacks; listed in Chinese by their names
    (身份信息、医疗信息), in English as they are (identity, medical)."""

    status_code = 422
    code = "consent_scope_insufficient"
    message_zh = "{field}：本人同意的范围未包含 {categories}，不得收集或使用这些信息"
    message_en = (
        "{field}: the person's consent does not cover {categories}; it may not be collected"
    )

    def words(self, language: str) -> dict[str, Any]:
        codes = self.params.get("categories", ())
        if isinstance(codes, str):
            return self.params
        if language.lower().startswith("zh"):
            shown = "、".join(CATEGORY_LABELS_ZH.get(str(c), str(c)) for c in codes)
        else:
            shown = ", ".join(str(c) for c in codes)
        return {**self.params, "categories": shown}


class RevealReasonRequired(ValidationFailed):
    code = "reveal_reason_required"
    message_zh = "{field}：查看完整个人信息须填写原因"
    message_en = "{field}: a reason is required to see personal data in full"


class LookupKeyRequired(ValidationFailed):
    code = "lookup_key_required"
    message_zh = "{field}：请提供证件号码或手机号码其中之一"
    message_en = "{field}: give exactly one of id_number or phone"


class BankAccountAlreadyExists(AlreadyExists):
    code = "bank_account_already_exists"
    message_zh = "{field}：该银行账户已登记"
    message_en = "{field}: this bank account is already registered for the person"


class ConsentNotFound(NotFound):
    code = "consent_not_found"

    def __init__(self, *, field: str | None = None) -> None:
        super().__init__(what="consent", field=field)


class ConsentAlreadyWithdrawn(Conflict):
    code = "consent_already_withdrawn"
    message_zh = "该同意已于 {at} 撤回"
    message_en = "This consent was already withdrawn at {at}"


class NoOwnProfile(NotFound):
    code = "no_own_profile"

    def __init__(self) -> None:
        super().__init__(what="profile")


class NameMismatch(ValidationFailed):
    code = "name_mismatch"
    message_zh = "{field}：与该证件号码登记的姓名不一致"
    message_en = "{field}: differs from the name registered with this identity number"


class PhoneMismatch(ValidationFailed):
    code = "phone_mismatch"
    message_zh = (
        "{field}：与该证件号码登记的手机号码不一致；登记的手机号码不随本业务更改，"
        "请填写登记的号码，更换手机号码须由本人办理"
    )
    message_en = (
        "{field}: differs from the mobile number registered with this identity number; "
        "this request does not change it: give the registered number (a new number is "
        "registered by the person themself)"
    )


class HolderNotOwnName(ValidationFailed):
    """A customer registers payout accounts in their own name only (CLM-T2 pays the
    insured's own account); another person's account is registered at the service desk,
    which checks that person's identity and consent (CLM-P1, SEC-6)."""

    code = "holder_not_own_name"
    message_zh = (
        "{field}：须为您本人的姓名，与您登记的姓名一致；他人名下的账户请到柜面或致电客服办理"
    )
    message_en = (
        "{field}: must be your own name, as registered with us; an account in another "
        "person's name is registered by the service desk (at a branch or by phone)"
    )


class ConsentAlreadyGiven(Conflict):
    """The customer's active consent for this purpose already covers every category
    asked for (SEC-6): nothing new would be recorded."""

    code = "consent_already_given"
    message_zh = "您已同意将这些信息用于该用途（授权编号 {consent_id}），无需再次授权"
    message_en = (
        "You have already agreed to this use of this data (consent {consent_id}); "
        "there is nothing to give again"
    )


class BankAccountNotFound(NotFound):
    code = "bank_account_not_found"

    def __init__(self, *, field: str | None = None) -> None:
        super().__init__(what="bank account", field=field)


class BankAccountAlreadyRemoved(Conflict):
    code = "bank_account_already_removed"
    message_zh = "该账户已于 {at} 删除"
    message_en = "This account was already removed at {at}"


class BankAccountInUse(Conflict):
    """A payout account a claim still needs is not removed (CLM-P1, CLM-P5): the money
    would have nowhere to go. ``claims``: the claim numbers, ``last4``: the account's."""

    code = "bank_account_in_use"
    message_zh = "尾号 {last4} 的账户正在使用中，暂不能删除"
    message_en = "The account ending {last4} is in use and cannot be removed now"


class BankAccountHasUnpaidPayment(BankAccountInUse):
    code = "bank_account_has_unpaid_payment"
    message_zh = (
        "尾号 {last4} 的账户有尚未完成的付款（赔案 {claims}），暂不能删除；"
        "款项到账后即可删除。如需改付至其他账户，请联系理赔人员"
    )
    message_en = (
        "The account ending {last4} cannot be removed: a payment to it has not been made "
        "yet (claim {claims}). You can remove it once the money has arrived; to be paid "
        "to another account instead, contact your claims handler"
    )


class BankAccountOnlyOneForApprovedClaim(BankAccountInUse):
    code = "bank_account_needed_for_approved_claim"
    message_zh = (
        "尾号 {last4} 的账户是您唯一的收款账户，而赔案 {claims} 已批准、正等待付款，"
        "暂不能删除；请先添加新的收款账户，再删除此账户"
    )
    message_en = (
        "The account ending {last4} is your only payout account and claim {claims} is "
        "approved and waiting to be paid: add the new account first, then remove this one"
    )


class BankAccountRemoved(ValidationFailed):
    """A payment asked to a payout account its holder removed (CLM-P1)."""

    code = "bank_account_removed"
    message_zh = "{field}：该账户已由本人删除，不能再向其付款；请选择收款人其他账户"
    message_en = (
        "{field}: the holder removed this account; nothing is paid to it any more: "
        "choose another of the payee's accounts"
    )
