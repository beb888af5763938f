"""payment_answer_conflicts: a line of the bank's answer naming another voucher for a
payment already paid with one (CLM-P3, CLM-P5). The payment keeps its first voucher; the
conflicting reference is kept here, once per reference, for the payment officer.

A new table, nothing to backfill (such lines were ignored before). Downgrade drops it.

Revision ID: 0050_payment_answer_conflicts
Revises: 0049_claim_reporter
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0050_payment_answer_conflicts"
down_revision: str | Sequence[str] | None = "0049_claim_reporter"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment_answer_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("kept_reference", sa.String(length=100), nullable=False),
        sa.Column("answered_reference", sa.String(length=100), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["payment_batches.id"],
            name=op.f("fk_payment_answer_conflicts_batch_id_payment_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["claim_payments.id"],
            name=op.f("fk_payment_answer_conflicts_payment_id_claim_payments"),
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["payment_attempts.id"],
            name=op.f("fk_payment_answer_conflicts_attempt_id_payment_attempts"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_payment_answer_conflicts_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_answer_conflicts")),
        sa.UniqueConstraint(
            "attempt_id",
            "answered_reference",
            name=op.f("uq_payment_answer_conflicts_attempt_id"),
        ),
    )
    with op.batch_alter_table("payment_answer_conflicts") as batch:
        batch.create_index(
            batch.f("ix_payment_answer_conflicts_batch_id"), ["batch_id"], unique=False
        )
        batch.create_index(
            batch.f("ix_payment_answer_conflicts_payment_id"), ["payment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_answer_conflicts") as batch:
        batch.drop_index(batch.f("ix_payment_answer_conflicts_payment_id"))
        batch.drop_index(batch.f("ix_payment_answer_conflicts_batch_id"))
    op.drop_table("payment_answer_conflicts")
