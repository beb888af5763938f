"""Bodies of the sales API (SAL-1..SAL-3). Closed lists are checked by the service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from claimdesk.english_names import EditedEnglishName, EnglishName

# A record's new Chinese name: trimmed, then 1..100 characters (all blanks: refused).
EditedName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChannelIn(_In):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    # The name English pages show (GEN-6); blank or unset: none, they show ``name``.
    name_en: EnglishName = None
    kind: str = Field(max_length=20)
    modes: list[str] = Field(min_length=1, max_length=4)


class ChannelUpdate(_In):
    """A channel edited (PATCH /sales/channels/{id}): what is left out stays; the code is
    the channel's identity and is not edited."""

    # "name" is the channel's name (名称), not a person's (姓名).
    field_context: ClassVar[str] = "named_record"

    name: EditedName | None = None
    # Left out: unchanged; null: removed (the Chinese name shows); blank: refused (GEN-6).
    name_en: EditedEnglishName = None
    kind: str | None = Field(default=None, max_length=20)
    modes: list[str] | None = Field(default=None, min_length=1, max_length=4)
    reason: Reason


class ChannelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    name_en: str | None = None
    kind: str
    modes: str
    active: bool


class OrganisationIn(_In):
    name: str = Field(min_length=1, max_length=100)
    # The name English pages show (GEN-6); blank or unset: none, they show ``name``.
    name_en: EnglishName = None
    channel_id: int
    org_unit_id: int | None = None
    licence_number: str | None = Field(default=None, max_length=40)


class OrganisationUpdate(_In):
    """A sales organisation edited (PATCH /sales/organisations/{id}): what is left out
    stays; ``name_en``, ``org_unit_id`` and ``licence_number`` sent as null are removed.
    Its channel is not edited (its agents and evaluations were made under it)."""

    field_context: ClassVar[str] = "named_record"

    name: EditedName | None = None
    name_en: EditedEnglishName = None
    org_unit_id: int | None = None
    licence_number: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] | None
    ) = None
    reason: Reason


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    name_en: str | None = None
    channel_id: int
    org_unit_id: int | None
    licence_number: str | None


class AgentIn(_In):
    user_id: int
    organisation_id: int
    licence_number: str = Field(min_length=1, max_length=40)
    valid_from: dt.date
    valid_until: dt.date


class AgentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    user_id: int
    organisation_id: int
    licence_number: str
    licence_valid_from: dt.date
    licence_valid_until: dt.date
    status: str


class TrainingIn(_In):
    course: str = Field(min_length=1, max_length=200)
    hours: Decimal = Field(max_digits=5, decimal_places=1)
    completed_on: dt.date
    passed: bool


class AssessmentIn(_In):
    period_start: dt.date
    period_end: dt.date
    results: int
    service_quality: int
    satisfaction: int
    compliance: int
    note: str | None = Field(default=None, max_length=4000)


class ActionIn(_In):
    description: str = Field(min_length=1, max_length=2000)
    due_on: dt.date
    owner_user_id: int | None = None


class FindingIn(_In):
    dimension: str = Field(max_length=20)
    severity: str = Field(max_length=8)
    description: str = Field(min_length=1, max_length=4000)
    actions: list[ActionIn] = Field(default_factory=list, max_length=20)


class EvaluationIn(_In):
    method: str = Field(max_length=20)
    evaluated_on: dt.date
    summary: str = Field(min_length=1, max_length=8000)
    channel_id: int | None = None
    organisation_id: int | None = None
    agent_id: int | None = None
    findings: list[FindingIn] = Field(default_factory=list, max_length=50)


class ActionDoneIn(_In):
    note: str = Field(min_length=1, max_length=4000)


class ActionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    finding_id: int
    description: str
    owner_user_id: int | None
    due_on: dt.date
    status: str
    done_at: dt.datetime | None
