"""claims: claims, materials, survey, assessment, adjustment, reserves, fraud flags (SPEC section 3, FIN-1)

Revision ID: 0004_claims
Revises: 0003_policies
Create Date: 2026-11-22 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_claims"
down_revision: str | None = "0003_policies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    #
    op.create_table(
        "claim_sequences",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_claim_sequences")),
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("resume_state", sa.String(length=24), nullable=True),
        sa.Column("materials_return_state", sa.String(length=24), nullable=True),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("coverage_codes", sa.JSON(), nullable=False),
        sa.Column("line", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("insured_person_id", sa.Integer(), nullable=False),
        sa.Column("claimant_name", sa.String(length=100), nullable=False),
        sa.Column("claimant_relationship", sa.String(length=20), nullable=False),
        sa.Column("contact_phone", sa.Text(), nullable=True),
        sa.Column("loss_date", sa.Date(), nullable=False),
        sa.Column("loss_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("loss_place", sa.String(length=200), nullable=False),
        sa.Column("loss_cause", sa.String(length=40), nullable=False),
        sa.Column("loss_overview", sa.Text(), nullable=False),
        sa.Column("estimated_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("casualties", sa.Integer(), nullable=False),
        sa.Column("group_incident", sa.Boolean(), nullable=False),
        sa.Column("is_major", sa.Boolean(), nullable=False),
        sa.Column("major_reasons", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        sa.Column("handler_id", sa.Integer(), nullable=True),
        sa.Column("surveyor_id", sa.Integer(), nullable=True),
        sa.Column("materials_complete_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payable_total", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_claims_entered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["handler_id"], ["users.id"], name=op.f("fk_claims_handler_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["insured_person_id"], ["people.id"], name=op.f("fk_claims_insured_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_units.id"], name=op.f("fk_claims_org_unit_id_org_units")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_claims_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["surveyor_id"], ["users.id"], name=op.f("fk_claims_surveyor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("number", name=op.f("uq_claims_number")),
    )
    op.create_index(
        op.f("ix_claims_insured_person_id"), "claims", ["insured_person_id"], unique=False
    )
    op.create_index(op.f("ix_claims_org_unit_id"), "claims", ["org_unit_id"], unique=False)
    op.create_index(op.f("ix_claims_policy_id"), "claims", ["policy_id"], unique=False)
    op.create_index("ix_claims_state", "claims", ["state"], unique=False)
    op.create_index(op.f("ix_claims_surveyor_id"), "claims", ["surveyor_id"], unique=False)
    op.create_table(
        "claim_fraud_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("rule_code", sa.String(length=40), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("flagged_by_id", sa.Integer(), nullable=True),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("exaggerated_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("recovery_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("police_referred", sa.Boolean(), nullable=False),
        sa.Column("police_reference", sa.String(length=100), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_fraud_flags_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["flagged_by_id"], ["users.id"], name=op.f("fk_claim_fraud_flags_flagged_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_claim_fraud_flags_resolved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_fraud_flags")),
    )
    op.create_index(
        op.f("ix_claim_fraud_flags_claim_id"), "claim_fraud_flags", ["claim_id"], unique=False
    )
    op.create_table(
        "claim_material_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("material_code", sa.String(length=40), nullable=True),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_path", sa.String(length=400), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("auth_method", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_material_files_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_claim_material_files_uploaded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_material_files")),
    )
    op.create_index(
        op.f("ix_claim_material_files_claim_id"), "claim_material_files", ["claim_id"], unique=False
    )
    op.create_table(
        "claim_materials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("origin", sa.String(length=12), nullable=False),
        sa.Column("origin_reason", sa.Text(), nullable=True),
        sa.Column("received", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paper_count", sa.Integer(), nullable=False),
        sa.Column("received_by_id", sa.Integer(), nullable=True),
        sa.Column("original_checked_by_id", sa.Integer(), nullable=True),
        sa.Column("original_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_result", sa.String(length=24), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_materials_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["original_checked_by_id"],
            ["users.id"],
            name=op.f("fk_claim_materials_original_checked_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["received_by_id"], ["users.id"], name=op.f("fk_claim_materials_received_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_materials")),
        sa.UniqueConstraint("claim_id", "code", name=op.f("uq_claim_materials_claim_id")),
    )
    op.create_index(
        op.f("ix_claim_materials_claim_id"), "claim_materials", ["claim_id"], unique=False
    )
    op.create_table(
        "claim_materials_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("justification", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_materials_notices_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"], ["users.id"], name=op.f("fk_claim_materials_notices_sent_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_materials_notices")),
        sa.UniqueConstraint(
            "claim_id", "sequence", name=op.f("uq_claim_materials_notices_claim_id")
        ),
    )
    op.create_index(
        op.f("ix_claim_materials_notices_claim_id"),
        "claim_materials_notices",
        ["claim_id"],
        unique=False,
    )
    op.create_table(
        "claim_reserves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("coverage_code", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_reserves_claim_id_claims")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_reserves")),
        sa.UniqueConstraint("claim_id", "coverage_code", name=op.f("uq_claim_reserves_claim_id")),
    )
    op.create_index(
        op.f("ix_claim_reserves_claim_id"), "claim_reserves", ["claim_id"], unique=False
    )
    op.create_table(
        "claim_survey_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("surveyor_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("contacted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("contact_note", sa.Text(), nullable=True),
        sa.Column("surveyed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["users.id"],
            name=op.f("fk_claim_survey_assignments_assigned_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_survey_assignments_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["surveyor_id"],
            ["users.id"],
            name=op.f("fk_claim_survey_assignments_surveyor_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_survey_assignments")),
    )
    op.create_index(
        op.f("ix_claim_survey_assignments_claim_id"),
        "claim_survey_assignments",
        ["claim_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_claim_survey_assignments_surveyor_id"),
        "claim_survey_assignments",
        ["surveyor_id"],
        unique=False,
    )
    op.create_table(
        "claim_transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_state", sa.String(length=24), nullable=False),
        sa.Column("to_state", sa.String(length=24), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_claim_transitions_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_transitions_claim_id_claims")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_transitions")),
    )
    op.create_index(
        op.f("ix_claim_transitions_claim_id"), "claim_transitions", ["claim_id"], unique=False
    )
    op.create_table(
        "claim_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("coverage_code", sa.String(length=32), nullable=False),
        sa.Column("coverage_type", sa.String(length=24), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("assessed_by_id", sa.Integer(), nullable=True),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("external_adjuster", sa.String(length=100), nullable=True),
        sa.Column("external_report_file_id", sa.Integer(), nullable=True),
        sa.Column("insurer_accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("insurer_accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("customer_accepted_by", sa.String(length=100), nullable=True),
        sa.Column("customer_accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessed_by_id"], ["users.id"], name=op.f("fk_claim_assessments_assessed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_assessments_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["external_report_file_id"],
            ["claim_material_files.id"],
            name=op.f("fk_claim_assessments_external_report_file_id_claim_material_files"),
        ),
        sa.ForeignKeyConstraint(
            ["insurer_accepted_by_id"],
            ["users.id"],
            name=op.f("fk_claim_assessments_insurer_accepted_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_assessments")),
    )
    op.create_index(
        op.f("ix_claim_assessments_claim_id"), "claim_assessments", ["claim_id"], unique=False
    )
    op.create_table(
        "claim_reserve_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reserve_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("before", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("after", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_claim_reserve_changes_changed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_reserve_changes_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["reserve_id"],
            ["claim_reserves.id"],
            name=op.f("fk_claim_reserve_changes_reserve_id_claim_reserves"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_reserve_changes")),
    )
    op.create_index(
        op.f("ix_claim_reserve_changes_claim_id"),
        "claim_reserve_changes",
        ["claim_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_claim_reserve_changes_reserve_id"),
        "claim_reserve_changes",
        ["reserve_id"],
        unique=False,
    )
    op.create_table(
        "claim_survey_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("surveyed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("people", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("conclusion", sa.Text(), nullable=False),
        sa.Column("covered", sa.Boolean(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("extent", sa.Text(), nullable=False),
        sa.Column("evidence_file_ids", sa.JSON(), nullable=False),
        sa.Column("certificate_file_id", sa.Integer(), nullable=True),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_by", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["claim_survey_assignments.id"],
            name=op.f("fk_claim_survey_reports_assignment_id_claim_survey_assignments"),
        ),
        sa.ForeignKeyConstraint(
            ["certificate_file_id"],
            ["claim_material_files.id"],
            name=op.f("fk_claim_survey_reports_certificate_file_id_claim_material_files"),
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_survey_reports_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"], ["users.id"], name=op.f("fk_claim_survey_reports_signed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_survey_reports")),
    )
    op.create_index(
        op.f("ix_claim_survey_reports_claim_id"), "claim_survey_reports", ["claim_id"], unique=False
    )
    op.create_table(
        "claim_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("coverage_code", sa.String(length=32), nullable=False),
        sa.Column("coverage_type", sa.String(length=24), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("payable", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("liability", sa.String(length=12), nullable=False),
        sa.Column("covered_items", sa.Text(), nullable=True),
        sa.Column("ratio", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("deductible", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("rejection_clause", sa.Text(), nullable=True),
        sa.Column("rejection_evidence", sa.Text(), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("trace", sa.JSON(), nullable=False),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_by", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["claim_assessments.id"],
            name=op.f("fk_claim_adjustments_assessment_id_claim_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_adjustments_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"], ["users.id"], name=op.f("fk_claim_adjustments_signed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_adjustments")),
    )
    op.create_index(
        op.f("ix_claim_adjustments_claim_id"), "claim_adjustments", ["claim_id"], unique=False
    )
    op.create_table(
        "claim_assessment_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item_type", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("catalog", sa.String(length=1), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=True),
        sa.Column("self_pay_ratio", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("removal_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["claim_assessments.id"],
            name=op.f("fk_claim_assessment_items_assessment_id_claim_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_assessment_items")),
    )
    op.create_index(
        op.f("ix_claim_assessment_items_assessment_id"),
        "claim_assessment_items",
        ["assessment_id"],
        unique=False,
    )
    #


def downgrade() -> None:
    #
    op.drop_index(
        op.f("ix_claim_assessment_items_assessment_id"), table_name="claim_assessment_items"
    )
    op.drop_table("claim_assessment_items")
    op.drop_index(op.f("ix_claim_adjustments_claim_id"), table_name="claim_adjustments")
    op.drop_table("claim_adjustments")
    op.drop_index(op.f("ix_claim_survey_reports_claim_id"), table_name="claim_survey_reports")
    op.drop_table("claim_survey_reports")
    op.drop_index(op.f("ix_claim_reserve_changes_reserve_id"), table_name="claim_reserve_changes")
    op.drop_index(op.f("ix_claim_reserve_changes_claim_id"), table_name="claim_reserve_changes")
    op.drop_table("claim_reserve_changes")
    op.drop_index(op.f("ix_claim_assessments_claim_id"), table_name="claim_assessments")
    op.drop_table("claim_assessments")
    op.drop_index(op.f("ix_claim_transitions_claim_id"), table_name="claim_transitions")
    op.drop_table("claim_transitions")
    op.drop_index(
        op.f("ix_claim_survey_assignments_surveyor_id"), table_name="claim_survey_assignments"
    )
    op.drop_index(
        op.f("ix_claim_survey_assignments_claim_id"), table_name="claim_survey_assignments"
    )
    op.drop_table("claim_survey_assignments")
    op.drop_index(op.f("ix_claim_reserves_claim_id"), table_name="claim_reserves")
    op.drop_table("claim_reserves")
    op.drop_index(op.f("ix_claim_materials_notices_claim_id"), table_name="claim_materials_notices")
    op.drop_table("claim_materials_notices")
    op.drop_index(op.f("ix_claim_materials_claim_id"), table_name="claim_materials")
    op.drop_table("claim_materials")
    op.drop_index(op.f("ix_claim_material_files_claim_id"), table_name="claim_material_files")
    op.drop_table("claim_material_files")
    op.drop_index(op.f("ix_claim_fraud_flags_claim_id"), table_name="claim_fraud_flags")
    op.drop_table("claim_fraud_flags")
    op.drop_index(op.f("ix_claims_surveyor_id"), table_name="claims")
    op.drop_index("ix_claims_state", table_name="claims")
    op.drop_index(op.f("ix_claims_policy_id"), table_name="claims")
    op.drop_index(op.f("ix_claims_org_unit_id"), table_name="claims")
    op.drop_index(op.f("ix_claims_insured_person_id"), table_name="claims")
    op.drop_table("claims")
    op.drop_table("claim_sequences")
    #
