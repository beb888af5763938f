"""claim work queue: claims.next_due_at (earliest running clock) and its partial index

The queue (claims.repository.queue) used to aggregate the clocks of every open claim
per request; at a million claims that cannot answer in 50 ms. The claim now carries the
earliest due_at of its running, unpaused clocks, kept by clocks.service, and the queue
walks ix_claims_queue in order. Existing claims are backfilled from their clocks.

Revision ID: 0010_claim_queue
Revises: 0009_merge
Create Date: 2026-11-22 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_claim_queue"
down_revision: str | Sequence[str] | None = "0009_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of models.claim.QUEUE_STATES at this revision (a migration never imports
# the application's current constants).
_PREDICATE = (
    "state IN ('reported', 'awaiting_materials', 'accepted', 'surveyed', 'assessed', "
    "'adjusted', 'in_review', 'approved', 'reopened', 'suspended')"
)


def upgrade() -> None:
    op.add_column("claims", sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE claims SET next_due_at = ("
        " SELECT min(clocks.due_at) FROM clocks"
        " WHERE clocks.subject_type = 'claim'"
        " AND clocks.subject_id = CAST(claims.id AS VARCHAR(64))"
        " AND clocks.stopped_at IS NULL AND clocks.paused_at IS NULL)"
    )
    op.create_index(
        "ix_claims_queue",
        "claims",
        ["next_due_at", "id"],
        unique=False,
        postgresql_where=sa.text(_PREDICATE),
        sqlite_where=sa.text(_PREDICATE),
    )


def downgrade() -> None:
    op.drop_index("ix_claims_queue", table_name="claims")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_column("next_due_at")
