"""Request and response bodies of the service desk API. Closed lists are checked by the
service (UnknownCode names the field and the allowed values), so they are plain strings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from claimdesk.clocks.schemas import ClockOut
from claimdesk.policies.schemas import ChangeIn


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServiceRecordIn(_In):
    service_type: str = Field(max_length=32)
    channel: str = Field(max_length=12)
    person_id: int | None = None
    subject: str = Field(min_length=1, max_length=200)
    request: str | None = Field(default=None, max_length=4000)
    policy_id: int | None = None
    claim_id: int | None = None
    received_at: dt.datetime | None = None


class PolicyServiceRequestIn(_In):
    """A policy service request made at the desk or in the portal (SVC-1, POL-2..POL-4)."""

    kind: Literal["change", "termination", "renewal"]
    policy_id: int
    channel: str = Field(max_length=12)
    person_id: int | None = None
    # For change/termination: what the policies domain needs (description, effective
    # date, the customer's consent, new beneficiaries or the initiator).
    change: ChangeIn | None = None
    received_at: dt.datetime | None = None


class OutcomeIn(_In):
    outcome: str = Field(min_length=1, max_length=4000)
    at: dt.datetime | None = None


class ServiceRecordOut(BaseModel):
    id: int
    service_type: str
    channel: str
    person_id: int
    policy_id: int | None
    claim_id: int | None
    agent_user_id: int | None
    subject: str
    status: str
    outcome: str | None
    received_at: dt.datetime
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    # The policy operation a policy service request started (POL-2..POL-4).
    policy_change_id: int | None = None
    renewed_policy_id: int | None = None
    # GEN-4 / SVC-4: a consultation's 2-hour answer clock (due time, rule, basis, state).
    answer_due_at: dt.datetime | None = None
    clocks: list[ClockOut] = Field(default_factory=list)

    model_config = ConfigDict(from_attributes=True)


class ComplaintIn(_In):
    # A complaint's description is what happened, as the forms ask for it (GEN-6).
    field_context: ClassVar[str] = "complaint"

    person_id: int | None = None
    contact: str | None = Field(default=None, max_length=200)
    channel: str = Field(max_length=12)
    complaint_type: str = Field(max_length=24)
    cause: str = Field(max_length=32)
    description: str = Field(min_length=1, max_length=8000)
    service_record_id: int | None = None
    policy_id: int | None = None
    claim_id: int | None = None
    handler_user_id: int | None = None
    received_at: dt.datetime | None = None


class AcknowledgeIn(_In):
    progress_note: str = Field(min_length=1, max_length=4000)
    at: dt.datetime | None = None


class NoteIn(_In):
    note: str = Field(min_length=1, max_length=8000)


class ExtendIn(_In):
    reason: str | None = Field(default=None, max_length=2000)
    at: dt.datetime | None = None


class DecideIn(_In):
    outcome: str = Field(max_length=20)
    decision: str = Field(min_length=1, max_length=8000)
    extension_reason: str | None = Field(default=None, max_length=2000)
    at: dt.datetime | None = None


class RespondIn(_In):
    response: str = Field(max_length=12)
    route: str | None = Field(default=None, max_length=16)


class ComplaintOut(BaseModel):
    """The contact is personal data and is not echoed back in lists."""

    id: int
    # The complaint's readable reference (TS + yyyymmdd + 6 digits), as staff and the
    # customer see it; ``id`` stays the key of the API's addresses.
    number: str
    person_id: int
    channel: str
    complaint_type: str
    cause: str
    status: str
    claim_id: int | None
    policy_id: int | None
    handler_user_id: int | None
    received_at: dt.datetime
    acknowledged_at: dt.datetime | None
    working_days_due_at: dt.datetime
    days_due_at: dt.datetime
    # Which rule made the binding deadline (GEN-4): "days:15", "working_days:15", "days:30".
    decision_rule: str
    decision_due_at: dt.datetime
    extended_at: dt.datetime | None
    extension_reason: str | None
    decision_outcome: str | None
    decision: str | None
    decided_at: dt.datetime | None
    customer_response: str | None
    escalation_route: str | None
    archived_at: dt.datetime | None
    # GEN-4 / SVC-3: the 24-hour acknowledgement and every other clock of the complaint,
    # each with its due time, the rule that made it, its basis and its state.
    acknowledgement_due_at: dt.datetime | None = None
    clocks: list[ClockOut] = Field(default_factory=list)


class SurveyIn(_In):
    subject_type: str = Field(max_length=20)
    subject_id: int
    source: str = Field(max_length=16)
    score_speed: int
    score_attitude: int
    score_result: int
    score_process: int
    score_value_added: int | None = None
    comment: str | None = Field(default=None, max_length=4000)
    surveyed_at: dt.datetime | None = None


class SurveyOut(BaseModel):
    id: int
    subject_type: str
    subject_id: int
    service_type: str
    source: str
    score_speed: int
    score_attitude: int
    score_result: int
    score_process: int
    score_value_added: int | None
    surveyed_at: dt.datetime

    model_config = ConfigDict(from_attributes=True)


class MonthCountOut(BaseModel):
    month: str
    count: int
    change: int | None


class ComplaintsReportOut(BaseModel):
    total: int
    by_cause: dict[str, int]
    by_type: dict[str, int]
    by_channel: dict[str, int]
    by_month: list[MonthCountOut]


class SatisfactionRowOut(BaseModel):
    service_type: str
    surveys: int
    averages: dict[str, Decimal | None]


class DeadlineRowOut(BaseModel):
    name: str
    branch: str | None
    month: str
    governed: int
    met: int
    missed: int
    pending: int
    # No "ended early" count: no service-desk clock closes before its step (a complaint's
    # clocks are the company's, not its handler's, and nothing withdraws a complaint or
    # a consultation; service.service, "Service clocks end only by their step").
    share_met: Decimal | None
