"""Index the outbox on the person a message is written to.

The portal's messages page lists a customer's messages by ``person_id`` (every customer
notice carries it); without an index the page reads the whole outbox, which only grows.

Revision ID: 0053_outbox_person_index
Revises: 0052_outside_period_refers
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0053_outbox_person_index"
down_revision: str | Sequence[str] | None = "0052_outside_period_refers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_messages_person_id", "outbox_messages", ["person_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_messages_person_id", table_name="outbox_messages")
