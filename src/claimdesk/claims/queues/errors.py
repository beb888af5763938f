"""Errors of the work queues, the claim search and the bulk assignment (GEN-6)."""

from __future__ import annotations

from claimdesk.errors import Conflict, NotFound, ValidationFailed


class UnknownQueue(NotFound):
    code = "unknown_queue"
    message_zh = "没有这个待办队列"
    message_en = "There is no such work queue"

    def __init__(self, *, field: str | None = None) -> None:
        super().__init__(what="queue", field=field)


class SearchTooShort(ValidationFailed):
    code = "search_too_short"
    message_zh = "搜索内容：请输入姓名，或报案号、保单号中至少 {minimum} 位连续字符，或身份证号"
    message_en = (
        "Search: type a name, at least {minimum} characters in a row of a report or policy "
        "number, or an ID number"
    )


class AssigneeNotFound(ValidationFailed):
    code = "assignee_not_found"
    message_zh = "指派给：所选人员不是在职的理赔专员或查勘员"
    message_en = "Assign to: the person chosen is not an active claims handler or surveyor"


class ClaimNotAssignable(Conflict):
    code = "claim_not_assignable"
    message_zh = "案件 {number} 当前状态为“{state}”，不能这样指派（查勘只能指派给已受理的案件，经办人只能指派给未结的案件，反欺诈调查员只能指派给挂起的案件）；本次没有指派任何案件"
    message_en = (
        "Claim {number} is {state}: it cannot be assigned so (a survey only once accepted, "
        "a handler only while open, an investigator only while held); no claim was assigned"
    )
