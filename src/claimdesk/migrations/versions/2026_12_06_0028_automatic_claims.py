"""Straight-through claims (CLM-T2) and their quality sample (CLM-T3): the automatic
settings as three more columns of the versioned thresholds (existing versions get the
defaults: ¥5,000, medical, 5%), the rule sets decisions ran under, one decision per
claim, and the reviewers' verdicts on the sample.

Revision ID: 0028_automatic_claims
Revises: 0027_used_sms_challenges
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028_automatic_claims"
down_revision: str | Sequence[str] | None = "0027_used_sms_challenges"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(18, 2, asdecimal=True)


def upgrade() -> None:
    with op.batch_alter_table("claim_threshold_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("automatic_max_amount", MONEY, server_default="5000.00", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "automatic_lines", sa.String(length=255), server_default="medical", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "sample_share",
                sa.Numeric(5, 4, asdecimal=True),
                server_default="0.0500",
                nullable=False,
            )
        )
    op.create_table(
        "automatic_rule_sets",
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("first_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_automatic_rule_sets")),
    )
    op.create_table(
        "automatic_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("rule_set_version", sa.String(length=40), nullable=False),
        sa.Column("data_version", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("materials_complete_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payment_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("amount", MONEY, nullable=True),
        sa.Column("coverage_code", sa.String(length=32), nullable=True),
        sa.Column("line", sa.String(length=20), nullable=False),
        sa.Column("sampled", sa.Boolean(), nullable=False),
        sa.Column("evaluations", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_automatic_decisions_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["claim_payments.id"],
            name=op.f("fk_automatic_decisions_payment_id_claim_payments"),
        ),
        sa.ForeignKeyConstraint(
            ["rule_set_version"],
            ["automatic_rule_sets.version"],
            name=op.f("fk_automatic_decisions_rule_set_version_automatic_rule_sets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automatic_decisions")),
        sa.UniqueConstraint("claim_id", name=op.f("uq_automatic_decisions_claim_id")),
    )
    with op.batch_alter_table("automatic_decisions", schema=None) as batch_op:
        for column in ("outcome", "rule_set_version", "decided_at", "sampled"):
            batch_op.create_index(
                batch_op.f(f"ix_automatic_decisions_{column}"), [column], unique=False
            )
    op.create_table(
        "automatic_sample_verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("rule_set_version", sa.String(length=40), nullable=False),
        sa.Column("agrees", sa.Boolean(), nullable=False),
        sa.Column("automatic_amount", MONEY, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("difference", MONEY, nullable=False),
        sa.Column("correction", sa.String(length=12), nullable=False),
        sa.Column("correction_payment_id", sa.Integer(), nullable=True),
        sa.Column("recovery_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_automatic_sample_verdicts_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["automatic_decisions.id"],
            name=op.f("fk_automatic_sample_verdicts_decision_id_automatic_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["rule_set_version"],
            ["automatic_rule_sets.version"],
            name=op.f("fk_automatic_sample_verdicts_rule_set_version_automatic_rule_sets"),
        ),
        sa.ForeignKeyConstraint(
            ["correction_payment_id"],
            ["claim_payments.id"],
            name=op.f("fk_automatic_sample_verdicts_correction_payment_id_claim_payments"),
        ),
        sa.ForeignKeyConstraint(
            ["recovery_id"],
            ["claim_recoveries.id"],
            name=op.f("fk_automatic_sample_verdicts_recovery_id_claim_recoveries"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_automatic_sample_verdicts_reviewer_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automatic_sample_verdicts")),
        sa.UniqueConstraint("claim_id", name=op.f("uq_automatic_sample_verdicts_claim_id")),
    )
    with op.batch_alter_table("automatic_sample_verdicts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_automatic_sample_verdicts_rule_set_version"),
            ["rule_set_version"],
            unique=False,
        )


def downgrade() -> None:
    op.drop_table("automatic_sample_verdicts")
    op.drop_table("automatic_decisions")
    op.drop_table("automatic_rule_sets")
    with op.batch_alter_table("claim_threshold_versions", schema=None) as batch_op:
        batch_op.drop_column("sample_share")
        batch_op.drop_column("automatic_lines")
        batch_op.drop_column("automatic_max_amount")
