"""Claims special cases (SPEC CLM-Z1..Z3): remote claims, mass events, claim disputes.

Claims and their foundation tables are not changed: each special case is its own row
linked to the claim (one remote designation, one event link, any number of disputes).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from claimdesk.models.base import Base, TimestampMixin
from claimdesk.models.states import ClaimDisputeState, MassEventState, StateType


class MassEvent(TimestampMixin, Base):
    """群体性理赔 (CLM-Z2): an earthquake, flood or accident grouping many claims."""

    __tablename__ = "mass_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # earthquake | flood | typhoon | fire | accident | other
    event_type: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    # active | closed
    status: Mapped[MassEventState] = mapped_column(
        StateType(MassEventState, 12), default=MassEventState.ACTIVE
    )
    # Green channel: these checklist items may come later ("deferred", not missing) ...
    deferrable_materials: Mapped[list[str]] = mapped_column(JSON, default=list)
    # ... and losses up to this amount are paid first.
    small_loss_amount: Mapped[Decimal] = mapped_column(default=Decimal("10000.00"))
    # The public guide (what to do, which materials, where to go), in both languages.
    guide_zh: Mapped[str] = mapped_column(Text)
    guide_en: Mapped[str] = mapped_column(Text)
    hotline: Mapped[str | None] = mapped_column(String(40))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime | None]


class MassEventMember(Base):
    """The event's special team (专项小组)."""

    __tablename__ = "mass_event_members"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("mass_events.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    duty: Mapped[str | None] = mapped_column(String(100))
    added_at: Mapped[dt.datetime]


class MassEventClaim(Base):
    """A claim grouped under an event (a claim belongs to at most one event)."""

    __tablename__ = "mass_event_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("mass_events.id"), index=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), unique=True)
    # Decided at linking from the estimate: a small loss is paid first.
    small_loss: Mapped[bool] = mapped_column(default=False)
    linked_at: Mapped[dt.datetime]
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class MaterialDeferral(Base):
    """A checklist item the green channel lets come later (CLM-Z2); completed_at is set
    when it arrives."""

    __tablename__ = "claim_material_deferrals"
    __table_args__ = (UniqueConstraint("claim_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[int] = mapped_column(ForeignKey("mass_events.id"))
    deferred_at: Mapped[dt.datetime]
    completed_at: Mapped[dt.datetime | None]


class RemoteClaim(Base):
    """全国通赔 (CLM-Z1): reported at a local branch for a policy of another unit. The
    local branch surveys and assesses; head office adjusts and reviews."""

    __tablename__ = "claim_remote"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), unique=True)
    local_org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    policy_org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    head_office_org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    designated_at: Mapped[dt.datetime]
    designated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class MaterialMailing(Base):
    """Materials mailed with the case number (CLM-Z1): the tracking number is recorded
    when sent and the receipt when the parcel arrives."""

    __tablename__ = "claim_material_mailings"
    __table_args__ = (UniqueConstraint("carrier", "tracking_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    carrier: Mapped[str] = mapped_column(String(40))
    tracking_number: Mapped[str] = mapped_column(String(64))
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    sent_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[dt.datetime | None]
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ClaimDispute(TimestampMixin, Base):
    """A customer's dispute about a claim (CLM-Z3): answered within 2 hours by a named
    person; small → re-review or negotiation; large → mediation, arbitration or court."""

    __tablename__ = "claim_disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    # The service desk's complaint this dispute came from, if any (no duplicate record).
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    description: Mapped[str] = mapped_column(Text)
    disputed_amount: Mapped[Decimal]
    # small | large, from the configured threshold at filing
    size: Mapped[str] = mapped_column(String(8))
    # The named person who must answer within 2 hours.
    responder_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[dt.datetime]
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None]
    answer: Mapped[str | None] = mapped_column(Text)
    # re_review | negotiation | association_mediation | regulator_mediation | arbitration | court
    path: Mapped[str | None] = mapped_column(String(24))
    # open | answered | in_progress | resolved
    status: Mapped[ClaimDisputeState] = mapped_column(
        StateType(ClaimDisputeState, 12), default=ClaimDisputeState.OPEN
    )
    # upheld | partly_upheld | dismissed | settled | withdrawn
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_amount: Mapped[Decimal | None]
    outcome_note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[dt.datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


Index("ix_claim_disputes_received", ClaimDispute.org_unit_id, ClaimDispute.received_at)


class ClaimDisputeStep(Base):
    """One step of a dispute's escalation path (the history, in order)."""

    __tablename__ = "claim_dispute_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("claim_disputes.id"), index=True)
    path: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
