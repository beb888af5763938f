"""English names of the organisation and the sales structure, and English clause
explanations: org_units.name_en, sales_channels.name_en, sales_organisations.name_en,
product_versions.terms_en (GEN-6: an English page reads English all the way through).

The branches and units (work queue, the assign-a-surveyor form, dashboards' branch
filters), the sales channels and organisations (sales pages) were shown by their
Chinese names on English pages; a product version's plain-language explanations of its
terms (PRD-5) were Chinese only. Each English text is optional and nullable, nothing to
backfill: without one, English pages show the Chinese text, as before
(formatting.name_in, formatting.terms_in). Downgrade drops the columns.

Revision ID: 0056_english_texts
Revises: 0055_person_language
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0056_english_texts"
down_revision: str | Sequence[str] | None = "0055_person_language"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAMED = ("org_units", "sales_channels", "sales_organisations")


def upgrade() -> None:
    for table in NAMED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("name_en", sa.String(100), nullable=True))
    with op.batch_alter_table("product_versions") as batch:
        batch.add_column(sa.Column("terms_en", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("product_versions") as batch:
        batch.drop_column("terms_en")
    for table in reversed(NAMED):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("name_en")
