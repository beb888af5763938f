"""The states of every entity with a life (GEN-5), as ``StrEnum``s.

Each enum's members are the exact strings stored in the entity's existing VARCHAR
column, so typing a model with one needs no schema change: :class:`StateType` stores
the member's value and gives the member back on load. The tables of allowed moves are
in ``claimdesk.lifecycle`` (pure: ``claimdesk.rules.transitions``); this module
imports nothing of the app so that models, rules and services can all use it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

E = TypeVar("E", bound=StrEnum)


class StateType(TypeDecorator[E], Generic[E]):
    """A ``StrEnum`` in a plain VARCHAR column (no CHECK constraint, no native enum):
    the migrations and the stored values stay as they were."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        # Plain strings are accepted (queries compare with literals); unknown ones fail.
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)

    @property
    def python_type(self) -> type[E]:
        return self.enum


class ClaimState(StrEnum):
    """SPEC section 3 (claims.workflow holds the table of actions)."""

    REPORTED = "reported"
    AWAITING_MATERIALS = "awaiting_materials"
    ACCEPTED = "accepted"
    SURVEYED = "surveyed"
    ASSESSED = "assessed"
    ADJUSTED = "adjusted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"
    DECIDED = "decided"
    CLOSED = "closed"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    REOPENED = "reopened"


class PolicyState(StrEnum):
    """POL-3: a policy is in force until terminated (expiry is derived from dates)."""

    IN_FORCE = "in_force"
    TERMINATED = "terminated"


class PolicyChangeState(StrEnum):
    """POL-2 / POL-3: request → review → approval → done (or rejected)."""

    REQUESTED = "requested"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    DONE = "done"
    REJECTED = "rejected"


class PolicyDisputeState(StrEnum):
    """POL-5: negotiation, or arbitration / court, then performance."""

    APPLIED = "applied"
    NEGOTIATING = "negotiating"
    AGREED = "agreed"
    ARBITRATION = "arbitration"
    COURT = "court"
    DECIDED = "decided"
    CLOSED = "closed"


class ServiceRecordState(StrEnum):
    """SVC-1 / SVC-2: a consultation or service request."""

    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


class ComplaintState(StrEnum):
    """SVC-3: acknowledged, decided, then the complainant accepts or escalates."""

    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    DECIDED = "decided"
    ACCEPTED = "accepted"
    ESCALATED = "escalated"
    ARCHIVED = "archived"


class PaymentState(StrEnum):
    """CLM-P5: exported in a bank file, answered paid or failed (a failure is re-sent);
    CLM-P3: a cash/offline payment goes from pending to paid when handed over, or to
    cancelled when the hand-over does not happen (a new payment may then be requested)."""

    PENDING = "pending"
    EXPORTED = "exported"
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"


class PaymentBatchState(StrEnum):
    EXPORTED = "exported"
    CONFIRMED = "confirmed"


class SecurityIncidentState(StrEnum):
    """SEC-7 (security.workflow holds the table of actions)."""

    REPORTED = "reported"
    CONTAINED = "contained"
    ROOT_CAUSED = "root_caused"
    CORRECTED = "corrected"
    REVIEWED = "reviewed"


class ClaimDisputeState(StrEnum):
    """CLM-Z3: answered by the named person, then the path for its size, then resolved."""

    OPEN = "open"
    ANSWERED = "answered"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"


class MassEventState(StrEnum):
    """CLM-Z2: the green channel is open while the event is active."""

    ACTIVE = "active"
    CLOSED = "closed"


class ProductVersionState(StrEnum):
    """PRD-2: a draft is published; the version it replaces is retired."""

    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class ReviewRoundState(StrEnum):
    """CLM-V*: a round of review is decided once."""

    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"


class SalesAgentState(StrEnum):
    """SAL-2: an agent may be suspended and reinstated."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


class ImprovementActionState(StrEnum):
    """SAL-3: an improvement action from an evaluation is open until done."""

    OPEN = "open"
    DONE = "done"


class FraudFlagState(StrEnum):
    """CLM-F1: a flag is investigated once: cleared or confirmed."""

    OPEN = "open"
    CLEARED = "cleared"
    CONFIRMED = "confirmed"


class CallbackState(StrEnum):
    """CLM-X2: a callback is made once."""

    OPEN = "open"
    DONE = "done"


class ClockClosedReason(StrEnum):
    """Why a deadline clock stopped (``clocks.closed_reason``; NULL while it runs).

    Only a ``completed`` clock — its governed step was done — is met or missed by the
    time it stopped; a clock closed for another reason before its deadline governed
    nothing to the end and no scorecard counts it as met (GEN-7). One closed for another
    reason after its deadline had already missed it, and counts as missed."""

    # The governed step was done (contact made, report submitted, decision taken ...).
    COMPLETED = "completed"
    # CLM-S1: the surveyor was reassigned; the new surveyor's limit runs on its own clock.
    REASSIGNED = "reassigned"
    # The record ended without the step (a claim withdrawn or closed, a survey skipped
    # after an assignment): nothing is owed any more.
    CANCELLED = "cancelled"
