"""Join the branches developed in parallel from 0013 in the trust and scale round:
provisional clocks (0014), money exactly once (0015), medical encryption (0018) and the
sealed audit trail (0020).

Revision ID: 0021_merge
Revises: 0014_clock_due_provisional, 0015_money_exactly_once, 0018_medical_encryption,
    0020_audit_sealer
"""

from collections.abc import Sequence

revision: str = "0021_merge"
down_revision: str | Sequence[str] | None = (
    "0014_clock_due_provisional",
    "0015_money_exactly_once",
    "0018_medical_encryption",
    "0020_audit_sealer",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
