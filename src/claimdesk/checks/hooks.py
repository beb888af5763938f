"""Run the checks when a claim's data arrive (CLM-F3): a new claim or a new material file
queues a ``checks.run`` job in the same transaction, so the request stays fast and the
job exists exactly when the data were committed.

A session event rather than a call in every place that adds data: a claim's data come in
through the report, the staff and portal uploads, mass events and e-bills (CLM-T1), and
none of them has to remember the checks. Anything else may call
``service.enqueue_checks`` itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from claimdesk.models.claim import Claim, MaterialFile

_PENDING = "checks.pending_claims"


def _data_types() -> tuple[type[Any], ...]:
    try:
        from claimdesk.models.bill import Bill
    except ImportError:  # no bills domain in this installation
        return (MaterialFile,)
    return (MaterialFile, Bill)


def _collect(session: Session, flush_context: Any) -> None:
    pending: set[int] = session.info.setdefault(_PENDING, set())
    data = _data_types()
    for obj in session.new:
        if isinstance(obj, Claim) and obj.id is not None:
            pending.add(obj.id)
        elif isinstance(obj, data) and getattr(obj, "claim_id", None) is not None:
            pending.add(obj.claim_id)


def _enqueue(session: Session) -> None:
    pending: set[int] = session.info.pop(_PENDING, set())
    if not pending:
        return
    from claimdesk.checks.service import enqueue_checks

    for claim_id in sorted(pending):
        enqueue_checks(session, claim_id=claim_id)


def _forget(session: Session, *args: Any) -> None:
    session.info.pop(_PENDING, None)


_installed = False


def install() -> None:
    """Idempotent: the API and the worker both import this."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _collect)
    event.listen(Session, "before_commit", _enqueue)
    event.listen(Session, "after_rollback", _forget)
    _installed = True


install()
