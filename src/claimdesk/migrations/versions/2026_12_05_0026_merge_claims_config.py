"""Join the branches developed in parallel from 0021: claim thresholds in the database
(0023), e-bills (0024) and the automatic checks (0025).

Revision ID: 0026_merge
Revises: 0023_claim_thresholds, 0024_claim_bills, 0025_claim_checks
"""

from collections.abc import Sequence

revision: str = "0026_merge"
down_revision: str | Sequence[str] | None = (
    "0023_claim_thresholds",
    "0024_claim_bills",
    "0025_claim_checks",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
