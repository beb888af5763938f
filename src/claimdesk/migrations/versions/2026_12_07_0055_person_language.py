"""people.preferred_language: the language a customer reads their notices in.

A customer's SMS and portal messages were written in zh-CN for everyone; foreign
residents read them in English once they choose it (the portal's language switch, or
an agent on their behalf). Nullable, nothing to backfill: a person without a choice
is written to in zh-CN, as before. Downgrade drops the column.

Revision ID: 0055_person_language
Revises: 0054_english_names
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0055_person_language"
down_revision: str | Sequence[str] | None = "0054_english_names"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("preferred_language", sa.String(10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("preferred_language")
