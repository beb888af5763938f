"""Sales channels and staff (SAL-1, SAL-2) and sales evaluations (SAL-3).

``agent_may_sell`` is the rule the policies domain calls when it records the agent of a
new policy: a lapsed, suspended or unknown qualification refuses the policy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from claimdesk import lifecycle
from claimdesk.audit.service import record
from claimdesk.auth import repository as auth_repository
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.errors import AlreadyExists, NotFound
from claimdesk.models.base import utcnow
from claimdesk.models.org import OrgUnit
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
from claimdesk.paging import PageRequest, Slice
from claimdesk.sales import repository
from claimdesk.sales.errors import (
    AgentQualificationLapsed,
    EvaluationTargetRequired,
    ImprovementActionDone,
    InvalidValidity,
    SalesRecordNotFound,
    ScoreOutOfScale,
)
from claimdesk.service.errors import TextRequired, choose

CHANNEL_KINDS = ("direct_team", "agency", "bank", "securities_firm", "internet", "other")
SALES_MODES = ("face_to_face", "phone", "online", "mail_sms")
EVALUATION_METHODS = ("survey", "mystery_shopping", "internal_audit", "data_analysis")
DIMENSIONS = ("satisfaction", "service_quality", "results", "compliance")
SEVERITIES = ("low", "medium", "high")


def _text(value: str | None, name: str) -> str:
    if value is None or not value.strip():
        raise TextRequired(field=name)
    return value.strip()


def _optional(value: str | None) -> str | None:
    """An optional text (an English name): trimmed, a blank one is none."""
    return value.strip() or None if value is not None else None


T = TypeVar("T")


def _get(session: Session, model: type[T], ident: int | None, name: str, what: str) -> T:
    found = session.get(model, ident) if ident is not None else None
    if found is None:
        raise SalesRecordNotFound(field=name, what=what)
    return found


# --- channels, organisations, agents (SAL-1, SAL-2) -----------------------------------


def create_channel(
    session: Session,
    *,
    actor: Principal,
    code: str,
    name: str,
    kind: str,
    modes: Sequence[str],
    name_en: str | None = None,
) -> SalesChannel:
    choose(kind, CHANNEL_KINDS, "kind")
    if not modes:
        raise TextRequired(field="modes")
    for index, mode in enumerate(modes):
        choose(mode, SALES_MODES, f"modes.{index}")
    code = _text(code, "code")
    if repository.channel_id_with_code(session, code=code) is not None:
        raise AlreadyExists(field="code", what="sales channel")
    channel = SalesChannel(
        code=code,
        name=_text(name, "name"),
        name_en=_optional(name_en),
        kind=kind,
        modes=",".join(dict.fromkeys(modes)),
        active=True,
    )
    session.add(channel)
    session.flush()
    record(
        session,
        actor=actor,
        action="sales.channel_created",
        entity_type="sales_channel",
        entity_id=channel.id,
        details={"code": code, "kind": kind, "modes": channel.modes},
    )
    return channel


def create_organisation(
    session: Session,
    *,
    actor: Principal,
    name: str,
    channel_id: int,
    org_unit_id: int | None = None,
    licence_number: str | None = None,
    name_en: str | None = None,
) -> SalesOrganisation:
    _get(session, SalesChannel, channel_id, "channel_id", "sales channel")
    organisation = SalesOrganisation(
        name=_text(name, "name"),
        name_en=_optional(name_en),
        channel_id=channel_id,
        org_unit_id=org_unit_id,
        licence_number=licence_number,
    )
    session.add(organisation)
    session.flush()
    record(
        session,
        actor=actor,
        action="sales.organisation_created",
        entity_type="sales_organisation",
        entity_id=organisation.id,
        details={"channel_id": channel_id},
    )
    return organisation


class Unchanged:
    """The value of an edit's argument that was not given (None means "remove")."""


UNCHANGED = Unchanged()


def get_channel(session: Session, *, channel_id: int) -> SalesChannel:
    """A channel by id (reference data: no personal data, the same for every reader)."""
    return _get(session, SalesChannel, channel_id, "channel_id", "sales channel")


def get_organisation(session: Session, *, organisation_id: int) -> SalesOrganisation:
    """A sales organisation by id (reference data, as channels)."""
    return _get(
        session, SalesOrganisation, organisation_id, "organisation_id", "sales organisation"
    )


def update_channel(
    session: Session,
    *,
    actor: Principal,
    channel_id: int,
    reason: str,
    name: str | None = None,
    name_en: str | Unchanged | None = UNCHANGED,
    kind: str | None = None,
    modes: Sequence[str] | None = None,
) -> SalesChannel:
    """A channel's names, kind and sales modes corrected (SAL-1, GEN-6), audited with
    before and after. None leaves a field as it is; ``name_en`` None removes the English
    name (English pages then show the Chinese one). The code is never edited."""
    channel = get_channel(session, channel_id=channel_id)
    reason = _text(reason, "reason")
    if kind is not None:
        choose(kind, CHANNEL_KINDS, "kind")
    if modes is not None:
        if not modes:
            raise TextRequired(field="modes")
        for index, mode in enumerate(modes):
            choose(mode, SALES_MODES, f"modes.{index}")
    before = _channel_facts(channel)
    if name is not None:
        channel.name = _text(name, "name")
    if not isinstance(name_en, Unchanged):
        channel.name_en = _optional(name_en)
    if kind is not None:
        channel.kind = kind
    if modes is not None:
        channel.modes = ",".join(dict.fromkeys(modes))
    session.flush()
    record(
        session,
        actor=actor,
        action="sales.channel_updated",
        entity_type="sales_channel",
        entity_id=channel.id,
        reason=reason,
        details={"code": channel.code, "before": before, "after": _channel_facts(channel)},
    )
    return channel


def _channel_facts(channel: SalesChannel) -> dict[str, Any]:
    return {
        "name": channel.name,
        "name_en": channel.name_en,
        "kind": channel.kind,
        "modes": channel.modes,
    }


def update_organisation(
    session: Session,
    *,
    actor: Principal,
    organisation_id: int,
    reason: str,
    name: str | None = None,
    name_en: str | Unchanged | None = UNCHANGED,
    org_unit_id: int | Unchanged | None = UNCHANGED,
    licence_number: str | Unchanged | None = UNCHANGED,
) -> SalesOrganisation:
    """A sales organisation's names, branch and licence corrected (SAL-1, GEN-6),
    audited with before and after. UNCHANGED leaves a field; None removes the English
    name, the branch or the licence. Its channel is not edited."""
    organisation = get_organisation(session, organisation_id=organisation_id)
    reason = _text(reason, "reason")
    if isinstance(org_unit_id, int):
        _get(session, OrgUnit, org_unit_id, "org_unit_id", "org unit")
    before = _organisation_facts(organisation)
    if name is not None:
        organisation.name = _text(name, "name")
    if not isinstance(name_en, Unchanged):
        organisation.name_en = _optional(name_en)
    if not isinstance(org_unit_id, Unchanged):
        organisation.org_unit_id = org_unit_id
    if not isinstance(licence_number, Unchanged):
        organisation.licence_number = _optional(licence_number)
    session.flush()
    record(
        session,
        actor=actor,
        action="sales.organisation_updated",
        entity_type="sales_organisation",
        entity_id=organisation.id,
        reason=reason,
        details={"before": before, "after": _organisation_facts(organisation)},
    )
    return organisation


def _organisation_facts(organisation: SalesOrganisation) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "name_en": organisation.name_en,
        "org_unit_id": organisation.org_unit_id,
        "licence_number": organisation.licence_number,
    }


def register_agent(
    session: Session,
    *,
    actor: Principal,
    user_id: int,
    organisation_id: int,
    licence_number: str,
    valid_from: dt.date,
    valid_until: dt.date,
) -> SalesAgent:
    _get(session, User, user_id, "user_id", "user")
    _get(session, SalesOrganisation, organisation_id, "organisation_id", "sales organisation")
    licence_number = _text(licence_number, "licence_number")
    if valid_until < valid_from:
        raise InvalidValidity(field="valid_until")
    if repository.agent_of_user(session, user_id=user_id) is not None:
        raise AlreadyExists(field="user_id", what="sales agent")
    if repository.agent_id_with_licence(session, licence_number=licence_number) is not None:
        raise AlreadyExists(field="licence_number", what="licence")
    agent = SalesAgent(
        user_id=user_id,
        organisation_id=organisation_id,
        licence_number=licence_number,
        licence_valid_from=valid_from,
        licence_valid_until=valid_until,
        status="active",
    )
    session.add(agent)
    session.flush()
    record(
        session,
        actor=actor,
        action="sales.agent_registered",
        entity_type="sales_agent",
        entity_id=agent.id,
        details={
            "user_id": user_id,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat(),
        },
    )
    return agent


def renew_licence(
    session: Session,
    *,
    actor: Principal,
    agent_id: int,
    licence_number: str,
    valid_from: dt.date,
    valid_until: dt.date,
) -> SalesAgent:
    agent = _get(session, SalesAgent, agent_id, "agent_id", "sales agent")
    if valid_until < valid_from:
        raise InvalidValidity(field="valid_until")
    before = {
        "licence_number": agent.licence_number,
        "valid_until": agent.licence_valid_until.isoformat(),
    }
    agent.licence_number = _text(licence_number, "licence_number")
    agent.licence_valid_from, agent.licence_valid_until = valid_from, valid_until
    session.flush()
    record(
        session,
        actor=actor,
        action="sales.licence_renewed",
        entity_type="sales_agent",
        entity_id=agent.id,
        details={"before": before, "valid_until": valid_until.isoformat()},
    )
    return agent


def set_agent_status(
    session: Session, *, actor: Principal, agent_id: int, status: str, reason: str
) -> SalesAgent:
    agent = _get(session, SalesAgent, agent_id, "agent_id", "sales agent")
    choose(status, ("active", "suspended"), "status")
    why = _text(reason, "reason")
    lifecycle.transition(
        session,
        entity=agent,
        table=lifecycle.SALES_AGENT,
        to=status,
        actor=actor,
        action=f"sales.agent_{status}",
        reason=why,
    )
    return agent


def agent_may_sell(
    session: Session, *, agent_user_id: int | None, on: dt.date, field: str = "agent_id"
) -> None:
    """Raise AgentQualificationLapsed unless the user is a registered, active agent whose
    qualification is valid on ``on`` (SAL-2, POL-1)."""
    agent = None
    if agent_user_id is not None:
        agent = agent_of_user(session, user_id=agent_user_id)
    common: dict[str, Any] = {"field": field, "agent": agent_user_id, "on": on.isoformat()}
    if agent is None:
        raise AgentQualificationLapsed(
            reason_zh="未登记执业资格", reason_en="no qualification on file", **common
        )
    if agent.status != "active":
        raise AgentQualificationLapsed(
            reason_zh="资格已暂停", reason_en="qualification suspended", **common
        )
    if not agent.licence_valid_from <= on <= agent.licence_valid_until:
        raise AgentQualificationLapsed(
            reason_zh=f"有效期 {agent.licence_valid_from}—{agent.licence_valid_until}",
            reason_en=f"valid {agent.licence_valid_from} to {agent.licence_valid_until}",
            **common,
        )


def add_training(
    session: Session,
    *,
    actor: Principal,
    agent_id: int,
    course: str,
    hours: Decimal,
    completed_on: dt.date,
    passed: bool,
) -> TrainingRecord:
    _get(session, SalesAgent, agent_id, "agent_id", "sales agent")
    if hours <= 0:
        raise ScoreOutOfScale(
            field="hours", zh="{field}：学时须大于 0", en="{field}: hours must be greater than 0"
        )
    training = TrainingRecord(
        agent_id=agent_id,
        course=_text(course, "course"),
        hours=hours,
        completed_on=completed_on,
        passed=passed,
    )
    session.add(training)
    session.flush()
    record(
        session,
        actor=actor,
        action="sales.training_recorded",
        entity_type="sales_agent",
        entity_id=agent_id,
        details={"training_id": training.id, "passed": passed},
    )
    return training


def assess_agent(
    session: Session,
    *,
    actor: Principal,
    agent_id: int,
    period_start: dt.date,
    period_end: dt.date,
    results: int,
    service_quality: int,
    satisfaction: int,
    compliance: int,
    note: str | None = None,
) -> AgentAssessment:
    """Periodic assessment by results, service quality, satisfaction, compliance (SAL-2)."""
    _get(session, SalesAgent, agent_id, "agent_id", "sales agent")
    if period_end < period_start:
        raise InvalidValidity(field="period_end")
    scores = {
        "results": results,
        "service_quality": service_quality,
        "satisfaction": satisfaction,
        "compliance": compliance,
    }
    for name, value in scores.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise ScoreOutOfScale(field=name)
    assessment = AgentAssessment(
        agent_id=agent_id,
        period_start=period_start,
        period_end=period_end,
        results_score=results,
        service_quality_score=service_quality,
        satisfaction_score=satisfaction,
        compliance_score=compliance,
        note=note,
        assessed_by_id=actor.user_id,
    )
    session.add(assessment)
    session.flush()
    record(
        session,
        actor=actor,
        action="sales.agent_assessed",
        entity_type="sales_agent",
        entity_id=agent_id,
        details={"assessment_id": assessment.id, **scores},
    )
    return assessment


def agent_of_user(session: Session, *, user_id: int | None) -> SalesAgent | None:
    if user_id is None:
        return None
    return repository.agent_of_user(session, user_id=user_id)


def own_agent(session: Session, *, actor: Principal) -> SalesAgent:
    """The sales agent record of the actor's own login (SAL-2): found by the login, so an
    agent can only ever reach their own."""
    agent = agent_of_user(session, user_id=actor.user_id)
    if agent is None:
        raise SalesRecordNotFound(what="sales agent")
    return agent


def visible_agent(session: Session, *, actor: Principal, agent_id: int) -> SalesAgent:
    """Managers and auditors see every agent; a sales agent only their own record."""
    agent = _get(session, SalesAgent, agent_id, "agent_id", "sales agent")
    if actor.has(Permission.SALES_READ) or actor.has(Permission.SALES_MANAGE):
        return agent
    if agent.user_id != actor.user_id:
        raise SalesRecordNotFound(field="agent_id", what="sales agent")
    return agent


# --- what the sales pages show (reads through the service, never the repository) ------


@dataclass(frozen=True)
class SalesOverview:
    """The sales page: channels, organisations, and the agents with their names and login
    names."""

    channels: Sequence[SalesChannel]
    organisations: Sequence[SalesOrganisation]
    agents: Slice[tuple[SalesAgent, str, str]]


def overview(session: Session, *, paging: PageRequest) -> SalesOverview:
    """The sales page: channels and organisations (few), and one page of the agents."""
    return SalesOverview(
        channels=repository.channels(session),
        organisations=repository.organisations(session),
        agents=repository.agents_page(session, request=paging),
    )


def channels(session: Session) -> Sequence[SalesChannel]:
    return repository.channels(session)


@dataclass(frozen=True)
class AgentRecord:
    """One agent's page (SAL-2): the record, the account, training and assessments."""

    agent: SalesAgent
    user: User | None
    trainings: Sequence[TrainingRecord]
    assessments: Sequence[AgentAssessment]


def agent_record(session: Session, *, actor: Principal, agent_id: int) -> AgentRecord:
    """The agent's record as ``visible_agent`` allows it (a sales agent only their own)."""
    agent = visible_agent(session, actor=actor, agent_id=agent_id)
    return AgentRecord(
        agent=agent,
        user=session.get(User, agent.user_id),
        trainings=repository.trainings_of(session, agent_id=agent_id),
        assessments=repository.assessments_of(session, agent_id=agent_id),
    )


def user_id_of(session: Session, *, username: str, field: str = "username") -> int:
    """The account an agent is registered for, named by its login name."""
    user_id = auth_repository.user_id_by_username(session, username=username.strip())
    if user_id is None:
        raise NotFound(what="user", field=field)
    return user_id


# --- evaluations (SAL-3) --------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationsShown:
    """The evaluations page: one page of evaluations (newest first), their findings and
    actions."""

    evaluations: Slice[SalesEvaluation]
    findings: Sequence[EvaluationFinding]
    actions: list[ImprovementAction]


def evaluations_page(session: Session, *, paging: PageRequest) -> EvaluationsShown:
    window = repository.evaluations_page(session, request=paging)
    findings = repository.findings_of(session, evaluation_ids=[e.id for e in window.rows])
    return EvaluationsShown(
        window, findings, actions_of(session, finding_ids=[f.id for f in findings])
    )


@dataclass(frozen=True)
class ActionIn:
    description: str
    due_on: dt.date
    owner_user_id: int | None = None


@dataclass(frozen=True)
class FindingIn:
    dimension: str
    severity: str
    description: str
    actions: Sequence[ActionIn] = field(default_factory=tuple)


def create_evaluation(
    session: Session,
    *,
    actor: Principal,
    method: str,
    evaluated_on: dt.date,
    summary: str,
    findings: Sequence[FindingIn] = (),
    channel_id: int | None = None,
    organisation_id: int | None = None,
    agent_id: int | None = None,
) -> SalesEvaluation:
    choose(method, EVALUATION_METHODS, "method")
    if channel_id is None and organisation_id is None and agent_id is None:
        raise EvaluationTargetRequired(field="channel_id")
    if channel_id is not None:
        _get(session, SalesChannel, channel_id, "channel_id", "sales channel")
    if organisation_id is not None:
        _get(session, SalesOrganisation, organisation_id, "organisation_id", "sales organisation")
    if agent_id is not None:
        _get(session, SalesAgent, agent_id, "agent_id", "sales agent")
    summary = _text(summary, "summary")
    # Check every finding before writing anything (GEN-6: nothing half-written).
    _check_findings(findings)
    evaluation = SalesEvaluation(
        method=method,
        channel_id=channel_id,
        organisation_id=organisation_id,
        agent_id=agent_id,
        evaluated_on=evaluated_on,
        summary=summary,
        evaluator_id=actor.user_id,
    )
    session.add(evaluation)
    session.flush()
    _add_findings(session, evaluation=evaluation, findings=findings)
    session.flush()
    record(
        session,
        actor=actor,
        action="sales.evaluation_recorded",
        entity_type="sales_evaluation",
        entity_id=evaluation.id,
        details={"method": method, "findings": len(findings)},
    )
    return evaluation


def _check_findings(findings: Sequence[FindingIn]) -> None:
    """Each finding's dimension, severity and text, and its actions' text, naming the
    field of the first one refused."""
    for index, finding in enumerate(findings):
        choose(finding.dimension, DIMENSIONS, f"findings.{index}.dimension")
        choose(finding.severity, SEVERITIES, f"findings.{index}.severity")
        _text(finding.description, f"findings.{index}.description")
        for a_index, action in enumerate(finding.actions):
            _text(action.description, f"findings.{index}.actions.{a_index}.description")


def _add_findings(
    session: Session, *, evaluation: SalesEvaluation, findings: Sequence[FindingIn]
) -> None:
    """The findings in their order, each with its improvement actions (open)."""
    for finding in findings:
        row = EvaluationFinding(
            evaluation_id=evaluation.id,
            dimension=finding.dimension,
            severity=finding.severity,
            description=finding.description.strip(),
        )
        session.add(row)
        # The actions need the finding's id.
        session.flush()
        for action in finding.actions:
            session.add(
                ImprovementAction(
                    finding_id=row.id,
                    description=action.description.strip(),
                    owner_user_id=action.owner_user_id,
                    due_on=action.due_on,
                    status="open",
                )
            )


def complete_action(
    session: Session, *, actor: Principal, action_id: int, note: str, at: dt.datetime | None = None
) -> ImprovementAction:
    action = _get(session, ImprovementAction, action_id, "action_id", "improvement action")
    if not lifecycle.IMPROVEMENT_ACTION.allows(action.status, "done"):
        raise ImprovementActionDone()
    action.done_at = at or utcnow()
    action.done_note = _text(note, "note")
    lifecycle.transition(
        session,
        entity=action,
        table=lifecycle.IMPROVEMENT_ACTION,
        to="done",
        actor=actor,
        action="sales.action_done",
    )
    return action


def findings_of(session: Session, *, evaluation_id: int) -> list[EvaluationFinding]:
    return repository.findings_of_evaluation(session, evaluation_id=evaluation_id)


def actions_of(session: Session, *, finding_ids: Sequence[int]) -> list[ImprovementAction]:
    return repository.actions_of_findings(session, finding_ids=finding_ids)


def open_actions(session: Session) -> list[ImprovementAction]:
    return repository.open_actions(session)
