"""claims.investigator_id: the fraud investigator a supervisor gave a held claim to
(CLM-F1, CLM-F2). Investigators add evidence (claims:upload) only to the held claims
given to them; existing claims have none (NULL) until a supervisor assigns one.

Revision ID: 0038_claim_investigator
Revises: 0037_job_transient_retries
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0038_claim_investigator"
down_revision: str | Sequence[str] | None = "0037_job_transient_retries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("investigator_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_claims_investigator_id_users"), "users", ["investigator_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_claims_investigator_id_users"), type_="foreignkey")
        batch_op.drop_column("investigator_id")
