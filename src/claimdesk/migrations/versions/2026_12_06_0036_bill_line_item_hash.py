"""Keyed hash of a bill line's national item code (issue 13, CLM-F3, SEC-1):
claim_bill_lines.item_code_hash — HMAC-SHA256 of the code under the keyring's index key,
the scheme of claim_bills.dise_group_hash — indexed with the line id, so the amount check
reads the newest earlier lines of an item (what it usually costs) without decrypting any
line and without reading all of them.

Existing rows are filled here: the code is decrypted with the application's keyring
(CLAIMDESK_KEYS or the key file, as 0032 does) and hashed. A row whose code does not
decrypt with that keyring (its key is not in it) keeps no hash and is counted in the log;
``claimdesk keys reindex`` fills it once the key is there. Until then that line is not
compared by item (no history is found for it, and it adds none). The model keeps the hash
current on every later write of the code. The check's new parameters (item_min_samples,
item_z_threshold, item_ratio) take their code defaults: no configuration version.

Revision ID: 0036_bill_line_item_hash
Revises: 0035_provider_cluster_early
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0036_bill_line_item_hash"
down_revision: str | Sequence[str] | None = "0035_provider_cluster_early"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

_BATCH = 1000
# Frozen copies of the encryption context and the hash purpose (crypto.indexes).
_CONTEXT = "claim_bill_lines.item_code"
_PURPOSE = "item_code"


def _backfill() -> None:
    from cryptography.exceptions import InvalidTag

    from claimdesk.crypto.keyring import get_keyring
    from claimdesk.errors import KeyUnavailable

    keyring = get_keyring()
    bind = op.get_bind()
    t = sa.table(
        "claim_bill_lines",
        sa.column("id", sa.Integer()),
        sa.column("item_code", sa.Text()),
        sa.column("item_code_hash", sa.String()),
    )
    last, missed = 0, 0
    while True:
        rows = bind.execute(
            sa.select(t.c.id, t.c.item_code)
            .where(t.c.id > last, t.c.item_code.is_not(None))
            .order_by(t.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        updates = []
        for row_id, token in rows:
            try:
                code = keyring.decrypt(token, _CONTEXT)
            except (KeyUnavailable, InvalidTag, ValueError):
                missed += 1
                continue
            updates.append({"row_id": row_id, "value": keyring.blind_index(code, _PURPOSE)})
        if updates:
            # One executemany per batch: a book of bills has many lines.
            bind.execute(
                sa.update(t)
                .where(t.c.id == sa.bindparam("row_id"))
                .values(item_code_hash=sa.bindparam("value")),
                updates,
            )
        last = rows[-1][0]
    if missed:
        log.warning(
            "%d bill lines' item codes did not decrypt with this keyring: no hash yet "
            "(run `claimdesk keys reindex` with the key present)",
            missed,
        )


def upgrade() -> None:
    # Plain ADD COLUMN, no batch rebuild (as 0032).
    op.add_column(
        "claim_bill_lines", sa.Column("item_code_hash", sa.String(length=64), nullable=True)
    )
    _backfill()
    # An item's newest lines are read backwards along it (bills.repository.item_history).
    op.create_index(
        "ix_claim_bill_lines_item_code_hash_id", "claim_bill_lines", ["item_code_hash", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_claim_bill_lines_item_code_hash_id", table_name="claim_bill_lines")
    op.drop_column("claim_bill_lines", "item_code_hash")
