"""Reads of the sales domain (agents, channels, organisations, evaluations) for the
services and the management pages (issue 11: pages run no queries of their own)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.sales import (
    AgentAssessment,
    EvaluationFinding,
    ImprovementAction,
    SalesAgent,
    SalesChannel,
    SalesEvaluation,
    SalesOrganisation,
    TrainingRecord,
)
from claimdesk.models.user import User
from claimdesk.paging import PageRequest, Slice, fetch


def agents_page(session: Session, *, request: PageRequest) -> Slice[tuple[SalesAgent, str, str]]:
    """One page of the agents with their names and login names, by id (an insurer has
    thousands: the list never stops silently), and how many there are."""
    query = (
        select(SalesAgent, User.display_name, User.username)
        .join(User, User.id == SalesAgent.user_id)
        .order_by(SalesAgent.id)
    )
    rows = session.execute(query.offset(request.offset).limit(request.limit + 1)).all()
    total = session.scalar(select(func.count()).select_from(SalesAgent)) or 0
    return Slice(
        rows=[(agent, name, login) for agent, name, login in rows[: request.limit]],
        request=request,
        total=total,
        has_more=len(rows) > request.limit,
    )


def channels(session: Session) -> Sequence[SalesChannel]:
    return session.scalars(select(SalesChannel).order_by(SalesChannel.id)).all()


def organisations(session: Session) -> Sequence[SalesOrganisation]:
    return session.scalars(select(SalesOrganisation).order_by(SalesOrganisation.id)).all()


def trainings_of(session: Session, *, agent_id: int) -> Sequence[TrainingRecord]:
    return session.scalars(
        select(TrainingRecord)
        .where(TrainingRecord.agent_id == agent_id)
        .order_by(TrainingRecord.completed_on)
    ).all()


def assessments_of(session: Session, *, agent_id: int) -> Sequence[AgentAssessment]:
    return session.scalars(
        select(AgentAssessment)
        .where(AgentAssessment.agent_id == agent_id)
        .order_by(AgentAssessment.period_start)
    ).all()


def evaluations_page(session: Session, *, request: PageRequest) -> Slice[SalesEvaluation]:
    """The evaluations, newest first, one page at a time (a list never stops silently)."""
    return fetch(session, select(SalesEvaluation).order_by(SalesEvaluation.id.desc()), request)


def findings_of(session: Session, *, evaluation_ids: list[int]) -> Sequence[EvaluationFinding]:
    return session.scalars(
        select(EvaluationFinding).where(EvaluationFinding.evaluation_id.in_(evaluation_ids))
    ).all()


def channel_id_with_code(session: Session, *, code: str) -> int | None:
    """The channel already holding ``code`` (SAL-1: a channel's code is unique)."""
    return session.scalars(select(SalesChannel.id).where(SalesChannel.code == code)).first()


def agent_of_user(session: Session, *, user_id: int) -> SalesAgent | None:
    """The sales agent record of a login (SAL-2: one per login)."""
    return session.scalars(select(SalesAgent).where(SalesAgent.user_id == user_id)).first()


def agent_id_with_licence(session: Session, *, licence_number: str) -> int | None:
    """The agent already holding ``licence_number`` (SAL-2: a licence is one agent's)."""
    query = select(SalesAgent.id).where(SalesAgent.licence_number == licence_number)
    return session.scalars(query).first()


def findings_of_evaluation(session: Session, *, evaluation_id: int) -> list[EvaluationFinding]:
    query = select(EvaluationFinding).where(EvaluationFinding.evaluation_id == evaluation_id)
    return list(session.scalars(query.order_by(EvaluationFinding.id)))


def actions_of_findings(session: Session, *, finding_ids: Sequence[int]) -> list[ImprovementAction]:
    query = select(ImprovementAction).where(ImprovementAction.finding_id.in_(finding_ids))
    return list(session.scalars(query.order_by(ImprovementAction.id)))


def open_actions(session: Session) -> list[ImprovementAction]:
    """The improvement actions still open, the soonest due first (SAL-3)."""
    query = select(ImprovementAction).where(ImprovementAction.status == "open")
    return list(session.scalars(query.order_by(ImprovementAction.due_on, ImprovementAction.id)))
