"""Business conditions of sales (GEN-6): one class per condition."""

from __future__ import annotations

from typing import Any

from claimdesk.errors import ClaimdeskError, Conflict, NotFound, ValidationFailed


class AgentQualificationLapsed(ClaimdeskError):
    """SAL-2: an agent without a valid qualification cannot be recorded on a new policy."""

    status_code = 422
    code = "agent_qualification_lapsed"
    message_zh = "{field}：代理人 {agent} 在 {on} 没有有效的执业资格（{reason_zh}）"
    message_en = "{field}: agent {agent} holds no valid qualification on {on} ({reason_en})"


class InvalidValidity(ValidationFailed):
    code = "invalid_validity"
    message_zh = "{field}：有效期截止日不能早于起始日"
    message_en = "{field}: the end of validity may not be before its start"


class ScoreOutOfScale(ValidationFailed):
    code = "score_out_of_scale"
    message_zh = "{field}：考核分数须为 0 至 100 的整数"
    message_en = "{field}: the assessment score must be an integer from 0 to 100"


class EvaluationTargetRequired(ValidationFailed):
    code = "evaluation_target_required"
    message_zh = "{field}：须指明被评估的渠道、机构或人员"
    message_en = "{field}: name the channel, organisation or agent evaluated"


class SalesRecordNotFound(NotFound):
    code = "sales_record_not_found"

    def __init__(self, *, field: str | None = None, what: str = "record", **params: Any) -> None:
        super().__init__(what=what, field=field)


class ImprovementActionDone(Conflict):
    code = "improvement_action_done"
    message_zh = "改进措施已完成"
    message_en = "The improvement action is already done"
