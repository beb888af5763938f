"""Deadline clocks (GEN-4): one per time limit that governs a record."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claimdesk.models.base import Base, TimestampMixin
from claimdesk.models.states import ClockClosedReason, StateType


class Clock(TimestampMixin, Base):
    __tablename__ = "clocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What it governs: ("claim", "42"), ("complaint", "7"), ("policy_change", "3") ...
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64))
    # Stable name of the time limit, e.g. "claim.report_entry", "complaint.decision".
    name: Mapped[str] = mapped_column(String(64))
    # The rule that made the deadline: hours | working_days | days, and n.
    rule_type: Mapped[str] = mapped_column(String(16))
    rule_n: Mapped[int] = mapped_column(Integer)
    # Where the rule comes from (law or standard), shown beside the deadline.
    basis: Mapped[str | None] = mapped_column(Text)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    started_at: Mapped[dt.datetime]
    due_at: Mapped[dt.datetime]
    # due_at was counted over a year whose arrangement is not loaded (GEN-3): shown as
    # provisional; recomputed with due_at when the year is loaded or corrected.
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    paused_at: Mapped[dt.datetime | None]
    stopped_at: Mapped[dt.datetime | None]
    # Why it stopped (NULL while running): only a completed clock is met or missed by
    # its stop; a reassigned or cancelled one closed in time is counted by no scorecard
    # as met (clocks.service.clock_outcome, migration 0057).
    closed_reason: Mapped[ClockClosedReason | None] = mapped_column(
        StateType(ClockClosedReason, 16)
    )
    # Set by the breach job from due_at; never by hand.
    breached_at: Mapped[dt.datetime | None]
    escalated_at: Mapped[dt.datetime | None]

    pauses: Mapped[list[ClockPause]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ClockPause.id"
    )


Index("ix_clocks_subject", Clock.subject_type, Clock.subject_id)
Index("ix_clocks_open_due", Clock.stopped_at, Clock.due_at)


class ClockPause(Base):
    __tablename__ = "clock_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    clock_id: Mapped[int] = mapped_column(ForeignKey("clocks.id", ondelete="CASCADE"), index=True)
    paused_at: Mapped[dt.datetime]
    resumed_at: Mapped[dt.datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
