"""Sales channels, agents' qualifications, assessments and evaluations (SAL-1..SAL-3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.models.sales import ImprovementAction, SalesEvaluation
from claimdesk.sales import service
from claimdesk.sales.errors import (
    AgentQualificationLapsed,
    EvaluationTargetRequired,
    ImprovementActionDone,
    InvalidValidity,
    ScoreOutOfScale,
)
from claimdesk.service.errors import UnknownCode
from tests.builders import make_user

ADMIN = Principal.system("test-admin")


@pytest.fixture
def agent_user_id(db: Session) -> int:
    channel = service.create_channel(
        db, actor=ADMIN, code="BANK1", name="银保渠道", kind="bank", modes=["face_to_face", "phone"]
    )
    organisation = service.create_organisation(
        db, actor=ADMIN, name="某银行北京分行", channel_id=channel.id
    )
    user = make_user(db, username="agent1", roles=("sales_agent",))
    service.register_agent(
        db,
        actor=ADMIN,
        user_id=user.id,
        organisation_id=organisation.id,
        licence_number="02000111000080002026000123",
        valid_from=dt.date(2025, 1, 1),
        valid_until=dt.date(2026, 12, 31),
    )
    return user.id


def test_agent_may_sell_only_inside_qualification(db: Session, agent_user_id: int) -> None:
    # SPEC SAL-2 POL-1: a lapsed qualification cannot be recorded on a new policy.
    service.agent_may_sell(db, agent_user_id=agent_user_id, on=dt.date(2026, 12, 31))
    with pytest.raises(AgentQualificationLapsed) as lapsed:
        service.agent_may_sell(db, agent_user_id=agent_user_id, on=dt.date(2027, 1, 1))
    assert lapsed.value.field == "agent_id" and lapsed.value.status_code == 422
    assert "2026-12-31" in lapsed.value.message("en")
    with pytest.raises(AgentQualificationLapsed):
        service.agent_may_sell(db, agent_user_id=None, on=dt.date(2026, 6, 1))
    stranger = make_user(db, username="not_an_agent", roles=("sales_agent",))
    with pytest.raises(AgentQualificationLapsed) as unknown:
        service.agent_may_sell(db, agent_user_id=stranger.id, on=dt.date(2026, 6, 1))
    assert "no qualification" in unknown.value.message("en")
    agent = service.agent_of_user(db, user_id=agent_user_id)
    assert agent is not None
    service.set_agent_status(
        db, actor=ADMIN, agent_id=agent.id, status="suspended", reason="违规销售调查中"
    )
    with pytest.raises(AgentQualificationLapsed):
        service.agent_may_sell(db, agent_user_id=agent_user_id, on=dt.date(2026, 6, 1))


def test_bad_channel_and_validity(db: Session) -> None:
    # SPEC SAL-1 GEN-6
    with pytest.raises(UnknownCode) as kind:
        service.create_channel(db, actor=ADMIN, code="X", name="x", kind="street", modes=["phone"])
    assert kind.value.field == "kind"
    with pytest.raises(UnknownCode) as mode:
        service.create_channel(
            db, actor=ADMIN, code="X", name="x", kind="internet", modes=["online", "telepathy"]
        )
    assert mode.value.field == "modes.1"
    channel = service.create_channel(
        db, actor=ADMIN, code="NET", name="互联网", kind="internet", modes=["online"]
    )
    organisation = service.create_organisation(db, actor=ADMIN, name="官网", channel_id=channel.id)
    user = make_user(db, username="agent2", roles=("sales_agent",))
    with pytest.raises(InvalidValidity) as validity:
        service.register_agent(
            db,
            actor=ADMIN,
            user_id=user.id,
            organisation_id=organisation.id,
            licence_number="L-2",
            valid_from=dt.date(2026, 5, 1),
            valid_until=dt.date(2026, 4, 30),
        )
    assert validity.value.field == "valid_until"
    assert service.agent_of_user(db, user_id=user.id) is None


def test_training_and_assessment(db: Session, agent_user_id: int) -> None:
    # SPEC SAL-2: training records and assessment by results, quality, satisfaction, compliance.
    agent = service.agent_of_user(db, user_id=agent_user_id)
    assert agent is not None
    training = service.add_training(
        db,
        actor=ADMIN,
        agent_id=agent.id,
        course="保险销售行为规范",
        hours=Decimal("8.0"),
        completed_on=dt.date(2026, 3, 1),
        passed=True,
    )
    assert training.hours == Decimal("8.0")
    with pytest.raises(ScoreOutOfScale) as bad:
        service.assess_agent(
            db,
            actor=ADMIN,
            agent_id=agent.id,
            period_start=dt.date(2026, 7, 1),
            period_end=dt.date(2026, 9, 30),
            results=80,
            service_quality=101,
            satisfaction=90,
            compliance=95,
        )
    assert bad.value.field == "service_quality"
    assessment = service.assess_agent(
        db,
        actor=ADMIN,
        agent_id=agent.id,
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
        results=80,
        service_quality=85,
        satisfaction=90,
        compliance=95,
    )
    assert assessment.compliance_score == 95


def test_evaluation_findings_and_actions_tracked_to_done(db: Session, agent_user_id: int) -> None:
    # SPEC SAL-3
    agent = service.agent_of_user(db, user_id=agent_user_id)
    assert agent is not None
    with pytest.raises(EvaluationTargetRequired):
        service.create_evaluation(
            db, actor=ADMIN, method="survey", evaluated_on=dt.date(2026, 10, 1), summary="x"
        )
    before = db.scalar(select(func.count()).select_from(SalesEvaluation))
    with pytest.raises(UnknownCode) as bad:
        service.create_evaluation(
            db,
            actor=ADMIN,
            method="mystery_shopping",
            evaluated_on=dt.date(2026, 10, 1),
            summary="暗访",
            agent_id=agent.id,
            findings=[
                service.FindingIn("compliance", "high", "未说明免责条款"),
                service.FindingIn("vibes", "low", "x"),
            ],
        )
    assert bad.value.field == "findings.1.dimension"
    assert db.scalar(select(func.count()).select_from(SalesEvaluation)) == before
    evaluation = service.create_evaluation(
        db,
        actor=ADMIN,
        method="mystery_shopping",
        evaluated_on=dt.date(2026, 10, 1),
        summary="暗访两次",
        agent_id=agent.id,
        findings=[
            service.FindingIn(
                "compliance",
                "high",
                "未说明免责条款",
                actions=[service.ActionIn("重新培训免责条款说明", dt.date(2026, 10, 31))],
            )
        ],
    )
    (finding,) = service.findings_of(db, evaluation_id=evaluation.id)
    (action,) = service.actions_of(db, finding_ids=[finding.id])
    assert action.status == "open" and action in service.open_actions(db)
    service.complete_action(db, actor=ADMIN, action_id=action.id, note="已完成培训并考试合格")
    assert action.status == "done" and action not in service.open_actions(db)
    with pytest.raises(ImprovementActionDone):
        service.complete_action(db, actor=ADMIN, action_id=action.id, note="again")
    assert db.get(ImprovementAction, action.id) is action
