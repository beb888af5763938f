"""money exactly once (CLM-P5, CLM-V3, GEN-6): decision notices of approvals that leave
nothing to pay, and the idempotency keys of creating API requests

Revision ID: 0015_money_exactly_once
Revises: 0013_security_incidents
Create Date: 2026-12-05 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_money_exactly_once"
down_revision: str | Sequence[str] | None = "0013_security_incidents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claim_decision_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("payable", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("already_paid", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("difference", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("calculation", sa.JSON(), nullable=False),
        sa.Column("recovery_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_decision_notices_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["claim_review_rounds.id"],
            name=op.f("fk_claim_decision_notices_round_id_claim_review_rounds"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_decision_notices")),
        sa.UniqueConstraint("round_id", name=op.f("uq_claim_decision_notices_round_id")),
    )
    op.create_index(
        op.f("ix_claim_decision_notices_claim_id"),
        "claim_decision_notices",
        ["claim_id"],
        unique=False,
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("principal", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=400), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("response_media_type", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_idempotency_keys_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("principal", "key", name=op.f("uq_idempotency_keys_principal")),
    )
    op.create_index(
        "ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_index(op.f("ix_claim_decision_notices_claim_id"), table_name="claim_decision_notices")
    op.drop_table("claim_decision_notices")
