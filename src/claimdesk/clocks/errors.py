"""Business conditions of deadline clocks."""

from __future__ import annotations

from claimdesk.errors import Conflict, ValidationFailed


class ClockAlreadyPaused(Conflict):
    code = "clock_already_paused"
    message_zh = "时限“{name}”已暂停"
    message_en = "The time limit '{name}' is already paused"


class ClockNotPaused(Conflict):
    code = "clock_not_paused"
    message_zh = "时限“{name}”未暂停，无法恢复"
    message_en = "The time limit '{name}' is not paused, so it cannot resume"


class ClockStopped(Conflict):
    code = "clock_stopped"
    message_zh = "时限“{name}”已结束"
    message_en = "The time limit '{name}' has already stopped"


class ClockTimeOutOfOrder(ValidationFailed):
    code = "clock_time_out_of_order"
    message_zh = "{field}：不能早于 {earliest_zh}"
    message_en = "{field}: may not be earlier than {earliest_en}"


class ClockDeadlinePassed(Conflict):
    code = "clock_deadline_passed"
    message_zh = "时限“{name}”已于 {due} 届满，不能再延长"
    message_en = "The time limit '{name}' already ran out at {due}; it can no longer be extended"
