"""Cash/offline payments that were never handed over can be cancelled (CLM-P3), and the
payment requested again in their place (CLM-P5).

The unique constraint on ``claim_payments (claim_id, kind, sequence)`` becomes a partial
unique index over the payments that are not ``cancelled``: still one live payment per
claim, kind and approval, while a cancelled one keeps its row and history. No data
changes (no payment was cancelled before). Downgrade refuses while a cancelled payment
exists (the code before knows no such state), then restores the constraint.

Revision ID: 0051_payment_cancelled
Revises: 0050_payment_answer_conflicts
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0051_payment_cancelled"
down_revision: str | Sequence[str] | None = "0050_payment_answer_conflicts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = "status <> 'cancelled'"


def upgrade() -> None:
    with op.batch_alter_table("claim_payments") as batch:
        batch.drop_constraint("uq_claim_payments_claim_id", type_="unique")
    op.create_index(
        "uq_claim_payments_live_sequence",
        "claim_payments",
        ["claim_id", "kind", "sequence"],
        unique=True,
        postgresql_where=sa.text(LIVE),
        sqlite_where=sa.text(LIVE),
    )


def downgrade() -> None:
    cancelled = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM claim_payments WHERE status = 'cancelled'")
    )
    if cancelled:
        raise RuntimeError(
            f"{cancelled} payments are cancelled: the revision before knows no such state "
            "and allows one payment per claim, kind and sequence"
        )
    op.drop_index("uq_claim_payments_live_sequence", table_name="claim_payments")
    with op.batch_alter_table("claim_payments") as batch:
        batch.create_unique_constraint(
            "uq_claim_payments_claim_id", ["claim_id", "kind", "sequence"]
        )
