"""Sales API (thin): administrators manage channels and staff; auditors read; a sales
agent reads their own qualification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.deps import DB, require
from claimdesk.sales import service
from claimdesk.sales.schemas import (
    ActionDoneIn,
    ActionOut,
    AgentIn,
    AgentOut,
    AssessmentIn,
    ChannelIn,
    ChannelOut,
    ChannelUpdate,
    EvaluationIn,
    OrganisationIn,
    OrganisationOut,
    OrganisationUpdate,
    TrainingIn,
)

router = APIRouter(prefix="/sales", tags=["sales"])

NeedsManage = Annotated[Principal, Depends(require(Permission.SALES_MANAGE))]
NeedsRead = Annotated[Principal, Depends(require(Permission.SALES_READ))]
NeedsOwn = Annotated[Principal, Depends(require(Permission.SALES_OWN))]


@router.post("/channels", status_code=201, response_model=ChannelOut)
def create_channel(body: ChannelIn, db: DB, principal: NeedsManage) -> ChannelOut:
    return ChannelOut.model_validate(
        service.create_channel(db, actor=principal, **body.model_dump())
    )


@router.post("/organisations", status_code=201, response_model=OrganisationOut)
def create_organisation(body: OrganisationIn, db: DB, principal: NeedsManage) -> OrganisationOut:
    organisation = service.create_organisation(db, actor=principal, **body.model_dump())
    return OrganisationOut.model_validate(organisation)


@router.get("/channels/{channel_id}", response_model=ChannelOut)
def get_channel(channel_id: int, db: DB, principal: NeedsRead) -> ChannelOut:
    return ChannelOut.model_validate(service.get_channel(db, channel_id=channel_id))


@router.patch("/channels/{channel_id}", response_model=ChannelOut)
def update_channel(
    channel_id: int, body: ChannelUpdate, db: DB, principal: NeedsManage
) -> ChannelOut:
    channel = service.update_channel(
        db,
        actor=principal,
        channel_id=channel_id,
        reason=body.reason,
        name=body.name,
        # Only when the body says it: null removes the English name.
        name_en=body.name_en if "name_en" in body.model_fields_set else service.UNCHANGED,
        kind=body.kind,
        modes=body.modes,
    )
    return ChannelOut.model_validate(channel)


@router.get("/organisations/{organisation_id}", response_model=OrganisationOut)
def get_organisation(organisation_id: int, db: DB, principal: NeedsRead) -> OrganisationOut:
    organisation = service.get_organisation(db, organisation_id=organisation_id)
    return OrganisationOut.model_validate(organisation)


@router.patch("/organisations/{organisation_id}", response_model=OrganisationOut)
def update_organisation(
    organisation_id: int, body: OrganisationUpdate, db: DB, principal: NeedsManage
) -> OrganisationOut:
    # A field left out stays; sent as null, it is removed.
    given, left = body.model_fields_set, service.UNCHANGED
    organisation = service.update_organisation(
        db,
        actor=principal,
        organisation_id=organisation_id,
        reason=body.reason,
        name=body.name,
        name_en=body.name_en if "name_en" in given else left,
        org_unit_id=body.org_unit_id if "org_unit_id" in given else left,
        licence_number=body.licence_number if "licence_number" in given else left,
    )
    return OrganisationOut.model_validate(organisation)


@router.post("/agents", status_code=201, response_model=AgentOut)
def register_agent(body: AgentIn, db: DB, principal: NeedsManage) -> AgentOut:
    return AgentOut.model_validate(service.register_agent(db, actor=principal, **body.model_dump()))


@router.get("/agents/me", response_model=AgentOut)
def my_agent_record(db: DB, principal: NeedsOwn) -> AgentOut:
    return AgentOut.model_validate(service.own_agent(db, actor=principal))


@router.get("/agents/{agent_id}", response_model=AgentOut)
def get_agent(agent_id: int, db: DB, principal: NeedsRead) -> AgentOut:
    return AgentOut.model_validate(service.visible_agent(db, actor=principal, agent_id=agent_id))


@router.post("/agents/{agent_id}/trainings", status_code=201)
def add_training(agent_id: int, body: TrainingIn, db: DB, principal: NeedsManage) -> dict[str, int]:
    training = service.add_training(db, actor=principal, agent_id=agent_id, **body.model_dump())
    return {"id": training.id}


@router.post("/agents/{agent_id}/assessments", status_code=201)
def assess(agent_id: int, body: AssessmentIn, db: DB, principal: NeedsManage) -> dict[str, int]:
    assessment = service.assess_agent(db, actor=principal, agent_id=agent_id, **body.model_dump())
    return {"id": assessment.id}


@router.post("/evaluations", status_code=201)
def create_evaluation(body: EvaluationIn, db: DB, principal: NeedsManage) -> dict[str, int]:
    findings = [
        service.FindingIn(
            f.dimension,
            f.severity,
            f.description,
            [service.ActionIn(a.description, a.due_on, a.owner_user_id) for a in f.actions],
        )
        for f in body.findings
    ]
    evaluation = service.create_evaluation(
        db,
        actor=principal,
        method=body.method,
        evaluated_on=body.evaluated_on,
        summary=body.summary,
        findings=findings,
        channel_id=body.channel_id,
        organisation_id=body.organisation_id,
        agent_id=body.agent_id,
    )
    return {"id": evaluation.id}


@router.get("/improvement-actions", response_model=list[ActionOut])
def open_actions(db: DB, principal: NeedsRead) -> list[ActionOut]:
    return [ActionOut.model_validate(a) for a in service.open_actions(db)]


@router.post("/improvement-actions/{action_id}/done", response_model=ActionOut)
def complete_action(
    action_id: int, body: ActionDoneIn, db: DB, principal: NeedsManage
) -> ActionOut:
    action = service.complete_action(db, actor=principal, action_id=action_id, note=body.note)
    return ActionOut.model_validate(action)
