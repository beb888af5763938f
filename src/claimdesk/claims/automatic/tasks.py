"""Background work of the automatic path (CLM-T2): one look per claim and data version.

While the CLM-F3 checks of the latest data have not run, the job queues its own
follow-up a moment later (``CLAIMDESK_AUTOMATIC_RECHECK_SECONDS``, default 0.5 s) instead
of deciding on stale checks (doubling, up to 10 times the interval); the end of the
checks run queues a look at once (hooks.py); after ``service.CHECKS_PATIENCE`` a person
takes over.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.claims import timeutil
from claimdesk.claims.automatic import hooks  # noqa: F401  (queues the looks when data arrive)
from claimdesk.claims.automatic.service import JOB_KIND, job_key, process
from claimdesk.jobs.queue import enqueue, task
from claimdesk.models.base import utcnow


def recheck_interval(wait: int = 1) -> dt.timedelta:
    """The pause before the ``wait``-th re-check: the configured interval, doubling up
    to 10 times it (a backlog of checks is not polled every half second)."""
    try:
        seconds = float(os.environ.get("CLAIMDESK_AUTOMATIC_RECHECK_SECONDS", "0.5"))
    except ValueError:
        seconds = 0.5
    seconds = min(max(seconds, 0.05), 60.0)
    return dt.timedelta(seconds=seconds * min(2 ** max(wait - 1, 0), 10))


@task(JOB_KIND)
def run_automatic(session: Session, payload: dict[str, Any], *, now: dt.datetime) -> None:
    """Idempotent: the claim's lock and its decision row make a repeat do nothing."""
    claim_id = int(payload["claim_id"])
    first = payload.get("first_seen")
    first_seen = dt.datetime.fromisoformat(first) if first else timeutil.now()
    outcome = process(session, claim_id=claim_id, first_seen=first_seen)
    if outcome.status != "wait" or outcome.data_version is None:
        return
    wait = int(payload.get("wait", 0)) + 1
    enqueue(
        session,
        kind=JOB_KIND,
        payload={
            "claim_id": claim_id,
            "data_version": outcome.data_version,
            "wait": wait,
            "first_seen": first_seen.isoformat(),
        },
        run_at=utcnow() + recheck_interval(wait),
        dedupe_key=job_key(claim_id, outcome.data_version, wait),
    )
