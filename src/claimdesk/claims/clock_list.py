"""Every deadline governing a claim, in one list (GEN-4).

Besides the claim's own clocks (subject ``claim``), a claim is governed by the 2-hour
answer of each of its disputes (CLM-Z3: the dispute's own clock, or the claim-response
clock of the complaint the dispute was raised as) and by its callbacks (CLM-X2). Those
run on their own subjects so that the claim's work-queue key (``next_due_at``) and its
state moves are not theirs to change, but people see them all beside the claim, each
with the rule that made it and its basis.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from claimdesk.claims import repository
from claimdesk.claims.special.disputes import response_clock
from claimdesk.clocks import service as clocks
from claimdesk.models.clock import Clock


def claim_clocks(session: Session, claim_id: int) -> list[Clock]:
    """The claim's clocks, its disputes' answer clocks and its callbacks' clocks, in the
    order they were created (as the claim's own clocks always were)."""
    found: dict[int, Clock] = {
        c.id: c for c in clocks.clocks_for(session, subject_type="claim", subject_id=claim_id)
    }
    for dispute in repository.disputes_of_claim(session, claim_id=claim_id):
        clock = response_clock(session, dispute)
        if clock is not None:
            found[clock.id] = clock
    callback_clock_ids = repository.callback_clock_ids(session, claim_id=claim_id)
    for clock in clocks.clocks_by_id(session, clock_ids=callback_clock_ids):
        found[clock.id] = clock
    return [found[i] for i in sorted(found)]
