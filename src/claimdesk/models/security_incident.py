"""Security incidents (SEC-7, standards 9.3): report → contain → root cause →
corrective actions → review, each stage inside the time limit the administrator set
for the incident's severity."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from claimdesk.models.base import Base, TimestampMixin
from claimdesk.models.states import SecurityIncidentState, StateType


class SecurityIncidentSequence(Base):
    """Per-day counter of incident numbers (SI + yyyymmdd + 4 digits): SQLite's; on
    PostgreSQL the day's sequence is used instead (db.next_daily_value)."""

    __tablename__ = "security_incident_sequences"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class SecurityIncident(TimestampMixin, Base):
    __tablename__ = "security_incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    # Who reported it: the user, and their name as it was then (accounts get renamed).
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    reporter_name: Mapped[str] = mapped_column(String(100))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    # What happened.
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    # low | medium | high | critical
    severity: Mapped[str] = mapped_column(String(12))
    # reported | contained | root_caused | corrected | reviewed
    state: Mapped[SecurityIncidentState] = mapped_column(
        StateType(SecurityIncidentState, 16), default=SecurityIncidentState.REPORTED
    )
    affected_systems: Mapped[str] = mapped_column(Text)
    affected_data: Mapped[str | None] = mapped_column(Text)
    # Personal information involved (PIPL art. 57: the authority and the people concerned
    # must be told); shown on every list so it is never overlooked.
    personal_data_involved: Mapped[bool] = mapped_column(Boolean, default=False)
    detected_at: Mapped[dt.datetime]
    reported_at: Mapped[dt.datetime]
    contained_at: Mapped[dt.datetime | None]
    root_caused_at: Mapped[dt.datetime | None]
    root_cause: Mapped[str | None] = mapped_column(Text)
    # software_defect | misconfiguration | human_error | malicious_attack | third_party
    # | physical | other
    root_cause_category: Mapped[str | None] = mapped_column(String(24))
    root_cause_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    corrected_at: Mapped[dt.datetime | None]
    reviewed_at: Mapped[dt.datetime | None]
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # effective (closes it) | ineffective (back to corrective actions)
    review_outcome: Mapped[str | None] = mapped_column(String(16))
    review_notes: Mapped[str | None] = mapped_column(Text)


Index("ix_security_incidents_state", SecurityIncident.state, SecurityIncident.reported_at)


class SecurityIncidentContainmentAction(TimestampMixin, Base):
    """One containment step (isolate, repair, restore): what, who did it, when."""

    __tablename__ = "security_incident_containment_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("security_incidents.id", ondelete="CASCADE"), index=True
    )
    # isolate | repair | restore
    kind: Mapped[str] = mapped_column(String(12))
    description: Mapped[str] = mapped_column(Text)
    # Free text: the work is often done by a vendor or an operator without an account.
    performed_by: Mapped[str] = mapped_column(String(100))
    performed_at: Mapped[dt.datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SecurityIncidentCorrectiveAction(TimestampMixin, Base):
    """One corrective action with the person answerable for it and its due date."""

    __tablename__ = "security_incident_corrective_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("security_incidents.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[dt.date] = mapped_column(Date)
    done_at: Mapped[dt.datetime | None]
    done_note: Mapped[str | None] = mapped_column(Text)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SecurityIncidentTransition(Base):
    """Every move of the incident's state (the page's history; the audit trail has it too)."""

    __tablename__ = "security_incident_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("security_incidents.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)


class SecurityIncidentTimeLimit(Base):
    """The administrator's limit for one stage of incidents of one severity. A missing
    row means the default in security.limits applies."""

    __tablename__ = "security_incident_time_limits"
    __table_args__ = (UniqueConstraint("severity", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    severity: Mapped[str] = mapped_column(String(12))
    # report | contain | root_cause | correct | review
    stage: Mapped[str] = mapped_column(String(16))
    # hours | working_days | days (claimdesk.rules.deadlines)
    rule_type: Mapped[str] = mapped_column(String(16))
    rule_n: Mapped[int] = mapped_column(Integer)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime]
