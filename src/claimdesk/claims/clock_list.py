"""Every deadline governing a claim, in one list (GEN-4).

Besides the claim's own clocks (subject ``claim``), a claim is governed by the 2-hour
answer of each of its disputes (CLM-Z3: the dispute's own clock, or the claim-response
clock of the complaint the dispute was raised as) and by its callbacks (CLM-X2). Those
run on their own subjects so that the claim's work-queue key (``next_due_at``) and its
state moves are not theirs to change, but people see them all beside the claim, each
with the rule that made it and its basis.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.claims.special.disputes import response_clock
from claimdesk.clocks import service as clocks
from claimdesk.models.clock import Clock
from claimdesk.models.event import ClaimDispute
from claimdesk.models.payment import Callback


def claim_clocks(session: Session, claim_id: int) -> list[Clock]:
    """The claim's clocks, its disputes' answer clocks and its callbacks' clocks, in the
    order they were created (as the claim's own clocks always were)."""
    found: dict[int, Clock] = {c.id: c for c in clocks.clocks_for(session, "claim", claim_id)}
    disputes = session.scalars(
        select(ClaimDispute).where(ClaimDispute.claim_id == claim_id).order_by(ClaimDispute.id)
    )
    for dispute in disputes:
        clock = response_clock(session, dispute)
        if clock is not None:
            found[clock.id] = clock
    callback_clock_ids = session.scalars(
        select(Callback.clock_id).where(
            Callback.claim_id == claim_id, Callback.clock_id.is_not(None)
        )
    )
    for clock in clocks.clocks_by_id(session, [i for i in callback_clock_ids if i is not None]):
        found[clock.id] = clock
    return [found[i] for i in sorted(found)]
