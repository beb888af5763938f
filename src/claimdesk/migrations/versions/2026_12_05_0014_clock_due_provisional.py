"""clocks.due_provisional (GEN-3): a deadline counted over a year whose holiday
arrangement is not loaded is provisional, shown so, and recomputed when the year is loaded

Existing clocks were all counted on loaded years (the engine refused the others), so
they start as not provisional; the server default also serves bulk loads that insert
clocks in SQL (bench, backfills).

Revision ID: 0014_clock_due_provisional
Revises: 0013_security_incidents
Create Date: 2026-12-05 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_clock_due_provisional"
down_revision: str | Sequence[str] | None = "0013_security_incidents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("clocks") as batch:
        batch.add_column(
            sa.Column("due_provisional", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("clocks") as batch:
        batch.drop_column("due_provisional")
