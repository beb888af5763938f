"""Request and response bodies of the security incident API. Closed lists (severity,
kind, category, outcome, rule type) are checked by the service, which names the field
and the allowed values, so they are plain strings here."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from claimdesk.clocks.schemas import ClockOut


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IncidentIn(_In):
    title: str = Field(max_length=200)
    description: str = Field(max_length=8000)
    severity: str = Field(max_length=12)
    affected_systems: str = Field(max_length=2000)
    affected_data: str | None = Field(default=None, max_length=2000)
    personal_data_involved: bool = False
    # When it was detected (default: now); the report clock runs from here.
    detected_at: dt.datetime | None = None


class ContainmentIn(_In):
    kind: str = Field(max_length=12)
    description: str = Field(max_length=4000)
    # Who did it (default: the person recording it); may be a vendor without an account.
    performed_by: str | None = Field(default=None, max_length=100)
    performed_at: dt.datetime | None = None


class NoteIn(_In):
    note: str | None = Field(default=None, max_length=4000)


class RootCauseIn(_In):
    root_cause: str = Field(max_length=8000)
    category: str = Field(max_length=24)


class CorrectiveIn(_In):
    description: str = Field(max_length=4000)
    owner_id: int
    due_on: dt.date


class ReviewIn(_In):
    outcome: str = Field(max_length=16)
    notes: str = Field(max_length=8000)


class TimeLimitIn(_In):
    rule_type: str = Field(max_length=16)
    n: int


class ContainmentOut(BaseModel):
    id: int
    kind: str
    description: str
    performed_by: str
    performed_at: dt.datetime
    recorded_by_id: int | None

    model_config = ConfigDict(from_attributes=True)


class CorrectiveOut(BaseModel):
    id: int
    description: str
    owner_id: int
    due_on: dt.date
    done_at: dt.datetime | None
    done_note: str | None
    done_by_id: int | None

    model_config = ConfigDict(from_attributes=True)


class TransitionOut(BaseModel):
    action: str
    from_state: str
    to_state: str
    at: dt.datetime
    actor: str
    reason: str | None

    model_config = ConfigDict(from_attributes=True)


class IncidentSummaryOut(BaseModel):
    id: int
    number: str
    title: str
    severity: str
    state: str
    personal_data_involved: bool
    reporter_name: str
    detected_at: dt.datetime
    reported_at: dt.datetime
    # The running stage clock: which limit, due when, breached or not (None once closed).
    current_clock: ClockOut | None = None


class IncidentOut(IncidentSummaryOut):
    reporter_id: int | None
    description: str
    affected_systems: str
    affected_data: str | None
    contained_at: dt.datetime | None
    root_caused_at: dt.datetime | None
    root_cause: str | None
    root_cause_category: str | None
    corrected_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    reviewer_id: int | None
    review_outcome: str | None
    review_notes: str | None
    allowed_actions: list[str]
    containment_actions: list[ContainmentOut]
    corrective_actions: list[CorrectiveOut]
    transitions: list[TransitionOut]
    clocks: list[ClockOut]


class TimeLimitOut(BaseModel):
    severity: str
    stage: str
    rule_type: str
    n: int
    rule_label: str
    is_default: bool
    default_rule_type: str
    default_n: int
    updated_at: dt.datetime | None
    updated_by_id: int | None
