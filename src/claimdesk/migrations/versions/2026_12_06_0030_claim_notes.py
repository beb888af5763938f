"""Notes on a claim (issue 12): free text by staff, visible by role, encrypted (SEC-1).

Revision ID: 0030_claim_notes
Revises: 0029_name_indexes
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030_claim_notes"
down_revision: str | Sequence[str] | None = "0029_name_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claim_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("visibility", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_notes_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_claim_notes_author_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_notes")),
    )
    op.create_index("ix_claim_notes_claim_id_id", "claim_notes", ["claim_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_claim_notes_claim_id_id", table_name="claim_notes")
    op.drop_table("claim_notes")
