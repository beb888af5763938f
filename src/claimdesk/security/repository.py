"""Queries of security incidents with the row-level rule (SEC-4): readers of every
incident (compliance auditor, administrator) and system jobs see all; a member of
staff who only reports sees the incidents they reported."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Permission, Role
from claimdesk.auth.principal import Principal
from claimdesk.models.clock import Clock
from claimdesk.models.security_incident import (
    SecurityIncident,
    SecurityIncidentContainmentAction,
    SecurityIncidentCorrectiveAction,
    SecurityIncidentTimeLimit,
    SecurityIncidentTransition,
)
from claimdesk.models.user import User, UserRole

T = TypeVar("T", bound=Any)

SUBJECT = "security_incident"


def reads_all(*, actor: Principal) -> bool:
    return actor.session_kind == "system" or actor.has(Permission.SECURITY_INCIDENT_READ)


def _scoped(query: Select[T], actor: Principal) -> Select[T]:
    if reads_all(actor=actor):
        return query
    if actor.user_id is None:
        return query.where(SecurityIncident.id.is_(None))
    return query.where(SecurityIncident.reporter_id == actor.user_id)


def get_incident(
    session: Session, *, actor: Principal, incident_id: int, for_update: bool = False
) -> SecurityIncident | None:
    query = _scoped(select(SecurityIncident).where(SecurityIncident.id == incident_id), actor)
    if for_update:
        # Two administrators moving the same incident serialise on its row.
        query = query.with_for_update()
    return session.scalars(query).first()


def incidents_query(
    *, actor: Principal, states: Sequence[str] | None = None, severity: str | None = None
) -> Select[SecurityIncident]:
    """The incidents the caller may see, newest first: paged by claimdesk.paging."""
    query = select(SecurityIncident).order_by(
        SecurityIncident.reported_at.desc(), SecurityIncident.id.desc()
    )
    if states:
        query = query.where(SecurityIncident.state.in_(tuple(states)))
    if severity is not None:
        query = query.where(SecurityIncident.severity == severity)
    return _scoped(query, actor)


def list_incidents(
    session: Session,
    *,
    actor: Principal,
    states: Sequence[str] | None = None,
    severity: str | None = None,
    limit: int = 200,
) -> list[SecurityIncident]:
    query = incidents_query(actor=actor, states=states, severity=severity)
    return list(session.scalars(query.limit(limit)))


def containment_actions(
    session: Session, *, incident_id: int
) -> list[SecurityIncidentContainmentAction]:
    query = select(SecurityIncidentContainmentAction).where(
        SecurityIncidentContainmentAction.incident_id == incident_id
    )
    return list(
        session.scalars(
            query.order_by(
                SecurityIncidentContainmentAction.performed_at,
                SecurityIncidentContainmentAction.id,
            )
        )
    )


def corrective_actions(
    session: Session, *, incident_id: int
) -> list[SecurityIncidentCorrectiveAction]:
    query = select(SecurityIncidentCorrectiveAction).where(
        SecurityIncidentCorrectiveAction.incident_id == incident_id
    )
    return list(session.scalars(query.order_by(SecurityIncidentCorrectiveAction.id)))


def corrective_action(
    session: Session, *, incident_id: int, action_id: int
) -> SecurityIncidentCorrectiveAction | None:
    return session.scalars(
        select(SecurityIncidentCorrectiveAction).where(
            SecurityIncidentCorrectiveAction.id == action_id,
            SecurityIncidentCorrectiveAction.incident_id == incident_id,
        )
    ).first()


def transitions(session: Session, *, incident_id: int) -> list[SecurityIncidentTransition]:
    query = select(SecurityIncidentTransition).where(
        SecurityIncidentTransition.incident_id == incident_id
    )
    return list(session.scalars(query.order_by(SecurityIncidentTransition.id)))


def running_clocks(session: Session, *, incident_ids: Sequence[int]) -> dict[int, Clock]:
    """The running stage clock of each incident (one at a time), for the list."""
    if not incident_ids:
        return {}
    rows = session.scalars(
        select(Clock)
        .where(
            Clock.subject_type == SUBJECT,
            Clock.subject_id.in_([str(i) for i in incident_ids]),
            Clock.stopped_at.is_(None),
        )
        .order_by(Clock.due_at, Clock.id)
    ).all()
    found: dict[int, Clock] = {}
    for clock in rows:
        found.setdefault(int(clock.subject_id), clock)
    return found


def containment_count(session: Session, *, incident_id: int) -> int:
    """How many containment actions the incident has on record."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(SecurityIncidentContainmentAction)
            .where(SecurityIncidentContainmentAction.incident_id == incident_id)
        )
        or 0
    )


def time_limits(session: Session) -> Sequence[SecurityIncidentTimeLimit]:
    """Every stored time limit (a severity and stage with none keeps its default)."""
    return session.scalars(select(SecurityIncidentTimeLimit)).all()


def time_limit(session: Session, *, severity: str, stage: str) -> SecurityIncidentTimeLimit | None:
    """The stored time limit of the severity's stage, or None (its default applies)."""
    return session.scalars(
        select(SecurityIncidentTimeLimit).where(
            SecurityIncidentTimeLimit.severity == severity,
            SecurityIncidentTimeLimit.stage == stage,
        )
    ).first()


def active_administrators(session: Session) -> list[User]:
    """Every active administrator, by id (who answers for incidents). Staff, not rows of
    an incident: no principal."""
    query = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.ADMINISTRATOR.value, User.is_active.is_(True))
        .order_by(User.id)
    )
    return list(session.scalars(query).unique())


def is_staff(session: Session, *, user_id: int) -> bool:
    """Whether the user holds any role but customer (a member of staff)."""
    role = session.scalar(
        select(UserRole.id).where(UserRole.user_id == user_id, UserRole.role != Role.CUSTOMER.value)
    )
    return role is not None
