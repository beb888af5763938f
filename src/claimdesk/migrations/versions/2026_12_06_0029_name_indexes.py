"""Keyed hashes of names (issue 12, SEC-1): people.name_hash and
claims.claimant_name_hash — HMAC-SHA256 of the normalised name under the keyring's index
key — so staff find a claim by the insured's or the claimant's name through the hash.

Existing rows are filled here with the application's keyring (CLAIMDESK_KEYS or the key
file, as 0018 does); the models keep the hashes current on every later write.

Revision ID: 0029_name_indexes
Revises: 0028_automatic_claims
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029_name_indexes"
down_revision: str | Sequence[str] | None = "0028_automatic_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, clear column, hash column): frozen copy of crypto.indexes.NAME_INDEXES.
_INDEXES = (
    ("people", "name", "name_hash"),
    ("claims", "claimant_name", "claimant_name_hash"),
)
_BATCH = 1000


def _backfill(table: str, source: str, target: str) -> None:
    from claimdesk.crypto.indexes import name_index

    bind = op.get_bind()
    t = sa.table(
        table,
        sa.column("id", sa.Integer()),
        sa.column(source, sa.String()),
        sa.column(target, sa.String()),
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(t.c.id, t.c[source]).where(t.c.id > last).order_by(t.c.id).limit(_BATCH)
        ).all()
        if not rows:
            return
        for row_id, name in rows:
            bind.execute(sa.update(t).where(t.c.id == row_id).values({target: name_index(name)}))
        last = rows[-1][0]


def upgrade() -> None:
    for table, source, target in _INDEXES:
        # Plain ADD/DROP COLUMN, no batch rebuild (see 0018: a rebuild of claims would
        # drop the table under enforced foreign keys on SQLite).
        op.add_column(table, sa.Column(target, sa.String(length=64), nullable=True))
        op.create_index(op.f(f"ix_{table}_{target}"), table, [target])
        _backfill(table, source, target)


def downgrade() -> None:
    for table, _source, target in reversed(_INDEXES):
        op.drop_index(op.f(f"ix_{table}_{target}"), table_name=table)
        op.drop_column(table, target)
