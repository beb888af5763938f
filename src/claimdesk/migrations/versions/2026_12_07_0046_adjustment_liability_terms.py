"""claim_adjustments: what a liability decision states (CLM-C1). Covered: the product's
liabilities it pays under (``covered_item_codes``, the codes of the product version's
coverages) beside the words signed (``covered_items``), and the deductible rate beside
the ratio and the deductible. Not covered: the written reason (``rejection_reason``)
beside the clause's text and the evidence.

Existing rows keep what they said: their items stay free text (codes NULL), their
deductible rate and written reason are unknown (NULL). Downgrade drops the columns.

Revision ID: 0046_adjustment_liability_terms
Revises: 0045_policy_change_switched_at
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0046_adjustment_liability_terms"
down_revision: str | Sequence[str] | None = "0045_policy_change_switched_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claim_adjustments") as batch:
        batch.add_column(sa.Column("covered_item_codes", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("deductible_rate", sa.Numeric(precision=9, scale=6), nullable=True)
        )
        batch.add_column(sa.Column("rejection_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claim_adjustments") as batch:
        batch.drop_column("rejection_reason")
        batch.drop_column("deductible_rate")
        batch.drop_column("covered_item_codes")
