"""Queries of the service desk with the row-level rules (SEC-4).

Service records and surveys: desk staff and system jobs see every record; anyone else (a
customer) only the records of their own person.

Complaints (SVC-3) are assigned: each names its branch (``org_unit_id``), the member of
staff who received it and the named person who answers it (``handler_user_id``, CLM-Z3).
A member of the desk sees the complaints they handle or received, those of their own
branch, and the pool nobody has taken up yet (no branch, no handler: a customer's own
complaint from the portal); the desk supervisor of a branch (``service_desk_supervisors``)
sees every complaint of that branch and of the branches under it, and the head office's
supervisor every complaint. A customer sees their own. System jobs see all. A complaint
outside the caller's rows is "not found" (404), never "forbidden".
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    case,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.models.clock import Clock
from claimdesk.models.org import OrgUnit
from claimdesk.models.policy import PolicyChange
from claimdesk.models.service import (
    Complaint,
    ComplaintNote,
    SatisfactionSurvey,
    ServiceDeskSupervisor,
    ServiceRecord,
)
from claimdesk.models.states import ClockClosedReason
from claimdesk.models.user import User
from claimdesk.rules.deadlines import LOCAL_TZ

T = TypeVar("T", bound=Any)


def _scoped(query: Select[T], model: Any, actor: Principal) -> Select[T]:
    if actor.session_kind == "system" or actor.has(Permission.SERVICE_DESK):
        return query
    if actor.person_id is None:
        return query.where(model.id.is_(None))
    return query.where(model.person_id == actor.person_id)


def _desk_complaints(actor: Principal) -> ColumnElement[bool]:
    """The complaints a member of the desk works (the module's rule): their own, their
    branch's, the untaken pool, and what they supervise."""
    supervised = select(ServiceDeskSupervisor.org_unit_id).where(
        ServiceDeskSupervisor.user_id == actor.user_id
    )
    below = select(OrgUnit.id).where(OrgUnit.parent_id.in_(supervised))
    head_office = exists().where(
        ServiceDeskSupervisor.user_id == actor.user_id,
        ServiceDeskSupervisor.org_unit_id == OrgUnit.id,
        OrgUnit.kind == "head_office",
    )
    conditions: list[ColumnElement[bool]] = [
        and_(Complaint.org_unit_id.is_(None), Complaint.handler_user_id.is_(None)),
    ]
    if actor.user_id is not None:
        conditions += [
            Complaint.handler_user_id == actor.user_id,
            Complaint.received_by_id == actor.user_id,
            Complaint.org_unit_id.in_(supervised),
            Complaint.org_unit_id.in_(below),
            head_office,
        ]
    if actor.org_unit_id is not None:
        conditions.append(Complaint.org_unit_id == actor.org_unit_id)
    return or_(*conditions)


def _complaints_scoped(query: Select[T], actor: Principal) -> Select[T]:
    """Complaints with the module's rule: system all, desk by assignment, others their
    own person's."""
    if actor.session_kind == "system":
        return query
    if actor.has(Permission.SERVICE_DESK):
        return query.where(_desk_complaints(actor))
    return _scoped(query, Complaint, actor)


def get_service_record(
    session: Session, *, actor: Principal, record_id: int
) -> ServiceRecord | None:
    query = select(ServiceRecord).where(ServiceRecord.id == record_id)
    return session.scalars(_scoped(query, ServiceRecord, actor)).first()


def service_records_query(
    *, actor: Principal, status: str | None = None, person_id: int | None = None
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
    *,
    actor: Principal,
    status: str | None = None,
    person_id: int | None = None,
    limit: int = 200,
) -> list[ServiceRecord]:
    query = service_records_query(actor=actor, status=status, person_id=person_id)
    return list(session.scalars(query.limit(limit)))


def get_complaint(
    session: Session, *, actor: Principal, complaint_id: int, for_update: bool = False
) -> Complaint | None:
    query = _complaints_scoped(select(Complaint).where(Complaint.id == complaint_id), actor)
    if for_update:
        # Two agents deciding or extending the same complaint serialise on the row.
        query = query.with_for_update(of=Complaint)
    return session.scalars(query).first()


def complaints_query(*, actor: Principal, status: str | None = None) -> Select[Complaint]:
    """The caller's complaints, newest first: paged by claimdesk.paging."""
    query = select(Complaint).order_by(Complaint.received_at.desc(), Complaint.id.desc())
    if status is not None:
        query = query.where(Complaint.status == status)
    return _complaints_scoped(query, actor)


def list_complaints(
    session: Session, *, actor: Principal, status: str | None = None, limit: int = 200
) -> list[Complaint]:
    return list(session.scalars(complaints_query(actor=actor, status=status).limit(limit)))


def open_complaints(session: Session, *, actor: Principal, limit: int = 100) -> list[Complaint]:
    """Complaints not yet decided that ``actor`` works (the complaints rule above), for
    the service desk's part of the workbench."""
    query = select(Complaint).where(
        Complaint.status.not_in(("decided", "accepted", "escalated", "archived"))
    )
    query = _complaints_scoped(query.order_by(Complaint.received_at, Complaint.id), actor)
    return list(session.scalars(query.limit(limit)))


# A policy change still being worked (POL-2: request → review → approval → done).
OPEN_CHANGE_STATES = ("requested", "reviewed", "approved")


def open_desk_records(
    session: Session, *, actor: Principal, limit: int = 100
) -> list[ServiceRecord]:
    """Contacts still waiting on the desk, oldest first: consultations not yet answered
    (SVC-4) and policy service requests whose change is still open (POL-2). The records'
    rule: the whole desk's (a consultation is answered within 2 hours by whoever is free,
    on every branch's behalf), a customer's own, nobody else's."""
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
    return list(session.scalars(_scoped(query, ServiceRecord, actor).limit(limit)))


def notes_of(session: Session, *, complaint_id: int) -> list[ComplaintNote]:
    """The notes of a complaint the caller loaded through ``get_complaint`` (row-filtered
    there): no filter of its own."""
    query = select(ComplaintNote).where(ComplaintNote.complaint_id == complaint_id)
    return list(session.scalars(query.order_by(ComplaintNote.id)))


def survey_exists(session: Session, *, subject_type: str, subject_id: int, source: str) -> bool:
    # No row filter: a yes/no for a subject the service loaded row-filtered already.
    query = select(SatisfactionSurvey.id).where(
        SatisfactionSurvey.subject_type == subject_type,
        SatisfactionSurvey.subject_id == subject_id,
        SatisfactionSurvey.source == source,
    )
    return session.scalars(query).first() is not None


def list_surveys(
    session: Session, *, actor: Principal, limit: int = 200
) -> list[SatisfactionSurvey]:
    query = select(SatisfactionSurvey).order_by(SatisfactionSurvey.surveyed_at.desc())
    return list(session.scalars(_scoped(query, SatisfactionSurvey, actor).limit(limit)))


def claim_rated(session: Session, *, claim_id: int) -> bool:
    """Whether the customer has rated this claim already (one rating per paid claim).
    No row filter: a yes/no about a claim the page loaded row-filtered already."""
    found = session.scalars(
        select(SatisfactionSurvey.id).where(
            SatisfactionSurvey.subject_type == "claim",
            SatisfactionSurvey.subject_id == claim_id,
        )
    ).first()
    return found is not None


def desk_supervisor_of(session: Session, *, org_unit_id: int) -> ServiceDeskSupervisor | None:
    """The unit's desk supervisor row (who holds the post), or None."""
    return session.scalars(
        select(ServiceDeskSupervisor).where(ServiceDeskSupervisor.org_unit_id == org_unit_id)
    ).first()


def active_desk_supervisor(session: Session, *, org_unit_id: int) -> User | None:
    """The unit's desk supervisor when their login is active (breaches are sent to
    them), or None."""
    query = (
        select(User)
        .join(ServiceDeskSupervisor, ServiceDeskSupervisor.user_id == User.id)
        .where(ServiceDeskSupervisor.org_unit_id == org_unit_id, User.is_active.is_(True))
    )
    return session.scalars(query).first()


def complaints_received(
    session: Session, *, start: dt.datetime, end: dt.datetime, org_unit_id: int | None
) -> list[Any]:
    """(received_at, cause, complaint_type, channel) of every complaint received in
    [start, end), of the unit when given (the complaints report, SVC-3)."""
    query = select(
        Complaint.received_at, Complaint.cause, Complaint.complaint_type, Complaint.channel
    ).where(Complaint.received_at >= start, Complaint.received_at < end)
    if org_unit_id is not None:
        query = query.where(Complaint.org_unit_id == org_unit_id)
    return list(session.execute(query).all())


def satisfaction_sums(
    session: Session,
    *,
    start: dt.datetime,
    end: dt.datetime,
    org_unit_id: int | None,
    dimensions: Sequence[Any],
) -> list[Any]:
    """Per service type of the surveys of [start, end) (and unit): the type, how many
    surveys, then each dimension's sum and count of scores, in ``dimensions``' order."""
    columns: list[Any] = []
    for column in dimensions:
        columns += [func.sum(column), func.count(column)]
    query = (
        select(SatisfactionSurvey.service_type, func.count(SatisfactionSurvey.id), *columns)
        .where(SatisfactionSurvey.surveyed_at >= start, SatisfactionSurvey.surveyed_at < end)
        .group_by(SatisfactionSurvey.service_type)
        .order_by(SatisfactionSurvey.service_type)
    )
    if org_unit_id is not None:
        query = query.where(SatisfactionSurvey.org_unit_id == org_unit_id)
    return list(session.execute(query).all())


def month_of_start(*, column: Any, date_from: dt.date, date_to: dt.date) -> ColumnElement[str]:
    """The Asia/Shanghai month ("2026-03") of an instant of the period, as SQL: a CASE
    over the period's month boundaries, computed here in Beijing time (GEN-2) and bound
    as UTC instants, so SQLite and PostgreSQL bucket alike, with no date function of
    either and no time zone of the database server. At most 37 months (the dashboards'
    period and every scorecard's is at most three years, service.reports.within_limit)."""
    first = dt.date(date_from.year, date_from.month, 1)
    months: list[dt.date] = []
    while first <= date_to:
        months.append(first)
        first = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    whens = [
        (column < dt.datetime.combine(nxt, dt.time(0), tzinfo=LOCAL_TZ).astimezone(dt.UTC), label)
        for label, nxt in ((m.strftime("%Y-%m"), n) for m, n in itertools.pairwise(months))
    ]
    last = months[-1].strftime("%Y-%m")
    return case(*whens, else_=last) if whens else literal(last)


def each_clock(
    *,
    clocks: ColumnElement[bool],
    start: dt.datetime,
    end: dt.datetime,
    date_from: dt.date,
    date_to: dt.date,
    now: dt.datetime,
    org_unit_id: int | None = None,
) -> Subquery:
    """Each clock started in [start, end) — the period date_from..date_to as UTC
    instants (service.reports.period_bounds) — and branch once, with its name (``clock``),
    org unit id (``unit``), Beijing month of its start (``month``) and outcome as 1/0
    (``met``: its step done — closed_reason ``completed`` — and stopped in time, or
    paused in time; ``missed``: stopped late, whatever stopped it, or running past its
    due time at ``now``; ``ended``: closed in time without its step — a surveyor
    reassigned, a claim withdrawn —, which the limit governed to no end and no scorecard
    counts as met or governed, clocks.service.clock_outcome); none of them is pending
    (running within its time, or paused after its due time: a paused clock is never
    running late). The rows both scorecards count (this one and the dashboards'). A
    subquery, so that GROUP BY names the month's column rather than repeating its CASE,
    whose bound instants PostgreSQL would not see as equal."""
    stopped = Clock.stopped_at.is_not(None)
    in_time = or_(
        Clock.stopped_at <= Clock.due_at,
        and_(Clock.paused_at.is_not(None), Clock.paused_at < Clock.due_at),
    )
    # A stopped clock with no reason (none is written so) counts as its step done.
    done = or_(Clock.closed_reason.is_(None), Clock.closed_reason == ClockClosedReason.COMPLETED)
    met = and_(stopped, in_time, done)
    ended = and_(stopped, in_time, not_(done))
    missed = or_(
        and_(stopped, not_(in_time)),
        and_(Clock.stopped_at.is_(None), Clock.paused_at.is_(None), Clock.due_at < now),
    )
    inner = select(
        Clock.name.label("clock"),
        Clock.org_unit_id.label("unit"),
        month_of_start(column=Clock.started_at, date_from=date_from, date_to=date_to).label(
            "month"
        ),
        case((met, 1), else_=0).label("met"),
        case((missed, 1), else_=0).label("missed"),
        case((ended, 1), else_=0).label("ended"),
    ).where(clocks, Clock.started_at >= start, Clock.started_at < end)
    if org_unit_id is not None:
        inner = inner.where(Clock.org_unit_id == org_unit_id)
    return inner.subquery()


def deadline_counts(session: Session, *, each: Subquery) -> list[Any]:
    """(clock name, branch code, month, governed, met, missed, ended early) per name,
    branch and month of ``each`` (``each_clock``'s rows), unordered (the caller orders
    them). Governed leaves out the clocks ended early (closed in time without their
    step): the limit governed none of them to its end."""
    query = (
        select(
            each.c.clock,
            OrgUnit.code,
            each.c.month,
            func.count() - func.sum(each.c.ended),
            func.sum(each.c.met),
            func.sum(each.c.missed),
            func.sum(each.c.ended),
        )
        .select_from(each)
        .outerjoin(OrgUnit, OrgUnit.id == each.c.unit)
        .group_by(each.c.clock, OrgUnit.code, each.c.month)
    )
    return list(session.execute(query).all())
