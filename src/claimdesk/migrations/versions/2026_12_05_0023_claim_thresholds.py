"""claim thresholds from the database (issue 11): versioned rows of the review tiers
(CLM-V1), the major-case amount (CLM-R4), the small-payment limit (CLM-P4) and the survey
skip rule, seeded with the defaults that were code until now.

Revision ID: 0023_claim_thresholds
Revises: 0021_merge
Create Date: 2026-12-05 23:10:00
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision: str = "0023_claim_thresholds"
down_revision: str | Sequence[str] | None = "0021_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(18, 2, asdecimal=True)


def upgrade() -> None:
    table = op.create_table(
        "claim_threshold_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_tier1_max", MONEY, nullable=False),
        sa.Column("review_tier2_max", MONEY, nullable=False),
        sa.Column("major_amount", MONEY, nullable=False),
        sa.Column("small_payment_max", MONEY, nullable=False),
        sa.Column("skip_survey_max_amount", MONEY, nullable=False),
        sa.Column("skip_survey_lines", sa.String(length=255), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_claim_threshold_versions_created_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_threshold_versions")),
    )
    with op.batch_alter_table("claim_threshold_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_claim_threshold_versions_effective_from"),
            ["effective_from"],
            unique=False,
        )
    # The defaults SPEC names (CLM-V1 10,000 / 100,000; CLM-R4; CLM-P4), in force since
    # long before any claim, so every existing claim reads the values it was handled by.
    since = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    op.bulk_insert(
        table,
        [
            {
                "review_tier1_max": Decimal("10000.00"),
                "review_tier2_max": Decimal("100000.00"),
                "major_amount": Decimal("500000.00"),
                "small_payment_max": Decimal("5000.00"),
                "skip_survey_max_amount": Decimal("5000.00"),
                "skip_survey_lines": "health",
                "effective_from": since,
                "created_by_id": None,
                "reason": "defaults (SPEC CLM-V1, CLM-R4, CLM-P4)",
                "created_at": since,
            }
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("claim_threshold_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_threshold_versions_effective_from"))
    op.drop_table("claim_threshold_versions")
