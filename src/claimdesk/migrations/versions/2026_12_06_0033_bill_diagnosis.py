"""A bill's settlement statement may carry its 主诊断 (dise_codg, dise_name) and 医疗类别
(med_type), encrypted (SEC-1); the amount check (CLM-F3 amount_outlier) groups bills by
ICD-10 category and setting (dise_group, encrypted) through its keyed hash
(dise_group_hash, indexed), or by the setting alone (setting: outpatient | inpatient,
in clear) when too few share the diagnosis. Existing bills have none: they stay valid and are compared
by the claim's loss cause as before.

Revision ID: 0033_bill_diagnosis
Revises: 0032_contact_phone_hash
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033_bill_diagnosis"
down_revision: str | Sequence[str] | None = "0032_contact_phone_hash"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claim_bills", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dise_codg", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("dise_name", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("med_type", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("dise_group", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("dise_group_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("setting", sa.String(length=10), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_claim_bills_dise_group_hash"), ["dise_group_hash"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_claim_bills_setting"), ["setting"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claim_bills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_bills_setting"))
        batch_op.drop_index(batch_op.f("ix_claim_bills_dise_group_hash"))
        batch_op.drop_column("setting")
        batch_op.drop_column("dise_group_hash")
        batch_op.drop_column("dise_group")
        batch_op.drop_column("med_type")
        batch_op.drop_column("dise_name")
        batch_op.drop_column("dise_codg")
