"""products.name_en, coverages.name_en: the English name of a product and of a coverage,
which English pages show in place of the Chinese ``name`` (GEN-6: an English page reads
English all the way through).

Nullable, nothing to backfill: a product or coverage without an English name is shown by
its Chinese name, as before. Downgrade drops the columns.

Revision ID: 0054_english_names
Revises: 0053_outbox_person_index
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0054_english_names"
down_revision: str | Sequence[str] | None = "0053_outbox_person_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("name_en", sa.String(100), nullable=True))
    with op.batch_alter_table("coverages") as batch:
        batch.add_column(sa.Column("name_en", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("coverages") as batch:
        batch.drop_column("name_en")
    with op.batch_alter_table("products") as batch:
        batch.drop_column("name_en")
