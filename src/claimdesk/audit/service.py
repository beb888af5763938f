"""Recording audit entries.

Services call :func:`record` while they work. Entries are buffered on the session and
chained when the transaction commits (a ``before_commit`` hook), so the chain head is
locked only for the commit itself and an entry exists exactly when the change it
describes does: a rolled-back request leaves no trace claiming it happened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from claimdesk.audit.chain import GENESIS_HASH, canonical_details, entry_hash
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
    session.execute(
        update(AuditChainHead).where(AuditChainHead.id == 1).values(last_hash=prev_hash)
    )
    return len(rows)


@event.listens_for(Session, "before_commit")
def _chain_on_commit(session: Session) -> None:
    if session.info.get(_PENDING):
        write_pending(session)


@event.listens_for(Session, "after_rollback")
def _drop_on_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


# --- Verifying the chain (GEN-5, SEC-3) -------------------------------------------------

VERIFY_BATCH = 5000


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries_checked: int
    first_broken_seq: int | None = None
    reason: str | None = None


_VERIFY_COLUMNS = (
    AuditEntry.seq,
    AuditEntry.occurred_at,
    AuditEntry.actor_id,
    AuditEntry.actor,
    AuditEntry.action,
    AuditEntry.entity_type,
    AuditEntry.entity_id,
    AuditEntry.ip,
    AuditEntry.reason,
    AuditEntry.details,
    AuditEntry.prev_hash,
    AuditEntry.hash,
)


def _entries_after(session: Session, seq: int) -> Iterator[Any]:
    """Entries with seq > ``seq`` in order, fetched in keyset batches: constant memory
    and no long-lived server cursor, on both databases."""
    while True:
        query = select(*_VERIFY_COLUMNS).where(AuditEntry.seq > seq).order_by(AuditEntry.seq)
        batch = session.execute(query.limit(VERIFY_BATCH)).all()
        if not batch:
            return
        yield from batch
        seq = batch[-1].seq


def verify_chain(session: Session) -> VerifyResult:
    """Prove the trail intact or name the first broken entry.

    Checks, entry by entry in seq order: seq has no gap, prev_hash is the previous
    entry's hash, the hash recomputed from the content matches; finally the chain head
    row names the last entry and its hash.
    """
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    # Appends may commit while we read (READ COMMITTED); the head is re-read after each
    # pass and, if it moved on, the new entries are verified too.
    for _ in range(100):
        for row in _entries_after(session, expected_seq - 1):
            broken = _check_entry(row, expected_seq, prev_hash)
            if broken:
                return VerifyResult(False, checked, *broken)
            checked += 1
            expected_seq, prev_hash = row[0] + 1, row[-1]
        head_seq, head_hash = session.execute(
            select(AuditChainHead.last_seq, AuditChainHead.last_hash).where(AuditChainHead.id == 1)
        ).one()
        last_seq = expected_seq - 1
        if head_seq == last_seq:
            if head_hash != prev_hash:
                return VerifyResult(
                    False,
                    checked,
                    max(last_seq, 1),
                    "chain head hash does not match the last entry",
                )
            return VerifyResult(True, checked)
        if head_seq < last_seq:
            return VerifyResult(
                False,
                checked,
                head_seq + 1,
                f"entry beyond the chain head (head says last is #{head_seq})",
            )
        # head_seq > last_seq: either a concurrent append (loop again) or deleted tail.
        later = select(AuditEntry.seq).where(AuditEntry.seq > last_seq).limit(1)
        if session.execute(later).first() is None:
            return VerifyResult(
                False, checked, last_seq + 1, f"entry missing (chain head says last is #{head_seq})"
            )
    return VerifyResult(False, checked, expected_seq, "chain kept moving during verification")


def _check_entry(row: Any, expected_seq: int, prev_hash: str) -> tuple[int, str] | None:
    (
        seq,
        occurred_at,
        actor_id,
        actor,
        action,
        entity_type,
        entity_id,
        ip,
        reason,
        details,
        stored_prev,
        stored_hash,
    ) = row
    if seq != expected_seq:
        return expected_seq, f"entry missing (next entry found is #{seq})"
    if stored_prev != prev_hash:
        return seq, "prev_hash does not match the previous entry's hash"
    recomputed = entry_hash(
        seq=seq,
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        ip=ip,
        reason=reason,
        details=details,
        prev_hash=stored_prev,
    )
    if recomputed != stored_hash:
        return seq, "content does not match its hash (entry altered)"
    return None
