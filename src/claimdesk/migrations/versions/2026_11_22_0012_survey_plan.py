"""survey plan (CLM-S2): the plan given with a survey assignment, the results on the report

claim_survey_assignments.plan holds the ordered plan items (code, kind, labels, allowed
results) fixed when the surveyor was assigned; claim_survey_reports.plan_results holds
one {code, status, note} per item. Both stay NULL on rows written before plans existed:
the service derives the plan of such an assignment from the claim's line and cause, and
an old report simply has no plan results.

Revision ID: 0012_survey_plan
Revises: 0010_claim_queue
Create Date: 2026-11-22 18:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_survey_plan"
down_revision: str | Sequence[str] | None = "0010_claim_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claim_survey_assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan", sa.JSON(), nullable=True))
    with op.batch_alter_table("claim_survey_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_results", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claim_survey_reports", schema=None) as batch_op:
        batch_op.drop_column("plan_results")
    with op.batch_alter_table("claim_survey_assignments", schema=None) as batch_op:
        batch_op.drop_column("plan")
