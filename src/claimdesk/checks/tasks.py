"""Background work of the checks (CLM-F3): one run per claim and data version."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.checks import hooks  # noqa: F401  (queues the runs when data arrive)
from claimdesk.checks.service import JOB_KIND, run_checks, system_actor
from claimdesk.jobs.queue import task


@task(JOB_KIND)
def run_claim_checks(session: Session, payload: dict[str, Any], *, now: dt.datetime) -> None:
    """Idempotent: a hit already found on the same evidence is neither recorded nor
    acted on twice, so a retried or duplicated job changes nothing."""
    run_checks(session, claim_id=int(payload["claim_id"]), actor=system_actor())
