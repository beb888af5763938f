"""Customer service desk (SVC-1..SVC-5): contacts, complaints, satisfaction surveys."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from claimdesk.crypto.types import EncryptedString
from claimdesk.models.base import Base, TimestampMixin
from claimdesk.models.states import ComplaintState, ServiceRecordState, StateType


class ServiceDeskSupervisor(TimestampMixin, Base):
    """Who is told when a service deadline of a branch is breached (SVC-3, SVC-4)."""

    __tablename__ = "service_desk_supervisors"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class ServiceRecord(TimestampMixin, Base):
    """One customer contact (SVC-1 type, SVC-2 channel)."""

    __tablename__ = "service_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_type: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(12))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"), index=True)
    # Plain integer: the claims table is created by another migration branch.
    claim_id: Mapped[int | None] = mapped_column(Integer, index=True)
    agent_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    subject: Mapped[str] = mapped_column(String(200))
    request: Mapped[str | None] = mapped_column(Text)
    # open | answered | closed
    status: Mapped[ServiceRecordState] = mapped_column(
        StateType(ServiceRecordState, 12), default=ServiceRecordState.OPEN
    )
    outcome: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[dt.datetime]
    answered_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    # A policy service request (POL-2/3/4) links to the operation it started.
    policy_change_id: Mapped[int | None] = mapped_column(ForeignKey("policy_changes.id"))
    renewed_policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))


Index("ix_service_records_received", ServiceRecord.org_unit_id, ServiceRecord.received_at)


class ComplaintSequence(Base):
    """Per-day counter of complaint numbers (TS + yyyymmdd + 6 digits): SQLite's; on
    PostgreSQL the day's sequence is used instead (db.next_daily_value)."""

    __tablename__ = "complaint_sequences"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Complaint(TimestampMixin, Base):
    """A complaint (SVC-3): acknowledged in 24 h, decided by the earlier of 15 working
    days and 15 days, extendable once to 30 days with a reason and a notice."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What staff and the customer call it (migration 0060): TS + the local date it was
    # received + 6 digits, e.g. TS20261207000012 (service.service.next_complaint_number).
    number: Mapped[str] = mapped_column(String(20), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # How to reach the complainant (phone or address): personal data, encrypted.
    contact: Mapped[str] = mapped_column(EncryptedString("complaints.contact"))
    channel: Mapped[str] = mapped_column(String(12))
    complaint_type: Mapped[str] = mapped_column(String(24))
    cause: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    service_record_id: Mapped[int | None] = mapped_column(ForeignKey("service_records.id"))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))
    claim_id: Mapped[int | None] = mapped_column(Integer, index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    # The named person answerable for it (CLM-Z3 for claim complaints).
    handler_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # received | acknowledged | decided | accepted | escalated | archived
    status: Mapped[ComplaintState] = mapped_column(
        StateType(ComplaintState, 12), default=ComplaintState.RECEIVED
    )
    received_at: Mapped[dt.datetime]
    acknowledged_at: Mapped[dt.datetime | None]
    progress_note: Mapped[str | None] = mapped_column(Text)
    # The two candidate deadlines and the rule that won (GEN-4: show which rule).
    working_days_due_at: Mapped[dt.datetime]
    days_due_at: Mapped[dt.datetime]
    decision_rule_type: Mapped[str] = mapped_column(String(16))
    decision_rule_n: Mapped[int] = mapped_column(Integer)
    decision_due_at: Mapped[dt.datetime]
    extended_at: Mapped[dt.datetime | None]
    extension_reason: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(Text)
    # upheld | partially_upheld | rejected
    decision_outcome: Mapped[str | None] = mapped_column(String(20))
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # accepted | escalated
    customer_response: Mapped[str | None] = mapped_column(String(12))
    # mediation | regulator | arbitration | court
    escalation_route: Mapped[str | None] = mapped_column(String(16))
    responded_at: Mapped[dt.datetime | None]
    archived_at: Mapped[dt.datetime | None]


Index("ix_complaints_received", Complaint.org_unit_id, Complaint.received_at)


class ComplaintNote(TimestampMixin, Base):
    """Investigation notes, append-only."""

    __tablename__ = "complaint_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text)


class SatisfactionSurvey(TimestampMixin, Base):
    """Satisfaction with one service, claim or callback (SVC-5), scores 1..5."""

    __tablename__ = "satisfaction_surveys"
    __table_args__ = (UniqueConstraint("subject_type", "subject_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # service_record | claim | callback
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    # The service type it rates (a ServiceRecord's type, or "claims").
    service_type: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    # survey | phone_interview | online_rating | third_party
    source: Mapped[str] = mapped_column(String(16))
    score_speed: Mapped[int] = mapped_column(SmallInteger)
    score_attitude: Mapped[int] = mapped_column(SmallInteger)
    score_result: Mapped[int] = mapped_column(SmallInteger)
    score_process: Mapped[int] = mapped_column(SmallInteger)
    # Not every service has value-added services to rate.
    score_value_added: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    surveyed_at: Mapped[dt.datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
