"""Recording audit entries.

Services call :func:`record` while they work. Entries are buffered on the session and
chained when the transaction commits (a ``before_commit`` hook), so the chain head is
locked only for the commit itself and an entry exists exactly when the change it
describes does: a rolled-back request leaves no trace claiming it happened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, insert, update
from sqlalchemy.orm import Session

from claimdesk.audit.chain import canonical_details, entry_hash
from claimdesk.auth.principal import Principal
from claimdesk.models.audit import AuditChainHead, AuditEntry
from claimdesk.models.base import utcnow

_PENDING = "claimdesk.audit.pending"


@dataclass(frozen=True)
class PendingEntry:
    occurred_at: dt.datetime
    actor_id: int | None
    actor: str
    action: str
    entity_type: str
    entity_id: str | None
    ip: str | None
    reason: str | None
    details: str


def record(
    session: Session,
    *,
    actor: Principal,
    action: str,
    entity_type: str,
    entity_id: str | int | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Buffer one audit entry: who (actor), what (action, details), which record
    (entity), from where (actor.ip), why (reason), when (at, default now)."""
    pending: list[PendingEntry] = session.info.setdefault(_PENDING, [])
    pending.append(
        PendingEntry(
            occurred_at=at or utcnow(),
            actor_id=actor.user_id,
            actor=actor.username,
            action=action,
            entity_type=entity_type,
            entity_id=None if entity_id is None else str(entity_id),
            ip=actor.ip,
            reason=reason,
            details=canonical_details(details),
        )
    )


def pending_count(session: Session) -> int:
    return len(session.info.get(_PENDING, []))


def write_pending(session: Session) -> int:
    """Chain and insert the buffered entries; returns how many were written."""
    pending: list[PendingEntry] = session.info.pop(_PENDING, [])
    if not pending:
        return 0
    # Taking the head row first serialises appenders on both databases (row lock on
    # PostgreSQL, the write lock on SQLite).
    last_seq, prev_hash = session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == 1)
        .values(last_seq=AuditChainHead.last_seq + len(pending))
        .returning(AuditChainHead.last_seq, AuditChainHead.last_hash)
    ).one()
    seq = last_seq - len(pending)
    rows = []
    for item in pending:
        seq += 1
        digest = entry_hash(seq=seq, prev_hash=prev_hash, **item.__dict__)
        rows.append({"seq": seq, "prev_hash": prev_hash, "hash": digest, **item.__dict__})
        prev_hash = digest
    session.execute(insert(AuditEntry), rows)
    session.execute(update(AuditChainHead).where(AuditChainHead.id == 1).values(last_hash=prev_hash))
    return len(rows)


@event.listens_for(Session, "before_commit")
def _chain_on_commit(session: Session) -> None:
    if session.info.get(_PENDING):
        write_pending(session)


@event.listens_for(Session, "after_rollback")
def _drop_on_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
