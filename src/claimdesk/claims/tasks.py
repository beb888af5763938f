"""Background work of the claims domain: what happens when a claim's deadline is missed.

The one breach job (``clocks.mark_and_escalate``, clocks/escalation.py) marks missed
clocks and hands each breached claim clock to :func:`escalate_claim_clock`:

* the claims supervisors (active ``reviewer_1`` users of the claim's org unit) are
  told at once, one app message per clock and supervisor (GEN-4);
* the customer is told once per claim that handling may take longer (CLM-P4,
  foreseeable delay).

Dispute clocks (CLM-Z3, subject ``claim_dispute``) and callback clocks (CLM-X2, subject
``claim_callback``) go to the same supervisors.
Every message carries a dedupe key, so two workers or a retried run send nothing twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.claims import notify
from claimdesk.claims.automatic import tasks as _automatic_tasks  # noqa: F401  (CLM-T2 job)
from claimdesk.claims.deadline_names import name_of
from claimdesk.claims.repository import supervisors_of
from claimdesk.claims.settlement import tasks as _settlement_tasks  # noqa: F401  (notice PDF)
from claimdesk.claims.settlement.callbacks import SUBJECT as CALLBACK_SUBJECT
from claimdesk.claims.settlement.callbacks import callback_of_clock
from claimdesk.clocks import escalation
from claimdesk.formatting import local_datetime
from claimdesk.jobs.outbox import send_message
from claimdesk.models.claim import Claim
from claimdesk.models.clock import Clock
from claimdesk.models.event import ClaimDispute
from claimdesk.models.user import User


def _tell_supervisors(
    session: Session, clock: Clock, claim: Claim, supervisors: list[User]
) -> None:
    for user in supervisors:
        # Each supervisor reads it in their own language, the deadline by what it is for
        # and its due time as people write it — not the clock's code and an ISO time.
        language = user.language
        params = {
            "number": claim.number,
            "clock": name_of(clock.name, clock.basis).purpose(language),
            "due": local_datetime(clock.due_at, language),
        }
        send_message(
            session,
            channel="app",
            recipient=f"user:{user.id}",
            template="claim.deadline_breached",
            subject=notify.subject("claim.deadline_breached", language),
            body=notify.render("claim.deadline_breached", params, language),
            language=user.language,
            dedupe_key=f"clock:{clock.id}:escalated:user:{user.id}",
            related_type="claim",
            related_id=claim.id,
        )


def escalate_claim_clock(
    session: Session, clock: Clock, now: dt.datetime
) -> dict[str, object] | None:
    claim = session.get(Claim, int(clock.subject_id))
    if claim is None:
        return None
    supervisors = supervisors_of(session, org_unit_id=claim.org_unit_id)
    if not supervisors:
        return None  # offered again on the next run, once a supervisor is on record
    _tell_supervisors(session, clock, claim, supervisors)
    # Once per claim, whichever of its clocks is missed first (dedupe key per claim).
    notify.tell_customer(session, claim=claim, template="claim.delay_foreseen", params={})
    return {"to_user_ids": [u.id for u in supervisors], "claim": claim.number}


def escalate_dispute_clock(
    session: Session, clock: Clock, now: dt.datetime
) -> dict[str, object] | None:
    dispute = session.get(ClaimDispute, int(clock.subject_id))
    if dispute is None:
        return None
    claim = session.get(Claim, dispute.claim_id)
    if claim is None:
        return None
    supervisors = supervisors_of(session, org_unit_id=dispute.org_unit_id or claim.org_unit_id)
    if not supervisors:
        return None
    _tell_supervisors(session, clock, claim, supervisors)
    return {"to_user_ids": [u.id for u in supervisors], "dispute_id": dispute.id}


def escalate_callback_clock(
    session: Session, clock: Clock, now: dt.datetime
) -> dict[str, object] | None:
    """A missed callback (CLM-X2) goes to the claim's supervisors, like a claim clock."""
    callback = callback_of_clock(session, clock)
    claim = None if callback is None else session.get(Claim, callback.claim_id)
    if callback is None or claim is None:
        return None
    supervisors = supervisors_of(session, org_unit_id=claim.org_unit_id)
    if not supervisors:
        return None
    _tell_supervisors(session, clock, claim, supervisors)
    return {"to_user_ids": [u.id for u in supervisors], "callback_id": callback.id}


escalation.register("claim", escalate_claim_clock)
escalation.register("claim_dispute", escalate_dispute_clock)
escalation.register(CALLBACK_SUBJECT, escalate_callback_clock)


def run_breach_job(session: Session, *, now: dt.datetime) -> dict[str, Any]:
    """The breach job's work, for the CLI and tests: counts of marked and escalated."""
    marked, escalated = escalation.mark_and_escalate(session, now=now)
    return {"marked": len(marked), "escalated": len(escalated)}
