"""The means of payment (CLM-P3): cash/offline payments and the small-cash limit.

- ``claim_threshold_versions.small_cash_max``: the administrator's versioned limit up to
  which a cash/offline payment needs no stated special case (existing versions get the
  default, ¥2,000.00).
- ``claim_payments.bank_account_id`` may be NULL: an offline payment pays no account
  (its ``account_last4`` is "").
- ``claim_payments.offline_reason`` (the special case stated above the limit),
  ``payee_id_last4`` (the payee's ID document checked at hand-over) and
  ``receipt_file_id`` (the payee's signed confirmation, an upload of the claim).

Existing payments are bank transfers or third-party payments: the new columns stay NULL.
Downgrade drops the columns; it refuses while an offline payment exists (its NULL
account cannot go back under the NOT NULL constraint).

Revision ID: 0047_offline_payments
Revises: 0046_adjustment_liability_terms
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0047_offline_payments"
down_revision: str | Sequence[str] | None = "0046_adjustment_liability_terms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(18, 2, asdecimal=True)


def upgrade() -> None:
    with op.batch_alter_table("claim_threshold_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("small_cash_max", MONEY, server_default="2000.00", nullable=False)
        )
    with op.batch_alter_table("claim_payments", schema=None) as batch_op:
        batch_op.alter_column("bank_account_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("offline_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("payee_id_last4", sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column("receipt_file_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_claim_payments_receipt_file_id_claim_material_files"),
            "claim_material_files",
            ["receipt_file_id"],
            ["id"],
        )


def downgrade() -> None:
    offline = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM claim_payments WHERE bank_account_id IS NULL")
    )
    if offline:
        raise RuntimeError(
            f"{offline} offline payments have no bank account: "
            "bank_account_id was NOT NULL before this revision"
        )
    with op.batch_alter_table("claim_payments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_claim_payments_receipt_file_id_claim_material_files"),
            type_="foreignkey",
        )
        batch_op.drop_column("receipt_file_id")
        batch_op.drop_column("payee_id_last4")
        batch_op.drop_column("offline_reason")
        batch_op.alter_column("bank_account_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("claim_threshold_versions", schema=None) as batch_op:
        batch_op.drop_column("small_cash_max")
