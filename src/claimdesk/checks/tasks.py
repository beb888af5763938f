"""Background work of the checks (CLM-F3): one run per claim and data version."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.checks import hooks  # noqa: F401  (queues the runs when data arrive)
from claimdesk.checks.service import (
    JOB_KIND,
    SERIES_JOB_KIND,
    recheck_series_later,
    run_checks,
    stale,
    system_actor,
)
from claimdesk.jobs.queue import task


@task(JOB_KIND)
def run_claim_checks(session: Session, payload: dict[str, Any], *, now: dt.datetime) -> None:
    """Idempotent: a hit already found on the same evidence is neither recorded nor
    acted on twice, so a retried or duplicated job changes nothing.

    A run queued for data that have changed since is skipped: the change queued a run
    for the new data in the same transaction (hooks), which checks everything again. A
    claim reported with three files and an e-bill makes five versions in a few seconds;
    checking each of them cost the worker five runs per claim and put the automatic
    path's decisions behind a queue of runs whose results nobody reads (issue 13's
    benchmark: 4,500 queued jobs after 1,100 claims)."""
    claim_id = int(payload["claim_id"])
    if stale(session, claim_id=claim_id, data_version=payload.get("data_version")):
        return
    run_checks(session, claim_id=claim_id, actor=system_actor())


@task(SERIES_JOB_KIND)
def recheck_series(session: Session, payload: dict[str, Any], *, now: dt.datetime) -> None:
    """A series re-check deferred by a run that found the claim held elsewhere (a run of
    its own, mostly, which will have found the series itself): once per claim and check."""
    recheck_series_later(
        session,
        claim_id=int(payload["claim_id"]),
        hit_id=int(payload["hit_id"]),
        actor=system_actor(),
    )
