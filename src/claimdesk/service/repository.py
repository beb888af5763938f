"""Queries of the service desk with the row-level rule (SEC-4): desk staff and system
jobs see every record; anyone else (a customer) only the records of their own person."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.models.policy import PolicyChange
from claimdesk.models.service import Complaint, ComplaintNote, SatisfactionSurvey, ServiceRecord

T = TypeVar("T", bound=Any)


def _scoped(query: Select[T], model: Any, actor: Principal) -> Select[T]:
    if actor.session_kind == "system" or actor.has(Permission.SERVICE_DESK):
        return query
    if actor.person_id is None:
        return query.where(model.id.is_(None))
    return query.where(model.person_id == actor.person_id)


def get_service_record(session: Session, actor: Principal, record_id: int) -> ServiceRecord | None:
    query = select(ServiceRecord).where(ServiceRecord.id == record_id)
    return session.scalars(_scoped(query, ServiceRecord, actor)).first()


def service_records_query(
    actor: Principal, *, status: str | None = None, person_id: int | None = None
) -> Select[ServiceRecord]:
    """The caller's service records, newest first: paged by claimdesk.paging."""
    query = select(ServiceRecord).order_by(
        ServiceRecord.received_at.desc(), ServiceRecord.id.desc()
    )
    if status is not None:
        query = query.where(ServiceRecord.status == status)
    if person_id is not None:
        query = query.where(ServiceRecord.person_id == person_id)
    return _scoped(query, ServiceRecord, actor)


def list_service_records(
    session: Session,
    actor: Principal,
    *,
    status: str | None = None,
    person_id: int | None = None,
    limit: int = 200,
) -> list[ServiceRecord]:
    query = service_records_query(actor, status=status, person_id=person_id)
    return list(session.scalars(query.limit(limit)))


def get_complaint(
    session: Session, actor: Principal, complaint_id: int, *, for_update: bool = False
) -> Complaint | None:
    query = _scoped(select(Complaint).where(Complaint.id == complaint_id), Complaint, actor)
    if for_update:
        # Two agents deciding or extending the same complaint serialise on the row.
        query = query.with_for_update()
    return session.scalars(query).first()


def complaints_query(actor: Principal, *, status: str | None = None) -> Select[Complaint]:
    """The caller's complaints, newest first: paged by claimdesk.paging."""
    query = select(Complaint).order_by(Complaint.received_at.desc(), Complaint.id.desc())
    if status is not None:
        query = query.where(Complaint.status == status)
    return _scoped(query, Complaint, actor)


def list_complaints(
    session: Session, actor: Principal, *, status: str | None = None, limit: int = 200
) -> list[Complaint]:
    return list(session.scalars(complaints_query(actor, status=status).limit(limit)))


def open_complaints(session: Session, *, limit: int = 100) -> list[Complaint]:
    """Complaints not yet decided, for the service desk's part of the workbench."""
    query = select(Complaint).where(
        Complaint.status.not_in(("decided", "accepted", "escalated", "archived"))
    )
    return list(session.scalars(query.limit(limit)))


# A policy change still being worked (POL-2: request → review → approval → done).
OPEN_CHANGE_STATES = ("requested", "reviewed", "approved")


def open_desk_records(session: Session, *, limit: int = 100) -> list[ServiceRecord]:
    """Contacts still waiting on the desk, oldest first: consultations not yet answered
    (SVC-4) and policy service requests whose change is still open (POL-2)."""
    open_changes = select(PolicyChange.id).where(PolicyChange.status.in_(OPEN_CHANGE_STATES))
    query = (
        select(ServiceRecord)
        .where(
            ServiceRecord.status == "open",
            or_(
                ServiceRecord.service_type == "consultation",
                ServiceRecord.policy_change_id.in_(open_changes),
            ),
        )
        .order_by(ServiceRecord.received_at, ServiceRecord.id)
    )
    return list(session.scalars(query.limit(limit)))


def notes_of(session: Session, complaint_id: int) -> list[ComplaintNote]:
    query = select(ComplaintNote).where(ComplaintNote.complaint_id == complaint_id)
    return list(session.scalars(query.order_by(ComplaintNote.id)))


def survey_exists(session: Session, subject_type: str, subject_id: int, source: str) -> bool:
    query = select(SatisfactionSurvey.id).where(
        SatisfactionSurvey.subject_type == subject_type,
        SatisfactionSurvey.subject_id == subject_id,
        SatisfactionSurvey.source == source,
    )
    return session.scalars(query).first() is not None


def list_surveys(
    session: Session, actor: Principal, *, limit: int = 200
) -> list[SatisfactionSurvey]:
    query = select(SatisfactionSurvey).order_by(SatisfactionSurvey.surveyed_at.desc())
    return list(session.scalars(_scoped(query, SatisfactionSurvey, actor).limit(limit)))


def claim_rated(session: Session, claim_id: int) -> bool:
    """Whether the customer has rated this claim already (one rating per paid claim)."""
    found = session.scalars(
        select(SatisfactionSurvey.id).where(
            SatisfactionSurvey.subject_type == "claim",
            SatisfactionSurvey.subject_id == claim_id,
        )
    ).first()
    return found is not None
