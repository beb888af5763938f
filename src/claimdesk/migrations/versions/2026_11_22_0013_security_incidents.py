"""security incidents (SEC-7): incidents with their containment and corrective actions,
their state history, the per-day number sequence and the administrator's time limits

The time-limit table starts empty: a severity x stage without a row uses the default
in claimdesk.security.limits (the administrator changes it on the thresholds page).

Revision ID: 0013_security_incidents
Revises: 0012_survey_plan
Create Date: 2026-11-22 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_security_incidents"
down_revision: str | Sequence[str] | None = "0012_survey_plan"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "security_incident_sequences",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_security_incident_sequences")),
    )
    op.create_table(
        "security_incident_time_limits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("severity", sa.String(length=12), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("rule_type", sa.String(length=16), nullable=False),
        sa.Column("rule_n", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_security_incident_time_limits_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_incident_time_limits")),
        sa.UniqueConstraint(
            "severity", "stage", name=op.f("uq_security_incident_time_limits_severity")
        ),
    )
    op.create_table(
        "security_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("reporter_name", sa.String(length=100), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=12), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("affected_systems", sa.Text(), nullable=False),
        sa.Column("affected_data", sa.Text(), nullable=True),
        sa.Column("personal_data_involved", sa.Boolean(), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contained_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("root_caused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("root_cause", sa.Text(), nullable=True),
        sa.Column("root_cause_category", sa.String(length=24), nullable=True),
        sa.Column("root_cause_by_id", sa.Integer(), nullable=True),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("review_outcome", sa.String(length=16), nullable=True),
        sa.Column("review_notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_unit_id"],
            ["org_units.id"],
            name=op.f("fk_security_incidents_org_unit_id_org_units"),
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_security_incidents_reporter_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_security_incidents_reviewer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["root_cause_by_id"],
            ["users.id"],
            name=op.f("fk_security_incidents_root_cause_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_incidents")),
        sa.UniqueConstraint("number", name=op.f("uq_security_incidents_number")),
    )
    op.create_index(
        op.f("ix_security_incidents_reporter_id"),
        "security_incidents",
        ["reporter_id"],
        unique=False,
    )
    op.create_index(
        "ix_security_incidents_state", "security_incidents", ["state", "reported_at"], unique=False
    )

    op.create_table(
        "security_incident_containment_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("performed_by", sa.String(length=100), nullable=False),
        sa.Column("performed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["security_incidents.id"],
            name=op.f("fk_security_incident_containment_actions_incident_id_security_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_security_incident_containment_actions_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_incident_containment_actions")),
    )
    op.create_index(
        op.f("ix_security_incident_containment_actions_incident_id"),
        "security_incident_containment_actions",
        ["incident_id"],
        unique=False,
    )

    op.create_table(
        "security_incident_corrective_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_note", sa.Text(), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["done_by_id"],
            ["users.id"],
            name=op.f("fk_security_incident_corrective_actions_done_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["security_incidents.id"],
            name=op.f("fk_security_incident_corrective_actions_incident_id_security_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_security_incident_corrective_actions_owner_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_security_incident_corrective_actions_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_incident_corrective_actions")),
    )
    op.create_index(
        op.f("ix_security_incident_corrective_actions_incident_id"),
        "security_incident_corrective_actions",
        ["incident_id"],
        unique=False,
    )

    op.create_table(
        "security_incident_transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=False),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_security_incident_transitions_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["security_incidents.id"],
            name=op.f("fk_security_incident_transitions_incident_id_security_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_incident_transitions")),
    )
    op.create_index(
        op.f("ix_security_incident_transitions_incident_id"),
        "security_incident_transitions",
        ["incident_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_security_incident_transitions_incident_id"),
        table_name="security_incident_transitions",
    )

    op.drop_table("security_incident_transitions")
    op.drop_index(
        op.f("ix_security_incident_corrective_actions_incident_id"),
        table_name="security_incident_corrective_actions",
    )

    op.drop_table("security_incident_corrective_actions")
    op.drop_index(
        op.f("ix_security_incident_containment_actions_incident_id"),
        table_name="security_incident_containment_actions",
    )

    op.drop_table("security_incident_containment_actions")
    op.drop_index("ix_security_incidents_state", table_name="security_incidents")
    op.drop_index(op.f("ix_security_incidents_reporter_id"), table_name="security_incidents")

    op.drop_table("security_incidents")
    op.drop_table("security_incident_time_limits")
    op.drop_table("security_incident_sequences")
