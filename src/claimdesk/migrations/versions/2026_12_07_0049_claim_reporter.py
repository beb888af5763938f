"""claims.reporter_*: who reported the claim (报案人) when staff took the report — on
the hotline, at the counter, through an agent: the caller's name, their relationship to
the insured and their phone (CLM-R1, CLM-R2). The phone is encrypted like every phone
(SEC-1; EncryptedString "claims.reporter_phone", no keyed hash: nothing looks claims
up by it). The agent who took it is the claim's ``entered_by_id``, as before.

Nullable, nothing to backfill: claims reported before, and every customer's own report
(the customer is the reporter), have none. Downgrade drops the columns.

Revision ID: 0049_claim_reporter
Revises: 0048_policy_change_contact
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0049_claim_reporter"
down_revision: str | Sequence[str] | None = "0048_policy_change_contact"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("reporter_name", sa.String(100), nullable=True))
        batch.add_column(sa.Column("reporter_relationship", sa.String(20), nullable=True))
        batch.add_column(sa.Column("reporter_phone", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("reporter_phone")
        batch.drop_column("reporter_relationship")
        batch.drop_column("reporter_name")
