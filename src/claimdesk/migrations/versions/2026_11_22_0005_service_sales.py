"""service and sales: service desk, complaints, satisfaction, sales channels and agents
(SVC-1..SVC-6, SAL-1..SAL-3)

Revision ID: 0005_service_sales
Revises: 0003_policies
Create Date: 2026-11-22 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_service_sales"
down_revision: str | None = "0003_policies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sales_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("modes", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_channels")),
        sa.UniqueConstraint("code", name=op.f("uq_sales_channels_code")),
    )
    op.create_table(
        "sales_organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        sa.Column("licence_number", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["sales_channels.id"],
            name=op.f("fk_sales_organisations_channel_id_sales_channels"),
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"],
            ["org_units.id"],
            name=op.f("fk_sales_organisations_org_unit_id_org_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_organisations")),
    )
    op.create_index(
        op.f("ix_sales_organisations_channel_id"),
        "sales_organisations",
        ["channel_id"],
        unique=False,
    )
    op.create_table(
        "sales_agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("licence_number", sa.String(length=40), nullable=False),
        sa.Column("licence_valid_from", sa.Date(), nullable=False),
        sa.Column("licence_valid_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["sales_organisations.id"],
            name=op.f("fk_sales_agents_organisation_id_sales_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sales_agents_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_agents")),
        sa.UniqueConstraint("licence_number", name=op.f("uq_sales_agents_licence_number")),
        sa.UniqueConstraint("user_id", name=op.f("uq_sales_agents_user_id")),
    )
    op.create_index(
        op.f("ix_sales_agents_organisation_id"), "sales_agents", ["organisation_id"], unique=False
    )
    op.create_table(
        "sales_training_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(length=200), nullable=False),
        sa.Column("hours", sa.Numeric(precision=5, scale=1), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["sales_agents.id"],
            name=op.f("fk_sales_training_records_agent_id_sales_agents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_training_records")),
    )
    op.create_index(
        op.f("ix_sales_training_records_agent_id"),
        "sales_training_records",
        ["agent_id"],
        unique=False,
    )
    op.create_table(
        "sales_agent_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("results_score", sa.Integer(), nullable=False),
        sa.Column("service_quality_score", sa.Integer(), nullable=False),
        sa.Column("satisfaction_score", sa.Integer(), nullable=False),
        sa.Column("compliance_score", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("assessed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["sales_agents.id"],
            name=op.f("fk_sales_agent_assessments_agent_id_sales_agents"),
        ),
        sa.ForeignKeyConstraint(
            ["assessed_by_id"],
            ["users.id"],
            name=op.f("fk_sales_agent_assessments_assessed_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_agent_assessments")),
    )
    op.create_index(
        op.f("ix_sales_agent_assessments_agent_id"),
        "sales_agent_assessments",
        ["agent_id"],
        unique=False,
    )
    op.create_table(
        "sales_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("evaluated_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("evaluator_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["sales_agents.id"],
            name=op.f("fk_sales_evaluations_agent_id_sales_agents"),
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["sales_channels.id"],
            name=op.f("fk_sales_evaluations_channel_id_sales_channels"),
        ),
        sa.ForeignKeyConstraint(
            ["evaluator_id"], ["users.id"], name=op.f("fk_sales_evaluations_evaluator_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["sales_organisations.id"],
            name=op.f("fk_sales_evaluations_organisation_id_sales_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_evaluations")),
    )
    op.create_table(
        "sales_evaluation_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["sales_evaluations.id"],
            name=op.f("fk_sales_evaluation_findings_evaluation_id_sales_evaluations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_evaluation_findings")),
    )
    op.create_index(
        op.f("ix_sales_evaluation_findings_evaluation_id"),
        "sales_evaluation_findings",
        ["evaluation_id"],
        unique=False,
    )
    op.create_table(
        "sales_improvement_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["sales_evaluation_findings.id"],
            name=op.f("fk_sales_improvement_actions_finding_id_sales_evaluation_findings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"],
            ["users.id"],
            name=op.f("fk_sales_improvement_actions_owner_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_improvement_actions")),
    )
    op.create_index(
        op.f("ix_sales_improvement_actions_finding_id"),
        "sales_improvement_actions",
        ["finding_id"],
        unique=False,
    )
    op.create_table(
        "service_desk_supervisors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_unit_id"],
            ["org_units.id"],
            name=op.f("fk_service_desk_supervisors_org_unit_id_org_units"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_service_desk_supervisors_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_desk_supervisors")),
        sa.UniqueConstraint("org_unit_id", name=op.f("uq_service_desk_supervisors_org_unit_id")),
    )
    op.create_table(
        "service_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_type", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("agent_user_id", sa.Integer(), nullable=True),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("request", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("policy_change_id", sa.Integer(), nullable=True),
        sa.Column("renewed_policy_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_user_id"], ["users.id"], name=op.f("fk_service_records_agent_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_units.id"], name=op.f("fk_service_records_org_unit_id_org_units")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_service_records_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["policy_change_id"],
            ["policy_changes.id"],
            name=op.f("fk_service_records_policy_change_id_policy_changes"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_service_records_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["renewed_policy_id"],
            ["policies.id"],
            name=op.f("fk_service_records_renewed_policy_id_policies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_records")),
    )
    op.create_index(
        op.f("ix_service_records_agent_user_id"), "service_records", ["agent_user_id"], unique=False
    )
    op.create_index(
        op.f("ix_service_records_claim_id"), "service_records", ["claim_id"], unique=False
    )
    op.create_index(
        op.f("ix_service_records_person_id"), "service_records", ["person_id"], unique=False
    )
    op.create_index(
        op.f("ix_service_records_policy_id"), "service_records", ["policy_id"], unique=False
    )
    op.create_index(
        "ix_service_records_received",
        "service_records",
        ["org_unit_id", "received_at"],
        unique=False,
    )
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("complaint_type", sa.String(length=24), nullable=False),
        sa.Column("cause", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("service_record_id", sa.Integer(), nullable=True),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        sa.Column("handler_user_id", sa.Integer(), nullable=True),
        sa.Column("received_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("progress_note", sa.Text(), nullable=True),
        sa.Column("working_days_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("days_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decision_rule_type", sa.String(length=16), nullable=False),
        sa.Column("decision_rule_n", sa.Integer(), nullable=False),
        sa.Column("decision_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("decision_outcome", sa.String(length=20), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("customer_response", sa.String(length=12), nullable=True),
        sa.Column("escalation_route", sa.String(length=16), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_complaints_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["handler_user_id"], ["users.id"], name=op.f("fk_complaints_handler_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_units.id"], name=op.f("fk_complaints_org_unit_id_org_units")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_complaints_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_complaints_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["received_by_id"], ["users.id"], name=op.f("fk_complaints_received_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["service_record_id"],
            ["service_records.id"],
            name=op.f("fk_complaints_service_record_id_service_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    op.create_index(op.f("ix_complaints_claim_id"), "complaints", ["claim_id"], unique=False)
    op.create_index(op.f("ix_complaints_person_id"), "complaints", ["person_id"], unique=False)
    op.create_index(
        "ix_complaints_received", "complaints", ["org_unit_id", "received_at"], unique=False
    )
    op.create_table(
        "complaint_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_complaint_notes_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_notes_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_notes")),
    )
    op.create_index(
        op.f("ix_complaint_notes_complaint_id"), "complaint_notes", ["complaint_id"], unique=False
    )
    op.create_table(
        "satisfaction_surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("service_type", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("score_speed", sa.SmallInteger(), nullable=False),
        sa.Column("score_attitude", sa.SmallInteger(), nullable=False),
        sa.Column("score_result", sa.SmallInteger(), nullable=False),
        sa.Column("score_process", sa.SmallInteger(), nullable=False),
        sa.Column("score_value_added", sa.SmallInteger(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("surveyed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_unit_id"],
            ["org_units.id"],
            name=op.f("fk_satisfaction_surveys_org_unit_id_org_units"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_satisfaction_surveys_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_satisfaction_surveys_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_surveys")),
        sa.UniqueConstraint(
            "subject_type",
            "subject_id",
            "source",
            name=op.f("uq_satisfaction_surveys_subject_type"),
        ),
    )
    op.create_index(
        op.f("ix_satisfaction_surveys_person_id"),
        "satisfaction_surveys",
        ["person_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("satisfaction_surveys")
    op.drop_table("complaint_notes")
    op.drop_table("complaints")
    op.drop_table("service_records")
    op.drop_table("service_desk_supervisors")
    op.drop_table("sales_improvement_actions")
    op.drop_table("sales_evaluation_findings")
    op.drop_table("sales_evaluations")
    op.drop_table("sales_agent_assessments")
    op.drop_table("sales_training_records")
    op.drop_table("sales_agents")
    op.drop_table("sales_organisations")
    op.drop_table("sales_channels")
