"""One error base class; one subclass per business condition.

Every error carries an HTTP status, a stable machine code, the offending field (if any)
and its message in zh-CN and English (GEN-6). The API renders it as
``{"error": {"code", "message", "field"}}`` in the caller's language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from pydantic import BaseModel

from claimdesk.field_labels import field_label, field_words, without_spec_refs


def said_as(
    params: Mapping[str, Any], names: Iterable[str], say: Callable[[Any], str]
) -> dict[str, Any]:
    """An error's parameters as a person reads them: each of ``names`` that is there said
    by ``say`` (a date, an instant as people write it), the rest as given (programs
    read the parameters themselves, unchanged)."""
    said = dict(params)
    for name in names:
        if name in said:
            said[name] = say(said[name])
    return said


class ClaimdeskError(Exception):
    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    message_zh: ClassVar[str] = "请求无效"
    message_en: ClassVar[str] = "Invalid request"
    # Most errors roll the request back. A few must keep what the request recorded
    # (a failed login is counted even though the login fails).
    commit_anyway: ClassVar[bool] = False
    # Where the field is named otherwise than everywhere (field_labels.CONTEXT_LABELS).
    field_context: ClassVar[str | None] = None

    def __init__(
        self,
        *,
        field: str | None = None,
        zh: str | None = None,
        en: str | None = None,
        **params: Any,
    ) -> None:
        self.field = field
        self.params = params
        self._zh = zh
        self._en = en
        super().__init__(self.message("en"))

    def message(self, language: str) -> str:
        if language.lower().startswith("zh"):
            template = self._zh or self.message_zh
        else:
            template = self._en or self.message_en
        try:
            # A person reads the field's label, never its path (GEN-6, issue 12); the
            # path stays in ``field`` for programs.
            field = field_words(self.field, language, self.field_context)
            text = template.format(field=field, **self.words(language))
        except (KeyError, IndexError):
            text = template
        # A person reads the rule, not the requirement ID it was written from.
        return without_spec_refs(text)

    def words(self, language: str) -> dict[str, Any]:
        """The parameters as the message in ``language`` says them (a subclass names a
        record in the reader's language)."""
        return self.params

    def to_dict(self, language: str) -> dict[str, Any]:
        return {"code": self.code, "message": self.message(language), "field": self.field}


class ValidationFailed(ClaimdeskError):
    status_code = 422
    code = "validation_failed"
    message_zh = "{field}无效"
    message_en = "{field} is invalid"


class NotAuthenticated(ClaimdeskError):
    status_code = 401
    code = "not_authenticated"
    message_zh = "请先登录"
    message_en = "Authentication required"


class InvalidCredentials(ClaimdeskError):
    status_code = 401
    code = "invalid_credentials"
    message_zh = "用户名或密码错误"
    message_en = "Wrong username or password"
    commit_anyway = True


class TooManyLoginAttempts(ClaimdeskError):
    status_code = 429
    code = "too_many_login_attempts"
    message_zh = "登录失败次数过多，请 {retry_after} 秒后再试"
    message_en = "Too many failed logins; try again in {retry_after} seconds"


class PermissionDenied(ClaimdeskError):
    status_code = 403
    code = "permission_denied"
    message_zh = "您的角色无权执行此操作"
    message_en = "Your role may not do this"


class CsrfFailed(ClaimdeskError):
    status_code = 403
    code = "csrf_failed"
    message_zh = "表单已失效，请刷新页面后重试"
    message_en = "The form has expired; reload the page and try again"


class NotFound(ClaimdeskError):
    status_code = 404
    code = "not_found"
    message_zh = "未找到{what}"
    message_en = "{what} not found"

    def __init__(self, *, what: str = "record", field: str | None = None, **params: Any) -> None:
        super().__init__(field=field, what=what, **params)

    def words(self, language: str) -> dict[str, Any]:
        # ``what`` is written in English ("claim", "policy change"): a Chinese reader gets
        # the record's Chinese name, as the field labels say it ("未找到案件", not
        # "未找到 claim"); a record no label names keeps its word.
        what = str(self.params.get("what", ""))
        if not language.lower().startswith("zh"):
            # A sentence: "Claim not found"; an id field's record by its label ("event_id"
            # → "Mass event"), never the field's code (GEN-6).
            named = field_label(what, language) if "_" in what else None
            text = named or what
            return {**self.params, "what": text[:1].upper() + text[1:]}
        key = what.replace(" ", "_")
        named = field_label(key, language) or field_label(f"{key}_id", language)
        if named is None:
            return {**self.params, "what": f" {what}"}
        return {**self.params, "what": named}


class Conflict(ClaimdeskError):
    status_code = 409
    code = "conflict"
    message_zh = "操作与当前状态冲突"
    message_en = "The operation conflicts with the current state"


class ConcurrentChange(Conflict):
    """A database constraint refused the write: usually the same record written twice at
    the same moment (double submit, two processes). Nothing was saved; retry."""

    code = "concurrent_change"
    message_zh = "数据已被同时修改或已存在，本次操作未保存，请刷新后重试"
    message_en = "The record was changed at the same time or already exists; nothing was saved, please reload and retry"


class AlreadyExists(Conflict):
    code = "already_exists"
    message_zh = "{what} 已存在"
    message_en = "{what} already exists"


class CalendarYearNotCovered(ClaimdeskError):
    status_code = 422
    code = "calendar_year_not_covered"
    message_zh = "节假日日历未包含 {year} 年，请管理员先维护该年度安排"
    message_en = "The holiday calendar does not cover {year}; an administrator must add it first"


class InvalidIdNumber(ValidationFailed):
    code = "invalid_id_number"
    message_zh = "{field}：身份证号码无效（{reason_zh}）"
    message_en = "{field}: invalid resident ID number ({reason_en})"


class InvalidBankCard(ValidationFailed):
    code = "invalid_bank_card"
    message_zh = "{field}：银行卡号无效（{reason_zh}）"
    message_en = "{field}: invalid bank card number ({reason_en})"


class InvalidMobileNumber(ValidationFailed):
    code = "invalid_mobile_number"
    # The field's label already says "mobile number": the rule alone follows it, in the
    # words of the form's own pattern check.
    message_zh = "{field}：应为 11 位手机号码，以 13-19 开头"
    message_en = "{field}: 11 digits starting with 13 to 19 are needed"


class ConsentMissing(ClaimdeskError):
    status_code = 422
    code = "consent_missing"
    message_zh = "{field}：收集个人信息须记录本人同意（目的、范围、方式）"
    message_en = (
        "{field}: collecting personal data requires recorded consent (purpose, scope, method)"
    )


class KeyUnavailable(ClaimdeskError):
    status_code = 500
    code = "key_unavailable"
    message_zh = "加密密钥 {kid} 不可用"
    message_en = "Encryption key {kid} is not available"


class ValueOutOfRange(ValidationFailed):
    """A number the database cannot store (GEN-6): refused before or when it is bound."""

    code = "value_out_of_range"
    message_zh = "{field}：数值超出可存储范围（须在 {minimum} 到 {maximum} 之间）"
    message_en = (
        "{field}: the value is out of the range that can be stored ({minimum} to {maximum})"
    )

    def __init__(
        self,
        *,
        field: str | None = None,
        minimum: int = -(2**31),
        maximum: int = 2**31 - 1,
        **params: Any,
    ) -> None:
        # An INTEGER column's range unless the caller names another: the limit is said.
        super().__init__(field=field, minimum=minimum, maximum=maximum, **params)


class ServiceBusy(ClaimdeskError):
    """Every database connection of this process is in use (GEN-6): nothing was done;
    the client retries after ``retry_after`` seconds."""

    status_code = 503
    code = "service_busy"
    message_zh = "系统繁忙，请 {retry_after} 秒后重试（本次请求未执行）"
    message_en = "The service is busy; nothing was done, retry in {retry_after} seconds"


# -- the error shape in the OpenAPI --------------------------------------------------------
# Every route declares the errors it can answer (GEN-6), so a client generated from the
# OpenAPI knows what can go wrong and the fuzz test (tests/test_fuzz_api.py) checks that
# every error body has this shape.


class ErrorDetail(BaseModel):
    field: str
    type: str | None = None
    message: str | None = None


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None
    details: list[ErrorDetail] | None = None


class ErrorResponse(BaseModel):
    """The one error shape: ``{"error": {"code", "message", "field"}}`` in the caller's
    language; validation errors add every problem under ``details``."""

    error: ErrorBody


_DESCRIPTIONS = {
    400: "Malformed request (body not parseable, or a business rule refused it)",
    401: "Not authenticated (or wrong credentials)",
    403: "The role may not do this, or the CSRF token is missing",
    404: "No such record (or not visible to the caller)",
    409: "Conflicts with the record's current state, or changed concurrently",
    422: "Invalid input: the error names the field and the rule",
    429: "Too many attempts; see Retry-After",
    503: "Busy (every database connection in use); nothing was done, see Retry-After",
}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in _DESCRIPTIONS.items()
}
