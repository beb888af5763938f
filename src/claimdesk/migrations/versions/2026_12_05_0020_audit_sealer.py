"""sealed audit trail (GEN-5, issue 14 item 1): entries are inserted with a number from a
sequence and their own content hash, without a global chain head; a sealer chains them
later (audit_seals) and signs a checkpoint per batch (audit_checkpoints).

- audit_entries.seq comes from the sequence audit_entries_seq_seq on PostgreSQL (owned by
  the column, CACHE 1 so that numbers are handed out in order across sessions);
- audit_entries.prev_hash is NULL for entries written from now on (entries written
  before keep theirs, and their hash still covers it);
- audit_entries.recorded_at: the database clock when the entry was inserted, to find
  entries left unsealed for too long;
- audit_chain_head becomes the sealer's position (last sealed seq and chain hash) and
  starts again at 0: the sealer seals the entries written before too.

Revision ID: 0020_audit_sealer
Revises: 0013_security_incidents
Create Date: 2026-12-05 22:30:00
"""

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0020_audit_sealer"
down_revision: str | Sequence[str] | None = "0013_security_incidents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APPEND_ONLY = ("audit_seals", "audit_checkpoints")


def upgrade() -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("first_seq", SEQ, nullable=False),
        sa.Column("last_seq", SEQ, nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("chain_hash", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )
    op.create_table(
        "audit_seals",
        sa.Column("seq", SEQ, autoincrement=False, nullable=False),
        sa.Column("chain_hash", sa.String(length=64), nullable=False),
        sa.Column("checkpoint_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_seals")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=True)
        batch_op.add_column(
            sa.Column(
                "recorded_at",
                sa.DateTime(timezone=True),
                server_default=sa.text("CURRENT_TIMESTAMP"),
                nullable=False,
            )
        )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE audit_entries_seq_seq CACHE 1 OWNED BY audit_entries.seq")
        op.execute(
            "SELECT setval('audit_entries_seq_seq', coalesce(max(seq), 1), max(seq) IS NOT NULL) "
            "FROM audit_entries"
        )
    else:
        _sqlite_entries_triggers()  # the batch rebuild of audit_entries dropped them
    _append_only(APPEND_ONLY)
    op.execute(
        sa.text("UPDATE audit_chain_head SET last_seq = 0, last_hash = :genesis").bindparams(
            genesis=GENESIS_HASH
        )
    )


def _sqlite_entries_triggers() -> None:
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER IF NOT EXISTS audit_entries_no_{event.lower()} BEFORE {event} "
            "ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END"
        )


def _append_only(tables: tuple[str, ...]) -> None:
    """Seals and checkpoints are append-only like the entries (GEN-5)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION audit_seal_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        for table in tables:
            op.execute(
                f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION audit_seal_append_only()"
            )
        return
    for table in tables:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def _old_hash(row: Any, prev_hash: str) -> str:
    """The entry hash as chain.entry_hash computes it (frozen here for this migration)."""
    occurred = row.occurred_at
    if occurred.tzinfo is None:  # SQLite: naive means UTC
        occurred = occurred.replace(tzinfo=dt.UTC)
    utc = occurred.astimezone(dt.UTC)
    if utc.year >= 1000:
        when = utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    else:
        when = utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    material = [
        row.seq,
        when,
        row.actor_id,
        row.actor,
        row.action,
        row.entity_type,
        row.entity_id,
        row.ip,
        row.reason,
        row.details,
        prev_hash,
    ]
    text = json.dumps(material, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _rechain_for_the_old_head() -> None:
    """Entries written under the sealer have no prev_hash: chain them as the old head
    did (each hash covering the previous entry's), with the trigger briefly off. On
    PostgreSQL the old verifier also wants seqs without gaps, which rolled-back
    transactions may have left: such a trail downgrades but reports those gaps."""
    bind = op.get_bind()
    entries = sa.table(
        "audit_entries",
        *(
            sa.column(name)
            for name in (
                "seq",
                "actor_id",
                "actor",
                "action",
                "entity_type",
                "entity_id",
                "ip",
                "reason",
                "details",
                "prev_hash",
                "hash",
            )
        ),
        sa.column("occurred_at", sa.DateTime(timezone=True)),
    )
    pg = bind.dialect.name == "postgresql"
    if pg:
        op.execute("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_change")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_update")
    prev, rewriting = GENESIS_HASH, False
    for row in bind.execute(sa.select(entries).order_by(entries.c.seq)).all():
        if row.prev_hash is None or rewriting:
            rewriting = True
            digest = _old_hash(row, prev)
            bind.execute(
                entries.update().where(entries.c.seq == row.seq).values(prev_hash=prev, hash=digest)
            )
            prev = digest
        else:
            prev = row.hash
    if pg:
        op.execute("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_no_change")


def downgrade() -> None:
    bind = op.get_bind()
    _rechain_for_the_old_head()
    for table in APPEND_ONLY:
        op.drop_table(table)
    if bind.dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_seal_append_only()")
        op.execute("DROP SEQUENCE IF EXISTS audit_entries_seq_seq")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_column("recorded_at")
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
    if bind.dialect.name != "postgresql":
        _sqlite_entries_triggers()
    # The old head names the last entry of the (old-style) chain.
    op.execute(
        sa.text(
            "UPDATE audit_chain_head SET "
            "last_seq = coalesce((SELECT max(seq) FROM audit_entries), 0), "
            "last_hash = coalesce((SELECT hash FROM audit_entries ORDER BY seq DESC LIMIT 1), "
            ":genesis)"
        ).bindparams(genesis=GENESIS_HASH)
    )
