"""English explanations of a product version's liabilities and exclusions:
product_versions.insured_liabilities_en, product_versions.exclusions_en (GEN-6).

A customer reading the portal in English saw "What is not covered" in Chinese only, and
staff on English pages the liabilities too. The contract stays Chinese (the PDF and the
Chinese text bind); the English is an explanation beside it, optional and nullable:
nothing to backfill, and without one English pages show the Chinese, as before.
Downgrade drops the columns.

Revision ID: 0059_version_english_liabilities
Revises: 0058_bank_account_removed
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0059_version_english_liabilities"
down_revision: str | Sequence[str] | None = "0058_bank_account_removed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("insured_liabilities_en", "exclusions_en")


def upgrade() -> None:
    with op.batch_alter_table("product_versions") as batch:
        for column in COLUMNS:
            batch.add_column(sa.Column(column, sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("product_versions") as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column)
