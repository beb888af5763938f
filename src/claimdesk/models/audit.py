"""The audit trail (GEN-5, SEC-5): append-only, hash-chained by a sealer.

Writers insert entries with a number from a sequence and their own content hash; no row
is shared by every writer. The sealer (audit.sealer) chains the committed entries in seq
order (audit_seals) and signs a checkpoint per batch (audit_checkpoints)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from claimdesk.models.base import Base


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    # seq orders the trail: from the sequence audit_entries_seq_seq on PostgreSQL (gaps
    # where a transaction rolled back), max + 1 under SQLite's single writer.
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    occurred_at: Mapped[dt.datetime]
    actor_id: Mapped[int | None]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    # Canonical JSON of what changed or was read (never the personal data itself).
    details: Mapped[str] = mapped_column(Text, default="{}")
    # Entries written before the sealer (migration 0020) keep their old chain link; the
    # hash covers it. New entries: NULL, and hash covers the entry's own content only.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The database clock at insert (not part of the hash): finds entries left unsealed.
    recorded_at: Mapped[dt.datetime] = mapped_column(server_default=text("CURRENT_TIMESTAMP"))


Index("ix_audit_entries_entity", AuditEntry.entity_type, AuditEntry.entity_id)


class AuditChainHead(Base):
    """Single row: the sealer's position, the last sealed seq and its chain hash. Only the
    sealer locks it (SELECT ... FOR UPDATE SKIP LOCKED: one sealer at a time); writers of
    entries never touch it."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditSeal(Base):
    """One sealed entry's link: chain_hash = H(previous link, seq, entry hash)."""

    __tablename__ = "audit_seals"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    chain_hash: Mapped[str] = mapped_column(String(64))
    checkpoint_id: Mapped[int] = mapped_column(Integer)


class AuditCheckpoint(Base):
    """One sealed batch: its range, the chain hash at its last entry, and an HMAC over
    them with a keyring key (key_id) that is never in the database."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    first_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    last_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    entries: Mapped[int] = mapped_column(Integer)
    chain_hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(40))
    signature: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[dt.datetime]
