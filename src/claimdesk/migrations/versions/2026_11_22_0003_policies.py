"""policies: contracts, beneficiaries, changes, disputes (POL-1..6)

Revision ID: 0003_policies
Revises: 0002_products
Create Date: 2026-11-22 15:14:18
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_policies"
down_revision: str | None = "0002_products"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("product_version_id", sa.Integer(), nullable=False),
        sa.Column("policyholder_id", sa.Integer(), nullable=False),
        sa.Column("insured_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("premium", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("customer_group", sa.String(length=32), nullable=True),
        sa.Column("agent_user_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("previous_policy_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        sa.Column("terminated_on", sa.Date(), nullable=True),
        sa.Column("refund_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_user_id"], ["users.id"], name=op.f("fk_policies_agent_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["insured_id"], ["people.id"], name=op.f("fk_policies_insured_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["users.id"], name=op.f("fk_policies_issued_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_units.id"], name=op.f("fk_policies_org_unit_id_org_units")
        ),
        sa.ForeignKeyConstraint(
            ["policyholder_id"], ["people.id"], name=op.f("fk_policies_policyholder_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["previous_policy_id"],
            ["policies.id"],
            name=op.f("fk_policies_previous_policy_id_policies"),
        ),
        sa.ForeignKeyConstraint(
            ["product_version_id"],
            ["product_versions.id"],
            name=op.f("fk_policies_product_version_id_product_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policies")),
        sa.UniqueConstraint("number", name=op.f("uq_policies_number")),
        sa.UniqueConstraint("previous_policy_id", name=op.f("uq_policies_previous_policy_id")),
    )
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_policies_agent_user_id"), ["agent_user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_policies_insured_id"), ["insured_id"], unique=False)
        batch_op.create_index("ix_policies_period", ["status", "period_end"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_policies_policyholder_id"), ["policyholder_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_policies_product_version_id"), ["product_version_id"], unique=False
        )

    op.create_table(
        "policy_beneficiaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("relationship_to_insured", sa.String(length=20), nullable=False),
        sa.Column("share", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_policy_beneficiaries_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["policies.id"],
            name=op.f("fk_policy_beneficiaries_policy_id_policies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_beneficiaries")),
    )
    with op.batch_alter_table("policy_beneficiaries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_policy_beneficiaries_policy_id"), ["policy_id"], unique=False
        )

    op.create_table(
        "policy_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("customer_consent", sa.Boolean(), nullable=False),
        sa.Column("customer_consent_method", sa.String(length=40), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("rejected_reason", sa.Text(), nullable=True),
        sa.Column("refund_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_policy_changes_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["completed_by_id"], ["users.id"], name=op.f("fk_policy_changes_completed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_policy_changes_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_policy_changes_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name=op.f("fk_policy_changes_reviewed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_changes")),
    )
    with op.batch_alter_table("policy_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_policy_changes_policy_id"), ["policy_id"], unique=False
        )

    op.create_table(
        "policy_disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("applicant", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("agreement", sa.Text(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_effective_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_policy_disputes_policy_id_policies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_disputes")),
    )
    with op.batch_alter_table("policy_disputes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_policy_disputes_policy_id"), ["policy_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("policy_disputes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_disputes_policy_id"))

    op.drop_table("policy_disputes")
    with op.batch_alter_table("policy_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_changes_policy_id"))

    op.drop_table("policy_changes")
    with op.batch_alter_table("policy_beneficiaries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_beneficiaries_policy_id"))

    op.drop_table("policy_beneficiaries")
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policies_product_version_id"))
        batch_op.drop_index(batch_op.f("ix_policies_policyholder_id"))
        batch_op.drop_index("ix_policies_period")
        batch_op.drop_index(batch_op.f("ix_policies_insured_id"))
        batch_op.drop_index(batch_op.f("ix_policies_agent_user_id"))

    op.drop_table("policies")
