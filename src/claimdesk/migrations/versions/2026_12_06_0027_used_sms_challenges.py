"""Second-factor challenges are spent once (SEC-9): a table of used challenge nonces.

Revision ID: 0027_used_sms_challenges
Revises: 0026_merge
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027_used_sms_challenges"
down_revision: str | Sequence[str] | None = "0026_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "used_sms_challenges",
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_used_sms_challenges_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_used_sms_challenges")),
    )


def downgrade() -> None:
    op.drop_table("used_sms_challenges")
