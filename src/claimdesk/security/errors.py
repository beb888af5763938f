"""Business conditions of security incidents (GEN-6): one class per condition."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from claimdesk.errors import Conflict, NotFound, ValidationFailed, said_as
from claimdesk.formatting import local_datetime
from claimdesk.rules.transitions import IllegalTransition


class SaysInstants:
    """A refusal naming instants (``instants``, given as datetimes) says each as the
    reader writes it — 2026年9月21日 14:00 / 21 Sep 2026 14:00 — not as ISO text."""

    params: dict[str, Any]
    instants: ClassVar[tuple[str, ...]] = ()

    def words(self, language: str) -> dict[str, Any]:
        instants = [n for n in self.instants if isinstance(self.params.get(n), dt.datetime)]
        return said_as(self.params, instants, lambda at: local_datetime(at, language))


class UnknownIncidentCode(ValidationFailed):
    """A value outside a closed list: severity, stage, containment kind, outcome ..."""

    code = "security_incident_unknown_code"
    message_zh = "{field}：取值“{value}”无效，允许的取值：{allowed}"
    message_en = "{field}: unknown value '{value}'; allowed: {allowed}"


class IncidentTextRequired(ValidationFailed):
    code = "security_incident_text_required"
    message_zh = "{field}：不能为空"
    message_en = "{field}: may not be empty"


class IncidentTimeInFuture(SaysInstants, ValidationFailed):
    code = "security_incident_time_in_future"
    instants = ("now",)
    message_zh = "{field}：时间不能晚于现在（{now}）"
    message_en = "{field}: the time may not be later than now ({now})"


class IncidentTimeTooEarly(SaysInstants, ValidationFailed):
    code = "security_incident_time_too_early"
    instants = ("earliest",)
    message_zh = "{field}：时间不能早于{what_zh}（{earliest}）"
    message_en = "{field}: the time may not be earlier than the {what_en} ({earliest})"


class IncidentDueDateInPast(ValidationFailed):
    code = "security_incident_due_date_in_past"
    message_zh = "{field}：完成期限不能早于今天（{today}）"
    message_en = "{field}: the due date may not be before today ({today})"


class IncidentOwnerUnknown(ValidationFailed):
    code = "security_incident_owner_unknown"
    message_zh = "{field}：责任人必须是在职的本公司员工账号"
    message_en = "{field}: the owner must be an active staff account"


class SecurityIncidentNotFound(NotFound):
    code = "security_incident_not_found"

    def __init__(self, *, field: str | None = None, **params: Any) -> None:
        super().__init__(what="security incident", field=field)


class CorrectiveActionNotFound(NotFound):
    code = "security_incident_corrective_action_not_found"

    def __init__(self, *, field: str | None = None, **params: Any) -> None:
        super().__init__(what="corrective action", field=field)


class IllegalIncidentTransition(IllegalTransition):
    """A move the transition table does not allow from the incident's state."""

    code = "security_incident_illegal_transition"
    message_zh = "安全事件当前状态为“{state}”，不能执行“{action}”"
    message_en = "The security incident is '{state}'; '{action}' is not allowed in that state"


class IncidentStepNotAllowed(Conflict):
    """A stage record (containment or corrective action) outside its stage."""

    code = "security_incident_step_not_allowed"
    message_zh = "安全事件当前状态为“{state}”，不能{what_zh}"
    message_en = "The security incident is '{state}'; it cannot {what_en} now"


class ContainmentActionsMissing(Conflict):
    code = "security_incident_containment_missing"
    message_zh = "须先记录至少一项处置措施（隔离、修复或恢复），才能确认已控制"
    message_en = (
        "Record at least one containment action (isolate, repair or restore) "
        "before confirming containment"
    )


class CorrectiveActionsMissing(Conflict):
    code = "security_incident_corrective_missing"
    message_zh = "须先登记至少一项整改措施，才能确认整改完成"
    message_en = "Register at least one corrective action before confirming the corrections"


class CorrectiveActionsOpen(Conflict):
    code = "security_incident_corrective_open"
    message_zh = "还有 {open} 项整改措施未完成，不能确认整改完成"
    message_en = "{open} corrective action(s) are not done yet; the corrections cannot be confirmed"


class CorrectiveActionAlreadyDone(SaysInstants, Conflict):
    code = "security_incident_corrective_done"
    instants = ("done_at",)
    message_zh = "该整改措施已于 {done_at} 完成"
    message_en = "This corrective action was already done at {done_at}"
