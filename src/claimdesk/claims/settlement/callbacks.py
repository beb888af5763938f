"""Callback tasks (回访, CLM-X2) on deadline clocks (GEN-4).

A paid claim is called back within 3 working days of payment; a rejected claim is
called back to explain the reason and the options (mediation, arbitration) — the SPEC
names no limit for that one, so it keeps the same 3 working days, counted from the
rejection notice. Each callback runs its own clock (subject ``claim_callback``): stopped
when the callback is recorded, breached and escalated by the one breach job like every
other clock, and listed with the claim's clocks.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims import workflow
from claimdesk.claims.settlement import repository
from claimdesk.clocks import service as clocks
from claimdesk.models.claim import Claim
from claimdesk.models.clock import Clock
from claimdesk.models.payment import Callback
from claimdesk.rules.deadlines import Rule

SUBJECT = "claim_callback"
# The clock of each kind of callback, with the rule and the basis shown beside it. The
# SPEC names no limit for the rejection callback; it keeps the paid one's.
CLOCK_OF_KIND: dict[str, tuple[str, workflow.ClockDef]] = {
    "paid": ("claim.callback", workflow.CLOCKS["claim.callback"]),
    "decided": ("claim.callback", workflow.CLOCKS["claim.callback"]),
    "rejected": (
        "claim.rejection_callback",
        workflow.ClockDef(
            Rule("working_days", 3),
            "CLM-X2：拒赔通知发出后3个工作日内回访，说明拒赔理由及调解、仲裁途径",
        ),
    ),
}


def open_callback(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    kind: str,
    source_id: int,
    at: dt.datetime,
) -> Callback:
    """Create the callback task and start its clock from ``at`` (payment or notice)."""
    name, definition = CLOCK_OF_KIND[kind]
    clock = clocks.start_clock(
        session,
        subject_type=SUBJECT,
        subject_id=f"{claim.id}:{kind}:{source_id}",
        name=name,
        rule=definition.rule,
        started_at=at,
        basis=definition.basis,
        org_unit_id=claim.org_unit_id,
        actor=actor,
    )
    callback = Callback(
        claim_id=claim.id,
        kind=kind,
        source_id=source_id,
        created_at=at,
        clock_id=clock.id,
        status="open",
    )
    session.add(callback)
    session.flush()
    return callback


def callback_of_clock(session: Session, clock: Clock) -> Callback | None:
    return repository.callback_of_clock(session, clock_id=clock.id)
