"""Proving the audit trail (GEN-5, SEC-3): every sealed entry, every checkpoint signature,
and how long entries have waited for the sealer.

Sealed part (seq up to the sealer's head): entry by entry in seq order, the entry exists,
its hash matches its content, the chain link recomputed from the previous link matches
the stored one, every entry in that range is sealed, and at each checkpoint's last entry
the chain equals the checkpoint's hash, whose HMAC must verify with the keyring. The
head names the last sealed entry and its link.

Unsealed part (newer than the head): each entry's hash must match its content; entries
recorded longer ago than ``audit_seal_max_age_seconds`` are counted as stale (the sealer
is not running, or something holds it back).
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session

from claimdesk.audit.chain import GENESIS_HASH, checkpoint_signature, entry_hash, link_hash
from claimdesk.config import get_settings
from claimdesk.crypto.keyring import get_keyring
from claimdesk.models.audit import AuditChainHead, AuditCheckpoint, AuditEntry, AuditSeal
from claimdesk.models.base import UTCDateTime

VERIFY_BATCH = 5000


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries_checked: int
    first_broken_seq: int | None = None
    reason: str | None = None
    sealed: int = 0
    unsealed: int = 0
    # Unsealed entries recorded longer ago than the configured age, and the first one.
    stale_unsealed: int = 0
    oldest_stale_seq: int | None = None
    last_seq: int = 0  # the highest seq checked (0: empty trail)


class _Broken(Exception):
    def __init__(self, seq: int, reason: str) -> None:
        super().__init__(reason)
        self.seq, self.reason = seq, reason


_ENTRY_COLUMNS = (
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
    AuditEntry.recorded_at,
)


def _content_ok(row: Any) -> bool:
    (seq, occurred_at, actor_id, actor, action, entity_type, entity_id, ip, reason) = row[:9]
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
        details=row.details,
        prev_hash=row.prev_hash,
    )
    return hmac.compare_digest(recomputed, row.hash)


def _entries_between(session: Session, after: int | None, upto: int | None) -> Iterator[Any]:
    """Entries with after < seq (<= upto; no lower bound for None) in seq order, in
    keyset batches: constant memory and no long-lived server cursor, on both databases."""
    while True:
        query = select(*_ENTRY_COLUMNS)
        if after is not None:
            query = query.where(AuditEntry.seq > after)
        if upto is not None:
            query = query.where(AuditEntry.seq <= upto)
        batch = session.execute(query.order_by(AuditEntry.seq).limit(VERIFY_BATCH)).all()
        if not batch:
            return
        yield from batch
        after = batch[-1].seq


def _seals_upto(session: Session, upto: int) -> Iterator[Any]:
    after = 0
    while True:
        query = (
            select(AuditSeal.seq, AuditSeal.chain_hash, AuditSeal.checkpoint_id)
            .where(AuditSeal.seq > after, AuditSeal.seq <= upto)
            .order_by(AuditSeal.seq)
            .limit(VERIFY_BATCH)
        )
        batch = session.execute(query).all()
        if not batch:
            return
        yield from batch
        after = batch[-1].seq


class _SealedWalk:
    """The walk over the sealed part; raises _Broken at the first fault."""

    def __init__(self, session: Session, keys: dict[str, bytes] | None) -> None:
        self.session, self.keys = session, keys
        self.chain, self.checked, self.last_seq = GENESIS_HASH, 0, 0
        self.checkpoint: AuditCheckpoint | None = None
        self.next_checkpoint, self.in_checkpoint = 1, 0

    def run(self, head_seq: int, head_hash: str) -> None:
        # No lower bound: an entry slipped in below seq 1 is found too.
        entries = _entries_between(self.session, None, head_seq)
        entry = next(entries, None)
        for seal in _seals_upto(self.session, head_seq):
            if entry is not None and entry.seq < seal.seq:
                raise _Broken(entry.seq, "entry not in the sealed chain (inserted after sealing)")
            if entry is None or entry.seq != seal.seq:
                raise _Broken(seal.seq, f"entry missing (sealed in checkpoint #{seal[2]})")
            self._entry(entry, seal)
            entry = next(entries, None)
        if entry is not None:
            raise _Broken(entry.seq, "entry not in the sealed chain (inserted after sealing)")
        self._tail(head_seq, head_hash)

    def _entry(self, entry: Any, seal: Any) -> None:
        if not _content_ok(entry):
            raise _Broken(entry.seq, "content does not match its hash (entry altered)")
        self.chain = link_hash(self.chain, entry.seq, entry.hash)
        if self.chain != seal.chain_hash:
            raise _Broken(
                entry.seq, "chain link does not match (an entry before it was removed or altered)"
            )
        self._checkpoint(entry.seq, seal.checkpoint_id)
        self.checked += 1
        self.last_seq = entry.seq

    def _checkpoint(self, seq: int, checkpoint_id: int) -> None:
        if self.checkpoint is None:
            if checkpoint_id != self.next_checkpoint:
                raise _Broken(seq, f"checkpoint #{self.next_checkpoint} missing")
            self.checkpoint = self.session.get(AuditCheckpoint, checkpoint_id)
            if self.checkpoint is None or self.checkpoint.first_seq != seq:
                raise _Broken(seq, f"checkpoint #{checkpoint_id} missing or altered")
            self._signature(self.checkpoint)
            self.in_checkpoint = 0
        elif checkpoint_id != self.checkpoint.id:
            raise _Broken(seq, f"sealed entries of checkpoint #{self.checkpoint.id} missing")
        self.in_checkpoint += 1
        if seq == self.checkpoint.last_seq:
            if self.chain != self.checkpoint.chain_hash:
                raise _Broken(seq, f"chain does not match checkpoint #{checkpoint_id}'s hash")
            if self.in_checkpoint != self.checkpoint.entries:
                raise _Broken(seq, f"checkpoint #{checkpoint_id} sealed a different number")
            self.checkpoint, self.next_checkpoint = None, checkpoint_id + 1

    def _signature(self, cp: AuditCheckpoint) -> None:
        if self.keys is None:
            return
        key = self.keys.get(cp.key_id)
        if key is None:
            raise _Broken(cp.first_seq, f"checkpoint #{cp.id} key {cp.key_id} not in the keyring")
        expected = checkpoint_signature(
            key,
            checkpoint_id=cp.id,
            first_seq=cp.first_seq,
            last_seq=cp.last_seq,
            entries=cp.entries,
            chain=cp.chain_hash,
        )
        if not hmac.compare_digest(expected, cp.signature):
            raise _Broken(cp.first_seq, f"checkpoint #{cp.id} signature invalid (forged)")

    def _tail(self, head_seq: int, head_hash: str) -> None:
        if self.checkpoint is not None:
            raise _Broken(
                self.last_seq + 1,
                f"entry missing (checkpoint #{self.checkpoint.id} ends at "
                f"#{self.checkpoint.last_seq})",
            )
        if self.last_seq != head_seq or self.chain != head_hash:
            raise _Broken(
                self.last_seq + 1,
                f"entry missing (the sealer's chain head says last sealed is #{head_seq})",
            )
        later = self.session.execute(
            select(func.min(AuditCheckpoint.id)).where(
                AuditCheckpoint.id >= self.next_checkpoint, AuditCheckpoint.last_seq <= head_seq
            )
        ).scalar()
        if later is not None:
            raise _Broken(head_seq, f"the entries of checkpoint #{later} are missing")


def _database_now(session: Session) -> dt.datetime:
    """The database's CURRENT_TIMESTAMP, as an aware UTC instant."""
    found: dt.datetime | None = session.scalar(
        select(type_coerce(func.current_timestamp(), UTCDateTime()))
    )
    assert found is not None
    return found


def verify_chain(
    session: Session,
    *,
    keys: dict[str, bytes] | None = None,
    max_age: dt.timedelta | None = None,
    now: dt.datetime | None = None,
) -> VerifyResult:
    """Prove every sealed entry and checkpoint or name the first broken entry; check the
    unsealed entries' own hashes and count those waiting longer than ``max_age``.

    ``keys``: the keyring's keys (default: the process keyring) for the checkpoints'
    signatures."""
    if keys is None:
        keys = get_keyring().keys
    if max_age is None:
        max_age = dt.timedelta(seconds=get_settings().audit_seal_max_age_seconds)
    head_seq, head_hash = session.execute(
        select(AuditChainHead.last_seq, AuditChainHead.last_hash).where(AuditChainHead.id == 1)
    ).one()
    walk = _SealedWalk(session, keys)
    try:
        walk.run(int(head_seq), head_hash)
    except _Broken as broken:
        return VerifyResult(False, walk.checked, broken.seq, broken.reason, sealed=walk.checked)
    # The age is measured on the clock that stamped the entries: recorded_at is the
    # database's CURRENT_TIMESTAMP, and an application server whose clock runs ahead of
    # the database's (or a test under faketime, which fakes only this process) would
    # otherwise call every fresh entry stale.
    cutoff = (now or _database_now(session)) - max_age
    unsealed, stale, oldest, last = 0, 0, None, walk.last_seq
    for row in _entries_between(session, int(head_seq), None):
        if not _content_ok(row):
            return VerifyResult(
                False,
                walk.checked + unsealed,
                row.seq,
                "content does not match its hash (entry altered)",
                sealed=walk.checked,
                unsealed=unsealed,
            )
        unsealed += 1
        last = row.seq
        if row.recorded_at < cutoff:
            stale += 1
            oldest = oldest or row.seq
    return VerifyResult(
        True,
        walk.checked + unsealed,
        sealed=walk.checked,
        unsealed=unsealed,
        stale_unsealed=stale,
        oldest_stale_seq=oldest,
        last_seq=last,
    )
