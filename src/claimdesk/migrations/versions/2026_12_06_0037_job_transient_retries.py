"""jobs.transient_retries: the runs of a job lost to a deadlock, a serialization
failure, a lock timeout or SQLite's busy database, counted apart from its attempts.
They used to be retried without any count — a job that lost every race ran for ever;
now, past the configured number (``CLAIMDESK_JOB_MAX_TRANSIENT_RETRIES``), each further
one counts as an attempt and the job is given up after ``max_attempts`` like any other.
Existing jobs start at 0.

Revision ID: 0037_job_transient_retries
Revises: 0036_bill_line_item_hash
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0037_job_transient_retries"
down_revision: str | Sequence[str] | None = "0036_bill_line_item_hash"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "jobs",
        sa.Column("transient_retries", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("transient_retries")
