"""The special cases' request and response bodies (CLM-Z1..Z3): mass events, remote
claims and their mailed materials, disputes. Read by the API routes and the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Amount = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]
Text = Annotated[str, Field(min_length=1, max_length=4000)]
Code = Annotated[str, Field(min_length=1, max_length=40)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventIn(_In):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    event_type: Literal["earthquake", "flood", "typhoon", "fire", "accident", "other"]
    region: Annotated[str, Field(min_length=1, max_length=200)]
    starts_on: dt.date
    ends_on: dt.date | None = None
    deferrable_materials: list[Code] = Field(default_factory=list, max_length=30)
    small_loss_amount: Amount = Decimal("10000.00")
    guide_zh: Text
    guide_en: Text
    hotline: Annotated[str, Field(max_length=40)] | None = None


class EventOut(BaseModel):
    id: int
    name: str
    event_type: str
    region: str
    starts_on: dt.date
    ends_on: dt.date | None
    status: str
    deferrable_materials: list[str]
    small_loss_amount: Decimal
    hotline: str | None
    team: list[dict[str, Any]] = Field(default_factory=list)
    claims: list[dict[str, Any]] = Field(default_factory=list)


class MemberIn(_In):
    user_id: int
    duty: Annotated[str, Field(max_length=100)] | None = None


class CloseIn(_In):
    reason: Text


class LinkIn(_In):
    event_id: int


class RemoteIn(_In):
    local_org_unit_id: int


class RemoteOut(BaseModel):
    claim_id: int
    local_org_unit_id: int
    policy_org_unit_id: int | None
    head_office_org_unit_id: int
    designated_at: dt.datetime
    mailings: list[dict[str, Any]] = Field(default_factory=list)


class MailingIn(_In):
    carrier: Annotated[str, Field(min_length=1, max_length=40)]
    tracking_number: Annotated[str, Field(min_length=4, max_length=64, pattern=r"^[A-Za-z0-9-]+$")]
    items: list[Code] = Field(min_length=1, max_length=30)
    sent_on: dt.date


class DisputeIn(_In):
    description: Text
    disputed_amount: Amount
    responder_id: int | None = None
    complaint_id: int | None = None
    received_at: AwareDatetime | None = None


class AnswerIn(_In):
    answer: Text


class EscalateIn(_In):
    path: Literal[
        "re_review",
        "negotiation",
        "association_mediation",
        "regulator_mediation",
        "arbitration",
        "court",
    ]
    note: Text


class ResolveIn(_In):
    outcome: Literal["upheld", "partly_upheld", "dismissed", "settled", "withdrawn"]
    note: Text
    amount: Amount | None = None


class DisputeOut(BaseModel):
    id: int
    claim_id: int
    complaint_id: int | None
    description: str
    disputed_amount: Decimal
    size: str
    responder_id: int
    received_at: dt.datetime
    answered_at: dt.datetime | None
    answer: str | None
    path: str | None
    status: str
    outcome: str | None
    outcome_amount: Decimal | None
    resolved_at: dt.datetime | None
    response_due_at: dt.datetime | None = None
    response_met: bool | None = None
    # GEN-4: the 2-hour answer clock (CLM-Z3) with its rule, basis and state.
    response_clock: dict[str, Any] | None = None
    steps: list[dict[str, Any]] = Field(default_factory=list)
