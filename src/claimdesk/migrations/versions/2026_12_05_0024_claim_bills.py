"""bills as data (CLM-T1): medical e-receipts with their lines and the medical-insurance
settlement statement's figures; the submitted JSON kept encrypted; a receipt key hash
indexed for the duplicate-receipt check across claims (CLM-F3)

Revision ID: 0024_claim_bills
Revises: 0021_merge
Create Date: 2026-12-05 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_claim_bills"
down_revision: str | Sequence[str] | None = "0021_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(18, 2, asdecimal=True)


def _money(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, MONEY, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "claim_bills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("receipt_code", sa.String(length=8), nullable=False),
        sa.Column("receipt_number", sa.String(length=10), nullable=False),
        sa.Column("receipt_key", sa.String(length=64), nullable=False),
        sa.Column("issuer_name", sa.String(length=200), nullable=False),
        sa.Column("issuer_credit_code", sa.String(length=18), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        _money("total", nullable=False),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.Column("setl_id", sa.String(length=40), nullable=True),
        sa.Column("setl_time", sa.DateTime(timezone=True), nullable=True),
        _money("medfee_sumamt"),
        _money("fund_pay_sumamt"),
        _money("acct_pay"),
        _money("psn_cash_pay"),
        _money("fulamt_ownpay_amt"),
        _money("overlmt_selfpay"),
        _money("preselfpay_amt"),
        _money("inscp_scp_amt"),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("auth_method", sa.String(length=32), nullable=False),
        sa.Column("original", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_bills_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_claim_bills_submitted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_bills")),
        sa.UniqueConstraint(
            "claim_id", "receipt_key", name=op.f("uq_claim_bills_claim_id_receipt_key")
        ),
    )
    with op.batch_alter_table("claim_bills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_bills_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_claim_bills_receipt_key"), ["receipt_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_claim_bills_issuer_credit_code"), ["issuer_credit_code"], unique=False
        )
    op.create_table(
        "claim_bill_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bill_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Numeric(14, 4, asdecimal=True), nullable=False),
        sa.Column("unit_price", sa.Numeric(18, 4, asdecimal=True), nullable=False),
        _money("amount", nullable=False),
        sa.Column("catalog", sa.String(length=1), nullable=False),
        sa.Column("self_pay_ratio", sa.Numeric(9, 6, asdecimal=True), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["bill_id"],
            ["claim_bills.id"],
            name=op.f("fk_claim_bill_lines_bill_id_claim_bills"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_bill_lines")),
    )
    with op.batch_alter_table("claim_bill_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_bill_lines_bill_id"), ["bill_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claim_bill_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_bill_lines_bill_id"))
    op.drop_table("claim_bill_lines")
    with op.batch_alter_table("claim_bills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_bills_issuer_credit_code"))
        batch_op.drop_index(batch_op.f("ix_claim_bills_receipt_key"))
        batch_op.drop_index(batch_op.f("ix_claim_bills_claim_id"))
    op.drop_table("claim_bills")
