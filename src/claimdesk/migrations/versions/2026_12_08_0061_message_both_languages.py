"""outbox_messages.body_zh / body_en / subject_zh / subject_en: a customer's message in
both languages (GEN-6).

A message to a customer was stored in the one language on their record when it was
written: after switching the portal to English, their messages page showed the old ones
in Chinese beside the new ones in English. The notices are made in both languages
already (claims.notify.send_to_person); the outbox now keeps both, and ``body`` /
``subject`` stay what was sent. Nullable, nothing to backfill: a message written before
has only what was sent, and is shown as it is. Downgrade drops the columns.

Revision ID: 0061_message_both_languages
Revises: 0060_complaint_numbers
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0061_message_both_languages"
down_revision: str | Sequence[str] | None = "0060_complaint_numbers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("body_zh", sa.Text()),
    ("body_en", sa.Text()),
    ("subject_zh", sa.String(200)),
    ("subject_en", sa.String(200)),
)


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        for name, _kind in reversed(COLUMNS):
            batch.drop_column(name)
