"""check_hits.finding_key is every hit's key, and the only one: NOT NULL, and
``evidence_key`` (the whole-evidence hash hits were keyed by before da34af0) is dropped
with its unique constraint (claim, check, evidence_key). The unique index of 0042
(claim, check, finding_key) stays (CLM-F3, CLM-T4).

Rows recorded before 0042 have no finding key until ``claimdesk checks dedupe-hits``
keys them, merging a finding recorded twice: the key is worked out from the evidence,
which only the application's keyring decrypts (0042). So this migration refuses, before
changing anything, while any row has none, and says what to run; the whole upgrade is
one transaction (migrations/env.py), so the migrations before it in the same run are
rolled back too.

Downgrade: ``evidence_key`` comes back filled from ``finding_key`` (the key the code
after da34af0 wrote in both), NOT NULL, with its unique constraint.

Revision ID: 0044_check_hit_finding_key_only
Revises: 0043_whole_receipt_copy
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from claimdesk.migrate import MigrationRefused

revision: str = "0044_check_hit_finding_key_only"
down_revision: str | Sequence[str] | None = "0043_whole_receipt_copy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HITS = sa.table(
    "check_hits", sa.column("finding_key", sa.String()), sa.column("evidence_key", sa.String())
)
_UNIQUE = "uq_check_hits_claim_id"  # (claim_id, check_code, evidence_key), 0025


def upgrade() -> None:
    unkeyed = op.get_bind().scalar(
        sa.select(sa.func.count()).select_from(_HITS).where(_HITS.c.finding_key.is_(None))
    )
    if unkeyed:
        raise MigrationRefused(
            f"{unkeyed} check hits have no finding key (recorded before migration 0042): "
            "run `claimdesk checks dedupe-hits` (it keys them and merges a finding recorded "
            "twice), then upgrade again; nothing was changed. A database older than 0042: "
            f"`claimdesk db upgrade {down_revision}` first (docs/operations.md)."
        )
    # One table copy on SQLite (batch mode), in-place ALTERs on PostgreSQL.
    with op.batch_alter_table("check_hits") as batch:
        batch.drop_constraint(_UNIQUE, type_="unique")
        batch.drop_column("evidence_key")
        batch.alter_column("finding_key", existing_type=sa.String(length=32), nullable=False)


def downgrade() -> None:
    op.add_column("check_hits", sa.Column("evidence_key", sa.String(length=32), nullable=True))
    op.execute(sa.update(_HITS).values(evidence_key=_HITS.c.finding_key))
    with op.batch_alter_table("check_hits") as batch:
        batch.alter_column("evidence_key", existing_type=sa.String(length=32), nullable=False)
        batch.alter_column("finding_key", existing_type=sa.String(length=32), nullable=True)
        batch.create_unique_constraint(_UNIQUE, ["claim_id", "check_code", "evidence_key"])
