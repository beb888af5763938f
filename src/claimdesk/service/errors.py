"""Business conditions of the service desk (GEN-6): one class per condition."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from claimdesk.code_labels import NamesCodes
from claimdesk.errors import AlreadyExists, ClaimdeskError, Conflict, NotFound, ValidationFailed
from claimdesk.rules.transitions import IllegalTransition


class UnknownCode(NamesCodes, ValidationFailed):
    """A value outside a closed list: service type, channel, cause, source ... — the
    allowed values said in words where the codes have labels (GEN-6)."""

    code = "unknown_code"
    message_zh = "{field}：取值“{value}”无效，允许的取值：{allowed}"
    message_en = "{field}: unknown value '{value}'; allowed: {allowed}"


class CustomerRequired(ValidationFailed):
    code = "customer_required"
    message_zh = "{field}：必须指明客户"
    message_en = "{field}: the customer is required"


class ContactRequired(ValidationFailed):
    code = "contact_required"
    message_zh = "{field}：投诉必须留有联系方式"
    message_en = "{field}: a complaint needs the complainant's contact details"


class TextRequired(ValidationFailed):
    code = "text_required"
    message_zh = "{field}：不能为空"
    message_en = "{field}: may not be empty"


class ComplaintStoryRequired(TextRequired):
    """A complaint without what happened: named as the forms ask it (投诉经过)."""

    field_context = "complaint"


class PeriodTooLong(ValidationFailed):
    """A scorecard's period beyond its limit: its months are bound into one query (the
    dashboards refuse the same period with the same words)."""

    code = "period_too_long"
    message_zh = "{field}：查询期间不能超过 {max_days} 天"
    message_en = "{field}: the period may not exceed {max_days} days"


class ScoreOutOfRange(ValidationFailed):
    code = "score_out_of_range"
    message_zh = "{field}：评分须为 1 至 5 的整数"
    message_en = "{field}: the score must be an integer from 1 to 5"


class ServiceRecordNotFound(NotFound):
    code = "service_record_not_found"

    def __init__(self, *, field: str | None = None, **params: Any) -> None:
        super().__init__(what="service record", field=field)


class ComplaintNotFound(NotFound):
    code = "complaint_not_found"

    def __init__(self, *, field: str | None = None, **params: Any) -> None:
        super().__init__(what="complaint", field=field)


class ReferencedRecordMissing(ValidationFailed):
    code = "referenced_record_missing"
    message_zh = "{field}：所指的{what_zh}不存在"
    message_en = "{field}: the {what_en} it refers to does not exist"


class HandlerCannotActOnComplaints(ValidationFailed):
    """A complaint named to someone who cannot work it: no active account holding the
    service desk's permission (SVC-3, CLM-Z3: the named person answers on the desk)."""

    code = "handler_cannot_act"
    message_zh = "{field}：所指定的人员没有客服工作台权限，无法处理投诉"
    message_en = "{field}: the person named cannot work complaints (no service desk access)"


class ReceivedInFuture(ValidationFailed):
    """A contact cannot have come in after it is recorded: its clock would start later
    than the contact did (SVC-4, GEN-6). ``minutes``: the clock difference tolerated
    (service.service.RECEIVED_SKEW)."""

    code = "received_in_future"
    message_zh = "{field}：接到的时间不能晚于现在（允许 {minutes} 分钟的时钟误差）"
    message_en = (
        "{field}: the time it came in cannot be later than now "
        "({minutes} minutes' clock difference allowed)"
    )


class CustomerAmbiguous(ValidationFailed):
    code = "customer_ambiguous"
    message_zh = "{field}：该手机号对应多位客户，请填写客户编号"
    message_en = "{field}: several customers have this mobile number; give the customer number"


class EscalationRouteRequired(ValidationFailed):
    code = "escalation_route_required"
    message_zh = "{field}：不接受处理决定时，请选择继续申诉的途径"
    message_en = (
        "{field}: choose where the complaint is taken further when the decision is not accepted"
    )


class ServiceRecordClosed(IllegalTransition):
    code = "service_record_closed"
    message_zh = "服务记录已结束，不能再修改"
    message_en = "The service record is closed and cannot change"


class ExtensionReasonRequired(ValidationFailed):
    code = "extension_reason_required"
    message_zh = "{field}：延长投诉处理期限必须记录理由"
    message_en = "{field}: extending a complaint's deadline requires a recorded reason"


class ComplaintAlreadyExtended(Conflict):
    code = "complaint_already_extended"
    message_zh = "{field}：投诉处理期限只能延长一次（至 30 日）"
    message_en = "{field}: a complaint's deadline may be extended only once (to 30 days)"


class ExtensionAfterDeadline(Conflict):
    """SVC-3: the extension to 30 days is decided within the time limit, not after it."""

    code = "extension_after_deadline"
    message_zh = "{field}：处理期限已于 {due} 届满，不能再延期；逾期作出的决定记为超时"
    message_en = (
        "{field}: the decision deadline ran out at {due}; it can no longer be extended, "
        "and a decision now is recorded as late"
    )


class ComplaintWrongState(IllegalTransition):
    code = "complaint_wrong_state"
    message_zh = "投诉当前状态为“{status}”，不能{action_zh}"
    message_en = "The complaint is '{status}'; it cannot {action_en}"


class SurveySubjectNotEligible(Conflict):
    code = "survey_subject_not_eligible"
    message_zh = "{field}：只能对已结束的服务、已赔付的案件或已完成的回访进行满意度评价"
    message_en = (
        "{field}: only closed service records, paid claims and completed callbacks are surveyed"
    )


class SurveyAlreadyRecorded(AlreadyExists):
    code = "survey_already_recorded"


class NotYourRecord(ClaimdeskError):
    status_code = 403
    code = "not_your_record"
    message_zh = "{field}：只能对本人的记录进行此操作"
    message_en = "{field}: you may do this for your own records only"


def choose(value: str | None, allowed: Iterable[str], field: str) -> str:
    """``value`` if it is one of ``allowed``, else the refusal naming the field and the
    allowed values (service desk and sales: channels, causes, types ...)."""
    options = tuple(allowed)
    if value not in options:
        raise UnknownCode(field=field, value=value, allowed=options)
    assert value is not None
    return value
