"""Sales channels, organisations, agents and evaluations (SAL-1..SAL-3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from claimdesk.models.base import Base, TimestampMixin
from claimdesk.models.states import ImprovementActionState, SalesAgentState, StateType


class SalesChannel(TimestampMixin, Base):
    __tablename__ = "sales_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # The name English pages show; unset, they show ``name`` (formatting.name_in).
    name_en: Mapped[str | None] = mapped_column(String(100))
    # direct_team | agency | bank | securities_firm | internet | other
    kind: Mapped[str] = mapped_column(String(20))
    # Comma separated: face_to_face,phone,online,mail_sms
    modes: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SalesOrganisation(TimestampMixin, Base):
    __tablename__ = "sales_organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # The name English pages show; unset, they show ``name`` (formatting.name_in).
    name_en: Mapped[str | None] = mapped_column(String(100))
    channel_id: Mapped[int] = mapped_column(ForeignKey("sales_channels.id"), index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    # The intermediary's business licence, when it is one (agency, bank ...).
    licence_number: Mapped[str | None] = mapped_column(String(40))


class SalesAgent(TimestampMixin, Base):
    """A salesperson with a practising qualification valid over [valid_from, valid_until]."""

    __tablename__ = "sales_agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("sales_organisations.id"), index=True)
    licence_number: Mapped[str] = mapped_column(String(40), unique=True)
    licence_valid_from: Mapped[dt.date] = mapped_column(Date)
    licence_valid_until: Mapped[dt.date] = mapped_column(Date)
    # active | suspended
    status: Mapped[SalesAgentState] = mapped_column(
        StateType(SalesAgentState, 12), default=SalesAgentState.ACTIVE
    )


class TrainingRecord(TimestampMixin, Base):
    __tablename__ = "sales_training_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("sales_agents.id"), index=True)
    course: Mapped[str] = mapped_column(String(200))
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    completed_on: Mapped[dt.date] = mapped_column(Date)
    passed: Mapped[bool] = mapped_column(Boolean)


class AgentAssessment(TimestampMixin, Base):
    """Periodic assessment (SAL-2): results, service quality, satisfaction, compliance (0..100)."""

    __tablename__ = "sales_agent_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("sales_agents.id"), index=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    results_score: Mapped[int] = mapped_column(Integer)
    service_quality_score: Mapped[int] = mapped_column(Integer)
    satisfaction_score: Mapped[int] = mapped_column(Integer)
    compliance_score: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SalesEvaluation(TimestampMixin, Base):
    """An evaluation of a channel, organisation or agent (SAL-3)."""

    __tablename__ = "sales_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # survey | mystery_shopping | internal_audit | data_analysis
    method: Mapped[str] = mapped_column(String(20))
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("sales_channels.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("sales_organisations.id"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("sales_agents.id"))
    evaluated_on: Mapped[dt.date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class EvaluationFinding(TimestampMixin, Base):
    __tablename__ = "sales_evaluation_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("sales_evaluations.id", ondelete="CASCADE"), index=True
    )
    # satisfaction | service_quality | results | compliance
    dimension: Mapped[str] = mapped_column(String(20))
    # low | medium | high
    severity: Mapped[str] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(Text)


class ImprovementAction(TimestampMixin, Base):
    """An action answering a finding, tracked until done (SAL-3)."""

    __tablename__ = "sales_improvement_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("sales_evaluation_findings.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[dt.date] = mapped_column(Date)
    # open | done
    status: Mapped[ImprovementActionState] = mapped_column(
        StateType(ImprovementActionState, 8), default=ImprovementActionState.OPEN
    )
    done_at: Mapped[dt.datetime | None]
    done_note: Mapped[str | None] = mapped_column(Text)
