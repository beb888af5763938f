"""The one breach job (GEN-4): mark missed deadlines, then escalate each breached clock
through the handler its domain registered for the clock's ``subject_type``.

Breach state is derived: only :func:`claimdesk.clocks.service.mark_breaches` sets
``breached_at`` (from ``due_at``). A handler escalates one clock and returns the details
of what it did (who was told), and then this module stamps ``escalated_at`` and audits
``clock.escalated``; a handler that could not (no supervisor on record yet) returns
None and the clock is offered again on the next run.

Exactly once, with any number of workers: the clocks are taken ``FOR UPDATE SKIP
LOCKED`` on PostgreSQL (SQLite has one writer), ``escalated_at`` is written in the same
transaction as the handler's outbox messages, and those carry per-clock dedupe keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.clocks import repository
from claimdesk.clocks.service import BREACH_ACTOR, mark_breaches
from claimdesk.jobs.queue import periodic
from claimdesk.models.clock import Clock

EscalationHandler = Callable[[Session, Clock, dt.datetime], Mapping[str, Any] | None]

_HANDLERS: dict[str, EscalationHandler] = {}


def register(subject_type: str, handler: EscalationHandler) -> EscalationHandler:
    """Route breached clocks of ``subject_type`` to ``handler(session, clock, now)``."""
    _HANDLERS[subject_type] = handler
    return handler


def handler_for(subject_type: str) -> EscalationHandler | None:
    return _HANDLERS.get(subject_type)


def registered_subject_types() -> list[str]:
    return sorted(_HANDLERS)


def escalate_breached(
    session: Session,
    *,
    now: dt.datetime,
    subject_types: Iterable[str] | None = None,
    limit: int = 500,
) -> list[Clock]:
    """Offer every breached, not yet escalated clock (of ``subject_types``, default all
    registered) to its handler; returns the ones escalated now."""
    types = [t for t in (subject_types or _HANDLERS) if t in _HANDLERS]
    if not types:
        return []
    escalated = []
    for clock in repository.breached_not_escalated(session, subject_types=types, limit=limit):
        handler = _HANDLERS[clock.subject_type]
        details = handler(session, clock, now)
        if details is None:
            continue
        clock.escalated_at = now
        escalated.append(clock)
        record(
            session,
            actor=BREACH_ACTOR,
            action="clock.escalated",
            entity_type="clock",
            entity_id=clock.id,
            at=now,
            details={
                "subject": f"{clock.subject_type}:{clock.subject_id}",
                "name": clock.name,
                **details,
            },
        )
    session.flush()
    return escalated


def mark_and_escalate(session: Session, *, now: dt.datetime) -> tuple[list[Clock], list[Clock]]:
    """Mark newly missed deadlines, then escalate; returns (marked, escalated)."""
    marked = mark_breaches(session, now=now)
    return marked, escalate_breached(session, now=now)


@periodic("clocks.mark_and_escalate", every=dt.timedelta(minutes=1))
def mark_and_escalate_job(session: Session, payload: dict[str, Any], *, now: dt.datetime) -> None:
    mark_and_escalate(session, now=now)
