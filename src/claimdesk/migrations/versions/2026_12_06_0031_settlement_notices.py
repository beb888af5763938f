"""The settlement notice (理赔决定通知书, CLM-C3/CLM-P2) of every instructed payment is a
decision notice too: the notices table takes the payment it explains (unique: one notice
per payment) and a kind ("decided": nothing to pay; "payment": paid with this payment);
an automatic decision has no review round, so the round becomes optional.

Revision ID: 0031_settlement_notices
Revises: 0030_claim_notes
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031_settlement_notices"
down_revision: str | Sequence[str] | None = "0030_claim_notes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claim_decision_notices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=12), nullable=False, server_default="decided")
        )
        batch_op.add_column(sa.Column("payment_id", sa.Integer(), nullable=True))
        batch_op.alter_column("round_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_claim_decision_notices_payment_id_claim_payments"),
            "claim_payments",
            ["payment_id"],
            ["id"],
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_claim_decision_notices_payment_id"), ["payment_id"]
        )


def downgrade() -> None:
    op.execute("DELETE FROM claim_decision_notices WHERE payment_id IS NOT NULL")
    with op.batch_alter_table("claim_decision_notices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_claim_decision_notices_payment_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_claim_decision_notices_payment_id_claim_payments"), type_="foreignkey"
        )
        batch_op.alter_column("round_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("payment_id")
        batch_op.drop_column("kind")
