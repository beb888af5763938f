"""Join the review/payments and claim-events branches, developed in parallel from 0006.

Revision ID: 0009_merge
Revises: 0007_review_payments, 0008_claim_events
"""

from collections.abc import Sequence

revision: str = "0009_merge"
down_revision: str | Sequence[str] | None = ("0007_review_payments", "0008_claim_events")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
