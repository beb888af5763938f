"""The sealer: chains committed audit entries in seq order and signs a checkpoint per
batch (GEN-5, issue 14 item 1).

Writers take seqs from a sequence and commit in any order, so a committed entry with a
higher seq can be visible before a lower one commits, and a rolled-back transaction
leaves a seq that never appears. The sealer therefore seals only a prefix it can prove
final: entries without a gap after the last sealed one, and a gap only once every id up
to it is settled - on PostgreSQL, ids up to the sequence's value read at a moment T are
settled when every transaction of this database open at T has ended (each one holds its
virtual transaction id lock until then; the sequence has CACHE 1, so ids are handed out
in order). A settled id that is absent belonged to a rolled-back transaction (or was
deleted before sealing: see docs/architecture.md), and the chain goes on past it.

One sealer at a time: it locks the head row (audit_chain_head) with SKIP LOCKED; no other
transaction ever locks that row.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from claimdesk.audit.chain import checkpoint_signature, link_hash
from claimdesk.crypto.keyring import get_keyring
from claimdesk.db import is_postgres
from claimdesk.models.audit import AuditChainHead, AuditCheckpoint, AuditEntry, AuditSeal
from claimdesk.models.base import utcnow

log = logging.getLogger(__name__)

BATCH = 5000


@dataclass(frozen=True)
class SealResult:
    sealed: int
    checkpoints: int
    last_sealed_seq: int
    busy: bool = False  # another sealer holds the head


def seal(
    session: Session,
    *,
    now: dt.datetime | None = None,
    batch: int = BATCH,
    max_batches: int = 100,
    settle_wait: float = 2.0,
) -> SealResult:
    """Seal what can be proven final, one checkpoint per batch; the caller commits.

    ``settle_wait``: how long to wait for open transactions when a gap must be settled;
    after that the gap (and everything after it) waits for the next run."""
    head = session.execute(
        select(AuditChainHead)
        .where(AuditChainHead.id == 1)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)  # never a stale head from the session
    ).scalar_one_or_none()
    if head is None:
        return SealResult(0, 0, 0, busy=True)

    keyring = get_keyring()
    settled: int | None = None  # every id <= settled is committed or never will be
    sealed = checkpoints = 0
    while checkpoints < max_batches:
        rows = session.execute(
            select(AuditEntry.seq, AuditEntry.hash)
            .where(AuditEntry.seq > head.last_seq)
            .order_by(AuditEntry.seq)
            .limit(batch)
        ).all()
        take, expected, gap = [], head.last_seq + 1, False
        for seq, digest in rows:
            if seq != expected and (settled is None or seq - 1 > settled):
                gap = True
                break
            take.append((int(seq), digest))
            expected = seq + 1
        if gap and settled is None:
            # Settle once, then read again: an id of the gap may have committed meanwhile.
            settled = _settled_watermark(session, settle_wait)
            continue
        if not take:
            break
        _checkpoint(
            session, head, take, key_id=keyring.active, key=keyring.keys[keyring.active], now=now
        )
        sealed += len(take)
        checkpoints += 1
        if gap or len(rows) < batch:
            break
    if checkpoints:
        session.flush()
    return SealResult(sealed, checkpoints, head.last_seq)


def _checkpoint(
    session: Session,
    head: AuditChainHead,
    take: list[tuple[int, str]],
    *,
    key_id: str,
    key: bytes,
    now: dt.datetime | None = None,
) -> None:
    number = (session.execute(select(func.max(AuditCheckpoint.id))).scalar() or 0) + 1
    chain, seals = head.last_hash, []
    for seq, digest in take:
        chain = link_hash(chain, seq, digest)
        seals.append({"seq": seq, "chain_hash": chain, "checkpoint_id": number})
    session.execute(insert(AuditSeal), seals)
    first, last = take[0][0], take[-1][0]
    signature = checkpoint_signature(
        key, checkpoint_id=number, first_seq=first, last_seq=last, entries=len(take), chain=chain
    )
    session.add(
        AuditCheckpoint(
            id=number,
            first_seq=first,
            last_seq=last,
            entries=len(take),
            chain_hash=chain,
            key_id=key_id,
            signature=signature,
            sealed_at=now or utcnow(),
        )
    )
    head.last_seq, head.last_hash = last, chain
    session.flush()
    # The log is a witness outside the database: truncating the trail back to an older
    # checkpoint is visible against the latest checkpoint logged here.
    log.info(
        "audit checkpoint #%d: entries #%d..#%d (%d), chain %s, signature %s (%s)",
        number,
        first,
        last,
        len(take),
        chain,
        signature,
        key_id,
    )


def _settled_watermark(session: Session, wait: float) -> int:
    """The highest id such that every id up to it is committed or never will be."""
    if not is_postgres(session):
        # One writer at a time and no rollback holes (max + 1): what is missing was
        # deleted, and waiting would not bring it back.
        return 2**62
    top = session.execute(
        text(
            "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END "
            "FROM audit_entries_seq_seq"
        )
    ).scalar_one()
    # Read after ``top``: any transaction holding an id <= top is still open now.
    open_now = list(
        session.execute(
            text(
                "SELECT l.virtualxid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'virtualxid' AND l.virtualxid IS NOT NULL "
                "AND a.datname = current_database() AND l.pid <> pg_backend_pid()"
            )
        ).scalars()
    )
    deadline = time.monotonic() + wait
    while open_now:
        if time.monotonic() > deadline:
            return -1  # not settled this run: seal no gap
        time.sleep(0.02)
        open_now = list(
            session.execute(
                text(
                    "SELECT virtualxid FROM pg_locks WHERE locktype = 'virtualxid' "
                    "AND virtualxid = ANY(:open)"
                ),
                {"open": open_now},
            ).scalars()
        )
    return int(top)
