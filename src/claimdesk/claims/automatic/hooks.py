"""Look at a claim for the automatic path when its data change (CLM-T2): a new claim,
material file or e-bill queues a ``claims.automatic`` job in the same transaction (the
checks' pattern, checks/hooks.py). The job waits until the CLM-F3 checks have run on
those very data — and when a ``checks.run`` job is marked done, another look is queued
in that same commit, so the decision follows the checks at once instead of at the next
re-check."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from claimdesk.models.bill import Bill
from claimdesk.models.claim import Claim, MaterialFile
from claimdesk.models.job import Job

_PENDING = "automatic.pending_claims"


def _collect(session: Session, flush_context: Any) -> None:
    pending: set[int] = session.info.setdefault(_PENDING, set())
    for obj in session.new:
        if isinstance(obj, Claim) and obj.id is not None:
            pending.add(obj.id)
        elif isinstance(obj, (MaterialFile, Bill)) and getattr(obj, "claim_id", None):
            pending.add(obj.claim_id)


def _checked(session: Session) -> list[tuple[int, str]]:
    """(claim, data version) of the checks runs this commit marks done."""
    found = []
    for obj in session.dirty:
        if isinstance(obj, Job) and obj.kind == "checks.run" and obj.status == "done":
            try:
                payload = json.loads(obj.payload or "{}")
                found.append((int(payload["claim_id"]), str(payload["data_version"])))
            except (ValueError, KeyError, TypeError):
                continue
    return sorted(found)


def _enqueue(session: Session) -> None:
    pending: set[int] = session.info.pop(_PENDING, set())
    checked = _checked(session)
    if not pending and not checked:
        return
    from claimdesk.claims.automatic.service import enqueue_after_checks, enqueue_automatic

    for claim_id in sorted(pending):
        enqueue_automatic(session, claim_id=claim_id)
    for claim_id, version in checked:
        enqueue_after_checks(session, claim_id=claim_id, data_version=version)


def _forget(session: Session, *args: Any) -> None:
    session.info.pop(_PENDING, None)


_installed = False


def install() -> None:
    """Idempotent: the API and the worker both import this."""
    global _installed
    if _installed:
        return
    # After the checks' hook (imported first), so the checks job is queued first.
    from claimdesk.checks import hooks as checks_hooks

    checks_hooks.install()
    event.listen(Session, "after_flush", _collect)
    event.listen(Session, "before_commit", _enqueue)
    event.listen(Session, "after_rollback", _forget)
    _installed = True


install()
