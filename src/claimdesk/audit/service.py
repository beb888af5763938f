"""Recording audit entries.

Services call :func:`record` while they work. Entries are buffered on the session and
inserted when the transaction commits (a ``before_commit`` hook), so an entry exists
exactly when the change it describes does: a rolled-back request leaves no trace
claiming it happened. Inserting locks nothing shared: the sealer (audit.sealer) chains
committed entries afterwards and signs checkpoints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from claimdesk.audit import repository
from claimdesk.audit.chain import canonical_details, entry_hash
from claimdesk.auth.principal import Principal
from claimdesk.db import Deduped, insert_rows, is_postgres
from claimdesk.models.audit import AuditEntry
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


def search_entries(
    session: Session,
    *,
    entity_type: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    occurred_from: dt.datetime | None = None,
    occurred_to: dt.datetime | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[Sequence[AuditEntry], int]:
    """A page of audit entries matching every filter given, newest first, and the total
    matching (GEN-5). The route's permission is the access check: the trail has no row
    filter."""
    flt = repository.AuditFilter(
        entity_type=entity_type,
        entity_id=entity_id,
        actor=actor,
        action=action,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
    )
    return repository.search(session, flt=flt, offset=offset, limit=limit)


def pending_count(session: Session) -> int:
    return len(session.info.get(_PENDING, []))


def discard_pending_from(session: Session, *, mark: int) -> None:
    """Forget the entries buffered after ``mark`` (``pending_count`` taken before a
    savepoint that was then rolled back): what was undone did not happen."""
    pending: list[PendingEntry] | None = session.info.get(_PENDING)
    if pending is not None:
        del pending[mark:]


def write_pending(session: Session, *, deduped: Deduped | None = None) -> int:
    """Insert the buffered entries; returns how many were written.

    Each entry gets its seq from a sequence (PostgreSQL) and a hash of its own content;
    no row shared by every writer is touched, so commits that write audit entries do not
    queue behind each other. The sealer (audit.sealer) chains them later.

    ``deduped``: rows of another table to write in the same statement (db.insert_rows),
    written even when no entry is pending: a new claim's checks job at commit
    (checks.hooks), one round trip fewer per report (issue 14)."""
    pending: list[PendingEntry] = session.info.pop(_PENDING, [])
    if not pending:
        if deduped is not None:
            insert_rows(session, AuditEntry, [], flush=False, deduped=deduped)
        return 0
    rows = []
    for seq, item in zip(_next_seqs(session, len(pending)), pending, strict=True):
        digest = entry_hash(seq=seq, prev_hash=None, **item.__dict__)
        rows.append({"seq": seq, "prev_hash": None, "hash": digest, **item.__dict__})
    # One statement for all the entries (db.insert_rows), not one per entry as an
    # executemany sends them (issue 14); nothing to flush for them.
    insert_rows(session, AuditEntry, rows, flush=False, deduped=deduped)
    return len(rows)


SEQUENCE = "audit_entries_seq_seq"  # where entries' seqs come from (PostgreSQL)
_NEXT_SEQS = text(f"SELECT nextval('{SEQUENCE}') FROM generate_series(1, :n)")  # noqa: S608
_RESERVED = "claimdesk.audit.reserved"


def reserve_seqs(session: Session, *, seqs: list[int]) -> None:
    """Seqs taken from :data:`SEQUENCE` by a statement of this transaction that had a
    round trip to make anyway (a new claim's insert, db.insert_new_with's ``draw``): the
    pending entries take them first, in order, at commit, and only what they do not
    cover is drawn then. One left unused is a gap, as a rolled-back entry's seq is; the
    sealer settles it once this transaction has ended. Forgotten when the transaction
    ends: a seq is only ever used by the transaction that drew it."""
    if seqs:
        session.info.setdefault(_RESERVED, []).extend(seqs)


def _next_seqs(session: Session, count: int) -> list[int]:
    if is_postgres(session):
        reserved: list[int] = session.info.pop(_RESERVED, [])
        taken = sorted(reserved)[:count]
        if len(taken) < count:
            more = session.connection().execute(_NEXT_SEQS, {"n": count - len(taken)})
            taken += sorted(int(value) for value in more.scalars())
        return taken
    # SQLite: the transaction holds the database's write lock (BEGIN IMMEDIATE).
    top = repository.max_seq(session)
    return list(range(int(top) + 1, int(top) + 1 + count))


@event.listens_for(Session, "before_commit")
def _chain_on_commit(session: Session) -> None:
    if session.info.get(_PENDING):
        write_pending(session)


@event.listens_for(Session, "after_rollback")
def _drop_on_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_transaction_end")
def _drop_reserved(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_RESERVED, None)


# Verification lives in audit.verify; these names stay importable from here.
from claimdesk.audit.verify import VerifyResult, verify_chain  # noqa: E402

__all__ = [
    "PendingEntry",
    "VerifyResult",
    "discard_pending_from",
    "pending_count",
    "record",
    "reserve_seqs",
    "verify_chain",
]
