"""Background work of the automatic path (CLM-T2): a look at the claim at the end of
every CLM-F3 checks run, in that run's transaction.

The look decides only on the checks of the claim's current data (``service.process``).
Rather than a job of its own that polls until those checks have run, it is a follow-up
of the ``checks.run`` job (``jobs.queue.follow_up``): when the run on the current data
commits, the decision commits with it; a run on data that changed since finds the
checks of the newer data still queued and does nothing — their own run looks again. A
claim costs one job per data version (a burst of uploads: one run that works, the
stale ones skipped at once), and the decision waits for nothing but that run and the
claim's re-checks still queued: a series re-check (``checks.series``) or a copy's
re-run, each of which may record a hit on the claim — their end looks again too.

A ``claims.automatic`` job does the same look: queued when a follow-up raised (its
savepoint undone, the checks committed) or by hand.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.checks.service import JOB_KIND as CHECKS_JOB
from claimdesk.checks.service import SERIES_JOB_KIND as SERIES_JOB
from claimdesk.claims.automatic.service import JOB_KIND, process
from claimdesk.jobs.queue import follow_up


# A series re-check (checks.series) or a copy's re-run records a hit on this claim
# when it runs: the look waits for it (service._checks_state) and its end looks again.
@follow_up(SERIES_JOB, kind=JOB_KIND)
@follow_up(CHECKS_JOB, kind=JOB_KIND)
def run_automatic(session: Session, payload: dict[str, Any], *, now: dt.datetime) -> None:
    """Idempotent: the claim's lock and its decision row make a repeat do nothing."""
    process(session, claim_id=int(payload["claim_id"]))
