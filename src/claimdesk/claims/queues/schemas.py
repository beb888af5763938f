"""API shapes of the work queues, the claim search and the bulk assignment."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class QueueKey(StrEnum):
    # The role's claims by stage (the queue the workbench always had).
    WORK = "work"
    # CLM-X2: callbacks due after a payment, a rejection or a decision notice.
    CALLBACKS = "callbacks"
    # CLM-X1: paid, rejected or decided claims whose callbacks are done.
    CLOSING = "closing"
    # CLM-A4: reported claims with materials missing and no one-time notice yet.
    NOTICES = "notices"
    # CLM-A5: received materials not yet reviewed against the contract.
    MATERIALS = "materials"
    # CLM-V4 (art. 25): the 60-day advance clock running out.
    ADVANCES = "advances"


class QueueOut(BaseModel):
    """One queue the caller works, with how many items wait in it."""

    key: QueueKey
    title: str
    count: int


class QueueItem(BaseModel):
    claim_id: int
    number: str
    state: str
    line: str
    claimant_name: str
    is_major: bool
    # The deadline that orders the queue (None: no running deadline).
    due_at: dt.datetime | None = None
    # Waiting since (the closing queue has no deadline: oldest first).
    since: dt.datetime | None = None
    # The task within the claim, where the queue holds tasks (a callback).
    task_id: int | None = None
    task_kind: str | None = None
    handler_id: int | None = None
    surveyor_id: int | None = None
    # A held claim's fraud investigator (CLM-F1, CLM-F2): None while nobody has it.
    investigator_id: int | None = None
    investigator_name: str | None = None
    # CLM-R2: the date of loss is outside the policy's period (the claim's intake flag
    # loss_outside_policy_period), read with the row.
    loss_outside_period: bool = False
    # POL-3: the day the policy's termination took effect, when it (not the period) left
    # the loss uncovered — the loss on or after it; None otherwise.
    policy_terminated_on: dt.date | None = None


class AssignIn(BaseModel):
    """A supervisor gives several claims at once to one handler, one surveyor or one
    fraud investigator (held claims only)."""

    model_config = ConfigDict(extra="forbid")

    claim_ids: Annotated[
        list[Annotated[int, Field(gt=0, lt=2**31)]], Field(min_length=1, max_length=200)
    ]
    role: Literal["claims_handler", "surveyor", "fraud_investigator"]
    user_id: Annotated[int, Field(gt=0, lt=2**31)]
    reason: Annotated[str, Field(max_length=2000)] | None = None


class AssignedOut(BaseModel):
    claim_id: int
    number: str
    role: str
    user_id: int


class AssignOut(BaseModel):
    assigned: list[AssignedOut]


class Assignee(BaseModel):
    user_id: int
    name: str
    role: str
