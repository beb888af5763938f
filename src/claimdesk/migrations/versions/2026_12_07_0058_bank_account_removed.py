"""bank_accounts.removed_at: a payout account the customer removed (CLM-P1, CLM-T2).

A customer could add payout accounts on the portal but never take one away. Removing
keeps the row — payments, bank files and the fraud checks' shared-account history name
it — and stamps when: a removed account is offered to no payment, the automatic path
does not pay to it and the customer's lists leave it out; adding the same number again
restores it. Nullable, nothing to backfill (every account is in use). Downgrade drops
the column.

Revision ID: 0058_bank_account_removed
Revises: 0057_clock_closed_reason
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0058_bank_account_removed"
down_revision: str | Sequence[str] | None = "0057_clock_closed_reason"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bank_accounts") as batch:
        batch.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bank_accounts") as batch:
        batch.drop_column("removed_at")
