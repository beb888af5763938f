"""Background work of security incidents: escalation of missed stage limits (SEC-7).

The one breach job (``clocks.mark_and_escalate``) marks a stage clock breached from its
due time and hands it to the handler registered here, which tells every active
administrator once (outbox dedupe key per clock and user). With no administrator on
record the clock is offered again on the next run.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from claimdesk.clocks import escalation
from claimdesk.models.clock import Clock
from claimdesk.models.security_incident import SecurityIncident
from claimdesk.rules.deadlines import to_local
from claimdesk.security import service
from claimdesk.security.workflow import SUBJECT


def escalate_incident_clock(
    session: Session, clock: Clock, now: dt.datetime
) -> dict[str, object] | None:
    incident = session.get(SecurityIncident, int(clock.subject_id))
    if incident is None:
        return None
    due = to_local(clock.due_at).strftime("%Y-%m-%d %H:%M")
    told = service.tell_administrators(
        session,
        template="security_incident_deadline_breached",
        subject="信息安全事件处置超时",
        body=(
            f"{incident.number}（{incident.severity}）的时限“{clock.name}”已于 {due} 超时，"
            "请立即跟进。"
        ),
        key=f"clock:{clock.id}:escalated",
        incident_id=incident.id,
    )
    if not told:
        return None
    return {"to_user_ids": told, "incident": incident.number}


escalation.register(SUBJECT, escalate_incident_clock)
