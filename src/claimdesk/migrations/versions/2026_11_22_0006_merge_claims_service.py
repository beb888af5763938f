"""Join the claims and service/sales branches, developed in parallel from 0003.

Revision ID: 0006_merge
Revises: 0004_claims, 0005_service_sales
"""

from collections.abc import Sequence

revision: str = "0006_merge"
down_revision: str | Sequence[str] | None = ("0004_claims", "0005_service_sales")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
