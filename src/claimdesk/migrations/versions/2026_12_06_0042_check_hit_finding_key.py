"""check_hits.finding_key: the finding a hit records (rules.checks.findings.finding_key,
CLM-F3), unique per claim and check, so one finding cannot be recorded twice (CLM-T4
counts it once).

Until da34af0 a hit was keyed by its whole evidence, whose figures move with the book;
databases that ran that code hold the same finding twice or more. Those rows are merged
by ``claimdesk checks dedupe-hits`` (checks/dedupe.py), not here: working the key out
needs each row's evidence decrypted with the application's keyring, and a merge decides
which row keeps the investigator's decision and audits what it removed — the domain's
work, rerunnable, with a dry run. So the column starts NULL for every existing row (NULLs
are distinct in the unique index, on SQLite and PostgreSQL alike: nothing to conflict
with) and the command fills it. New and updated hits get it from the checks run.

Revision ID: 0042_check_hit_finding_key
Revises: 0041_insured_relationship
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0042_check_hit_finding_key"
down_revision: str | Sequence[str] | None = "0041_insured_relationship"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE INDEX, no batch rebuild (as 0036).
    op.add_column("check_hits", sa.Column("finding_key", sa.String(length=32), nullable=True))
    op.create_index(
        "uq_check_hits_finding_key",
        "check_hits",
        ["claim_id", "check_code", "finding_key"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_check_hits_finding_key", table_name="check_hits")
    op.drop_column("check_hits", "finding_key")
