"""Background work of security incidents: escalation of missed stage limits (SEC-7).

The one breach job (``clocks.mark_and_escalate``) marks a stage clock breached from its
due time and hands it to the handler registered here, which tells every active
administrator once (outbox dedupe key per clock and user). With no administrator on
record the clock is offered again on the next run.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from claimdesk.claims.deadline_names import name_of
from claimdesk.clocks import escalation
from claimdesk.formatting import local_datetime
from claimdesk.models.clock import Clock
from claimdesk.models.security_incident import SecurityIncident
from claimdesk.security import service
from claimdesk.security.workflow import SUBJECT


def escalate_incident_clock(
    session: Session, clock: Clock, now: dt.datetime
) -> dict[str, object] | None:
    incident = session.get(SecurityIncident, int(clock.subject_id))
    if incident is None:
        return None

    def breached(language: str) -> tuple[str, str]:
        # The stage by what it is for, the severity in words and the due time as people
        # write it, in the administrator's language (it was Chinese with the codes).
        level = service.severity_words(severity=incident.severity, language=language)
        purpose = name_of(clock.name, clock.basis).purpose(language)
        due = local_datetime(clock.due_at, language)
        if language.lower().startswith("zh"):
            return "信息安全事件处置超时", (
                f"{incident.number}（{level}）的时限“{purpose}”已于 {due} 超时，请立即跟进。"
            )
        return "Security incident time limit missed", (
            f'{incident.number} ({level}): the time limit "{purpose}" was missed at {due}; '
            "please follow up now."
        )

    told = service.tell_administrators(
        session,
        template="security_incident_deadline_breached",
        words=breached,
        key=f"clock:{clock.id}:escalated",
        incident_id=incident.id,
    )
    if not told:
        return None
    return {"to_user_ids": told, "incident": incident.number}


escalation.register(SUBJECT, escalate_incident_clock)
