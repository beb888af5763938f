"""automatic checks on claims (CLM-F3): versioned configuration of each check, seeded
with the defaults of claimdesk.rules.checks, and the hits they record.

Revision ID: 0025_claim_checks
Revises: 0021_merge
Create Date: 2026-12-05 23:30:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025_claim_checks"
down_revision: str | Sequence[str] | None = "0021_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The defaults as they stand today, written out: a migration must not change when the
# code's defaults change later (an administrator's later change is a new version row).
DEFAULTS: list[tuple[str, str, dict[str, object]]] = [
    ("duplicate_receipt", "hold", {"min_line_amount": "100"}),
    ("outside_period", "hold", {}),
    ("sex_age_mismatch", "hold", {}),
    ("early_claim", "refer", {"days": 30}),
    (
        "just_under_limit",
        "refer",
        {"limits": ["5000", "10000"], "within_pct": "5", "min_count": 3, "lookback_days": 365},
    ),
    ("shared_contact", "hold", {"min_other_people": 1}),
    ("provider_cluster", "refer", {"window_days": 3, "min_insureds": 15}),
    ("claim_frequency", "refer", {"period_days": 90, "max_claims": 4}),
    ("amount_outlier", "refer", {"min_samples": 30, "z_threshold": "5"}),
]


def upgrade() -> None:
    table = op.create_table(
        "check_config_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_check_config_versions_created_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_config_versions")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_check_config_versions_code")),
    )
    with op.batch_alter_table("check_config_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_config_versions_code"), ["code"], unique=False)
    op.create_table(
        "check_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("check_code", sa.String(length=40), nullable=False),
        sa.Column("config_version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("reason_zh", sa.Text(), nullable=False),
        sa.Column("reason_en", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("evidence_key", sa.String(length=32), nullable=False),
        sa.Column("data_version", sa.String(length=64), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fraud_flag_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_check_hits_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["fraud_flag_id"],
            ["claim_fraud_flags.id"],
            name=op.f("fk_check_hits_fraud_flag_id_claim_fraud_flags"),
        ),
        sa.ForeignKeyConstraint(
            ["outcome_by_id"], ["users.id"], name=op.f("fk_check_hits_outcome_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_hits")),
        sa.UniqueConstraint(
            "claim_id", "check_code", "evidence_key", name=op.f("uq_check_hits_claim_id")
        ),
    )
    with op.batch_alter_table("check_hits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_hits_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_check_hits_check_code"), ["check_code"], unique=False)
    since = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    op.bulk_insert(
        table,
        [
            {
                "code": code,
                "version": 1,
                "enabled": True,
                "action": action,
                "parameters": parameters,
                "created_at": since,
                "created_by_id": None,
                "reason": "defaults (SPEC CLM-F3)",
            }
            for code, action, parameters in DEFAULTS
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("check_hits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_hits_check_code"))
        batch_op.drop_index(batch_op.f("ix_check_hits_claim_id"))
    op.drop_table("check_hits")
    with op.batch_alter_table("check_config_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_config_versions_code"))
    op.drop_table("check_config_versions")
