"""THE security incident workflow (SEC-7): one explicit transition table.

    reported ──contain──▶ contained ──root_cause──▶ root_caused ──correct──▶ corrected
                                                        ▲                       │
                                                        └────────rework─────────┤
                                                                                │
                                                          reviewed (closed) ◀─review

Each move names the states it may start from, the state it leads to, the permission,
the guard that must hold first, the stage clock it stops and the one it starts (with
the administrator's limit for the incident's severity, security.limits).
:func:`transition` is the only code that changes ``SecurityIncident.state``; an illegal
move is refused with 409 and nothing changes; every move is a transition row and an
audit entry ``security_incident.<action>`` with from/to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from claimdesk import lifecycle
from claimdesk.audit.service import record
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.clocks import service as clocks
from claimdesk.errors import PermissionDenied
from claimdesk.models.clock import Clock
from claimdesk.models.security_incident import (
    SecurityIncident,
    SecurityIncidentTransition,
)
from claimdesk.models.states import SecurityIncidentState
from claimdesk.security import limits, repository
from claimdesk.security.errors import (
    ContainmentActionsMissing,
    CorrectiveActionsMissing,
    CorrectiveActionsOpen,
    IllegalIncidentTransition,
)

SUBJECT = "security_incident"

# SecurityIncidentState members (models.states); the table of states is
# claimdesk.lifecycle.SECURITY_INCIDENT, which applies every move below (GEN-5).
REPORTED = SecurityIncidentState.REPORTED
CONTAINED = SecurityIncidentState.CONTAINED
ROOT_CAUSED = SecurityIncidentState.ROOT_CAUSED
CORRECTED = SecurityIncidentState.CORRECTED
REVIEWED = SecurityIncidentState.REVIEWED
STATES = (REPORTED, CONTAINED, ROOT_CAUSED, CORRECTED, REVIEWED)
OPEN_STATES = (REPORTED, CONTAINED, ROOT_CAUSED, CORRECTED)

Guard = Callable[[Session, SecurityIncident], None]


def _containment_recorded(session: Session, incident: SecurityIncident) -> None:
    if not repository.containment_count(session, incident_id=incident.id):
        raise ContainmentActionsMissing()


def _corrections_done(session: Session, incident: SecurityIncident) -> None:
    actions = repository.corrective_actions(session, incident_id=incident.id)
    if not actions:
        raise CorrectiveActionsMissing()
    still_open = sum(1 for a in actions if a.done_at is None)
    if still_open:
        raise CorrectiveActionsOpen(open=still_open)


@dataclass(frozen=True)
class Move:
    action: str
    sources: tuple[SecurityIncidentState, ...]
    target: SecurityIncidentState
    permission: Permission
    guard: Guard | None = None
    stops: str | None = None  # the stage whose clock ends with this move
    starts: str | None = None  # the stage whose clock starts with it


MANAGE = Permission.SECURITY_INCIDENT_MANAGE
MOVES: tuple[Move, ...] = (
    Move("contain", (REPORTED,), CONTAINED, MANAGE, _containment_recorded, "contain", "root_cause"),
    Move("root_cause", (CONTAINED,), ROOT_CAUSED, MANAGE, None, "root_cause", "correct"),
    Move("correct", (ROOT_CAUSED,), CORRECTED, MANAGE, _corrections_done, "correct", "review"),
    Move("review", (CORRECTED,), REVIEWED, MANAGE, None, "review", None),
    # The review found the corrections ineffective: more corrective actions, new clock.
    Move("rework", (CORRECTED,), ROOT_CAUSED, MANAGE, None, "review", "correct"),
)
MOVES_BY_ACTION: dict[str, Move] = {m.action: m for m in MOVES}


def allowed_actions(incident: SecurityIncident, actor: Principal) -> list[str]:
    """The moves the actor may make now (the page offers only these)."""
    return [m.action for m in MOVES if incident.state in m.sources and actor.has(m.permission)]


def check(incident: SecurityIncident, action: str, actor: Principal) -> Move:
    """Refuse a move the table does not allow, before anything is read from the body."""
    move = MOVES_BY_ACTION.get(action)
    if move is None or incident.state not in move.sources:
        raise IllegalIncidentTransition(state=incident.state, action=action)
    if not actor.has(move.permission):
        raise PermissionDenied()
    return move


def open_clock(session: Session, incident: SecurityIncident, stage: str) -> Clock | None:
    name = limits.clock_name(stage)
    for clock in clocks.clocks_for(session, subject_type=SUBJECT, subject_id=incident.id):
        if clock.name == name and clock.stopped_at is None:
            return clock
    return None


def start_stage(
    session: Session,
    incident: SecurityIncident,
    stage: str,
    *,
    at: dt.datetime,
    actor: Principal,
) -> Clock:
    """Start the stage's clock with the limit the administrator set for the severity."""
    return clocks.start_clock(
        session,
        subject_type=SUBJECT,
        subject_id=incident.id,
        name=limits.clock_name(stage),
        rule=limits.limit_for(session, severity=incident.severity, stage=stage),
        started_at=at,
        basis=limits.BASIS[stage],
        org_unit_id=incident.org_unit_id,
        actor=actor,
    )


def stop_stage(
    session: Session,
    incident: SecurityIncident,
    stage: str,
    *,
    at: dt.datetime,
    actor: Principal,
) -> None:
    clock = open_clock(session, incident, stage)
    if clock is not None:
        clocks.stop_clock(session, clock=clock, at=max(at, clock.started_at), actor=actor)


def record_move(
    session: Session,
    incident: SecurityIncident,
    *,
    action: str,
    source: str,
    actor: Principal,
    at: dt.datetime,
    reason: str | None,
    details: Mapping[str, object] | None,
    audit: bool = True,
) -> None:
    session.add(
        SecurityIncidentTransition(
            incident_id=incident.id,
            action=action,
            from_state=source,
            to_state=incident.state,
            at=at,
            actor_id=actor.user_id,
            actor=actor.username,
            reason=reason,
        )
    )
    session.flush()
    if not audit:
        return  # lifecycle.transition wrote the entry of the move
    record(
        session,
        actor=actor,
        action=f"security_incident.{action}",
        entity_type="security_incident",
        entity_id=incident.id,
        reason=reason,
        at=at,
        details={
            "from": source or None,
            "to": incident.state,
            "number": incident.number,
            **(details or {}),
        },
    )


def transition(
    session: Session,
    *,
    incident: SecurityIncident,
    action: str,
    actor: Principal,
    at: dt.datetime,
    reason: str | None = None,
    details: Mapping[str, object] | None = None,
) -> Move:
    """Make one move of the table or refuse it (nothing changed): state and permission,
    then the guard; then the state, the stage clocks, the history row and the audit."""
    move = check(incident, action, actor)
    if move.guard is not None:
        move.guard(session, incident)
    source = incident.state
    lifecycle.transition(
        session,
        entity=incident,
        table=lifecycle.SECURITY_INCIDENT,
        to=move.target,
        actor=actor,
        reason=reason,
        at=at,
        action=f"security_incident.{action}",
        details={"number": incident.number, **(details or {})},
    )
    if move.stops:
        stop_stage(session, incident, move.stops, at=at, actor=actor)
    if move.starts:
        start_stage(session, incident, move.starts, at=at, actor=actor)
    record_move(
        session,
        incident,
        action=action,
        source=source,
        actor=actor,
        at=at,
        reason=reason,
        details=details,
        audit=False,
    )
    return move
