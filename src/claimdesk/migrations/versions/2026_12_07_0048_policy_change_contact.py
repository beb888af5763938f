"""policy_changes.contact: a change of the policyholder's contact details (mobile,
e-mail, address; POL-2), the new values asked for and, once done, the values they
replaced — personal data, so one AES-GCM ciphertext (EncryptedJSON, SEC-1) rather than a
part of the plain ``payload`` / ``before`` JSON, which name only the fields changed.

Nullable, nothing to backfill: no change before this one changed contact details.
Downgrade drops the column.

Revision ID: 0048_policy_change_contact
Revises: 0047_offline_payments
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0048_policy_change_contact"
down_revision: str | Sequence[str] | None = "0047_offline_payments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("policy_changes") as batch:
        batch.add_column(sa.Column("contact", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("policy_changes") as batch:
        batch.drop_column("contact")
