"""policies.insured_relationship: the relationship the policy form records between the
policyholder and the insured (投保人与被保险人关系: the insured is the holder's self,
spouse, child, parent or other; POL-1). The shared_contact check (CLM-F3) reads a family
relation as a family link: a phone shared only within one such family is no ring.

Existing policies of one person as holder and insured are ``self``; the others stay NULL
(not recorded when issued) and are read as before — holder and insured linked, which is
what the check assumed of every policy until now. New policies record it (the API asks
for it when holder and insured differ).

Revision ID: 0041_insured_relationship
Revises: 0040_provider_cluster_book
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0041_insured_relationship"
down_revision: str | Sequence[str] | None = "0040_provider_cluster_book"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("insured_relationship", sa.String(length=8), nullable=True))
    op.execute(
        "UPDATE policies SET insured_relationship = 'self' WHERE policyholder_id = insured_id"
    )


def downgrade() -> None:
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.drop_column("insured_relationship")
