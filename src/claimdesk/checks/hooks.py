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

from claimdesk.checks import repository
from claimdesk.checks.service import enqueue_checks, enqueue_new_claim_checks
from claimdesk.db import inserted
from claimdesk.models.bill import Bill
from claimdesk.models.claim import Claim, FraudFlag, MaterialFile

_PENDING = "checks.pending_claims"
_OUTCOMES = "checks.flag_outcomes"
_OUTCOME_OF = {"cleared": "false_hold", "confirmed": "confirmed"}


def _data_types() -> tuple[type[Any], ...]:
    return (MaterialFile, Bill)


def _collect(session: Session, flush_context: Any) -> None:
    _collect_outcomes(session)
    pending: set[int] = session.info.setdefault(_PENDING, set())
    data = _data_types()
    for obj in session.new:
        if isinstance(obj, Claim) and obj.id is not None:
            pending.add(obj.id)
        elif isinstance(obj, data) and getattr(obj, "claim_id", None) is not None:
            pending.add(obj.claim_id)


def _collect_outcomes(session: Session) -> None:
    """An investigator's decision on a flag a check raised is that hit's outcome:
    cleared = a false hold, confirmed = confirmed (counted per check, CLM-T4)."""
    outcomes: dict[int, tuple[str, int | None, Any]] = session.info.setdefault(_OUTCOMES, {})
    for obj in session.dirty:
        if isinstance(obj, FraudFlag) and obj.status in _OUTCOME_OF:
            outcomes[obj.id] = (_OUTCOME_OF[obj.status], obj.resolved_by_id, obj.resolved_at)


def _record_outcomes(session: Session) -> None:
    outcomes: dict[int, tuple[str, int | None, Any]] = session.info.pop(_OUTCOMES, {})
    for flag_id, (outcome, by, at) in sorted(outcomes.items()):
        repository.record_outcome(session, fraud_flag_id=flag_id, outcome=outcome, by=by, at=at)


def _enqueue(session: Session) -> None:
    # before_commit comes before the commit's own flush: data added but not yet flushed
    # would otherwise be seen only at the session's next commit (if any).
    if session.new or session.dirty or session.deleted:
        session.flush()
    _record_outcomes(session)
    pending: set[int] = session.info.pop(_PENDING, set())
    data = _data_types()
    written = inserted(session)
    for obj in written:  # rows written without a flush (db.insert_new) are new data too
        if isinstance(obj, data):
            pending.add(obj.claim_id)
    # A claim created in this transaction (the report writes it with db.insert_new) that
    # no file or receipt has reached: its data version needs no read.
    created = {o.id: o for o in written if isinstance(o, Claim) and o.id not in pending}
    if not pending and not created:
        return

    for claim_id in sorted(pending):
        enqueue_checks(session, claim_id=claim_id)
    if created:
        # With the pending audit entries, one statement (the report's commit, issue 14).
        enqueue_new_claim_checks(session, claims=[created[i] for i in sorted(created)])


def _forget(session: Session, *args: Any) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_OUTCOMES, None)


_installed = False


def install() -> None:
    """Idempotent: the API and the worker both import this."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _collect)
    # First of the before_commit hooks, before audit.service's: the new claims' jobs go
    # in the statement that writes the pending audit entries (one round trip at commit,
    # issue 14), and an entry recorded here is still written by the audit hook.
    event.listen(Session, "before_commit", _enqueue, insert=True)
    event.listen(Session, "after_rollback", _forget)
    _installed = True


install()
