"""Account errors: one class per business condition (GEN-6), zh-CN and English."""

from __future__ import annotations

from claimdesk.errors import ClaimdeskError, Conflict, NotFound, ValidationFailed


class InvalidUsername(ValidationFailed):
    code = "invalid_username"
    message_zh = "{field}：用户名须为 3–32 位小写字母、数字或 . _ -，并以字母开头"
    message_en = (
        "{field}: a username is 3–32 lowercase letters, digits or . _ -, starting with a letter"
    )


class UsernameTaken(Conflict):
    code = "username_taken"
    message_zh = "{field}：用户名 {username} 已被使用"
    message_en = "{field}: the username {username} is already taken"


class WeakPassword(ValidationFailed):
    code = "weak_password"
    message_zh = "{field}：密码至少 {min_length} 位，且须同时包含字母和数字"
    message_en = (
        "{field}: a password needs at least {min_length} characters with letters and digits"
    )


class UnknownRole(ValidationFailed):
    code = "unknown_role"
    message_zh = "{field}：角色 {role} 不存在"
    message_en = "{field}: there is no role {role}"


class NoRoles(ValidationFailed):
    code = "no_roles"
    message_zh = "{field}：至少须指定一个角色"
    message_en = "{field}: at least one role is required"


class CustomerRoleExclusive(ValidationFailed):
    # Least privilege: a customer account never carries staff permissions.
    code = "customer_role_exclusive"
    message_zh = "{field}：客户角色不能与员工角色同时授予"
    message_en = "{field}: the customer role cannot be combined with staff roles"


class CustomerNeedsPerson(ValidationFailed):
    code = "customer_needs_person"
    message_zh = "{field}：客户账户必须关联一名客户（person_id）"
    message_en = "{field}: a customer account must be linked to a person (person_id)"


class UnknownPerson(ValidationFailed):
    code = "unknown_person"
    message_zh = "{field}：客户 {person_id} 不存在"
    message_en = "{field}: person {person_id} does not exist"


class UnknownOrgUnit(ValidationFailed):
    code = "unknown_org_unit"
    message_zh = "{field}：机构 {org_unit} 不存在"
    message_en = "{field}: organisation unit {org_unit} does not exist"


class UnsupportedLanguage(ValidationFailed):
    code = "unsupported_language"
    message_zh = "{field}：语言只能是 zh-CN 或 en"
    message_en = "{field}: the language must be zh-CN or en"


class UserNotFound(NotFound):
    code = "user_not_found"

    def __init__(self, *, user: str | int) -> None:
        super().__init__(what=f"user {user}", field="user_id")


class WrongCurrentPassword(ClaimdeskError):
    status_code = 422
    code = "wrong_current_password"
    message_zh = "{field}：当前密码不正确"
    message_en = "{field}: the current password is wrong"


class PasswordUnchanged(ValidationFailed):
    code = "password_unchanged"
    message_zh = "{field}：新密码不能与当前密码相同"
    message_en = "{field}: the new password must differ from the current one"


class CannotDeactivateSelf(Conflict):
    code = "cannot_deactivate_self"
    message_zh = "不能停用自己的账户"
    message_en = "You cannot deactivate your own account"


class LastAdministrator(Conflict):
    # Without an active administrator nobody could manage users any more.
    code = "last_administrator"
    message_zh = "这是最后一个在用的系统管理员账户，不能停用或取消其管理员角色"
    message_en = "This is the last active administrator; it cannot lose that role or be deactivated"


class UserAlreadyInState(Conflict):
    code = "user_already_in_state"
    message_zh = "账户已经是{state_zh}状态"
    message_en = "The account is already {state_en}"


class SecondFactorRequired(ClaimdeskError):
    """A customer's password alone opens nothing (SEC-9, CLM-A2): the SMS code follows."""

    status_code = 401
    code = "second_factor_required"
    message_zh = "{field}：客户须输入短信验证码后才能登录，请通过客户门户登录"
    message_en = (
        "{field}: customers log in with a password and an SMS code; use the customer portal"
    )
