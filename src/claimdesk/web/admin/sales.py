"""Sales pages (SAL-1..SAL-3): channels and organisations, agents with their
qualification validity (a lapsed one stands out), training and assessments, evaluations
with improvement actions to mark done. Forms are checked by the API's own schemas and
run the API's service calls; a refusal is shown beside its form and writes nothing."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from claimdesk import formatting
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.deps import DB, require
from claimdesk.models.sales import SalesAgent
from claimdesk.org import service as org_service
from claimdesk.sales import service
from claimdesk.sales.schemas import (
    ActionDoneIn,
    AgentIn,
    AssessmentIn,
    ChannelIn,
    ChannelUpdate,
    EvaluationIn,
    OrganisationIn,
    OrganisationUpdate,
    TrainingIn,
)
from claimdesk.service.errors import TextRequired
from claimdesk.web.field_words import in_words
from claimdesk.web.kit import (
    FormPage,
    Refusal,
    checked,
    common,
    form_context,
    language_of,
    local_today,
    page,
    page_request_of,
    shown_pager,
)

router = APIRouter(prefix="/admin/sales")

Reader = Annotated[Principal, Depends(require(Permission.SALES_READ))]
Manager = Annotated[Principal, Depends(require(Permission.SALES_MANAGE))]
Own = Annotated[Principal, Depends(require(Permission.SALES_OWN))]
Short = Annotated[str, Form(max_length=200)]
Text = Annotated[str, Form(max_length=8000)]


def _blank(value: str) -> str | None:
    return value.strip() or None


def _lapsed(agent: SalesAgent, today: dt.date) -> bool:
    """An agent who may not sell today (SAL-2): not active, or outside the qualification's
    validity; the page marks them."""
    return agent.status != "active" or not (
        agent.licence_valid_from <= today <= agent.licence_valid_until
    )


def _edit_form(
    refusal: Refusal | None, values: dict[str, Any] | None, stored: dict[str, Any]
) -> dict[str, Any]:
    """An edit form's fields: the stored values; after a refusal, what was typed."""
    return values if refusal is not None and values else stored


# The sales forms' fields as a person reads them (msgids of the templates' labels): a
# refusal named the field by its path — "course：不能为空", "findings.0.actions.0.due_on".
FIELD_WORDS: dict[str, str] = {
    "code": "Code",
    "name": "Name",
    "kind": "Kind",
    "modes": "Sales modes",
    "name_en": "English name (shown on English pages; empty: the name above)",
    "org_name": "Name",
    "org_name_en": "English name (shown on English pages; empty: the name above)",
    "channel_id": "Channel",
    "licence": "Licence number",
    "username": "User name of the agent's account",
    "organisation_id": "Sales organisation",
    "licence_number": "Licence number",
    "valid_from": "Qualification valid from",
    "valid_until": "Qualification valid until",
    "course": "Course",
    "hours": "Hours",
    "completed_on": "Completed on",
    "period_start": "Period start",
    "period_end": "Period end",
    "results": "Results",
    "service_quality": "Service quality",
    "satisfaction": "Satisfaction",
    "compliance": "Compliance",
    "note": "Note",
    "method": "Method",
    "evaluated_on": "Evaluated on",
    "summary": "Summary",
    "agent_id": "Or agent evaluated (agent number)",
    "dimension": "Finding: dimension",
    "severity": "Finding: severity",
    "finding": "Finding",
    "action_text": "Improvement action",
    "action_due_on": "Action due on",
    "reason": "Reason",
    "org_unit_id": "Branch (org unit)",
}
# Where a service's or schema's path lands on each form (the form's own field names).
FORM_FIELDS: dict[str, dict[str, str]] = {
    "organisation": {"name": "org_name", "name_en": "org_name_en", "licence_number": "licence"},
    "agent": {"user_id": "username"},
    "evaluation": {
        "findings.0.dimension": "dimension",
        "findings.0.severity": "severity",
        "findings.0.description": "finding",
        "findings.0.actions.0.description": "action_text",
        "findings.0.actions.0.due_on": "action_due_on",
    },
}


def _in_words(request: Request, refusal: Refusal | None, action: str | None) -> Refusal | None:
    """The refusal beside the form's own field, naming it by the label the person sees."""
    if refusal is None:
        return None
    placed = FORM_FIELDS.get(action or "", {})
    path = str(refusal.error.get("field") or "")
    field = placed.get(path, path)

    def label_of(_path: str) -> str | None:
        if action and action.startswith("action-") and field == "note":
            return "What was done about it"
        return FIELD_WORDS.get(field) or FIELD_WORDS.get(field.split(".")[0])

    shown = in_words(request, dict(refusal.error), label_of)
    if field:
        shown["field"] = field
    return Refusal(shown, refusal.status_code)


# --- channels, organisations, agents -------------------------------------------------


def _overview(
    request: Request,
    db: Session,
    actor: Principal,
    *,
    refusal: Refusal | None = None,
    action: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    refusal = _in_words(request, refusal, action)
    today = local_today()
    # Paged: the agents' table listed every agent of the company on one page.
    shown = service.overview(db, paging=page_request_of(request))
    agents = shown.agents
    rows = [
        {
            "agent": a,
            "name": name,
            "username": login,
            "lapsed": _lapsed(a, today),
        }
        for a, name, login in agents.rows
    ]
    return page(
        request,
        "admin/sales.html",
        **form_context(refusal, action=action, values=values),
        channels=shown.channels,
        # An organisation's channel by its code and name (the table showed its id).
        channel_names={
            c.id: f"{c.code} · {formatting.name_in(c, language_of(request))}"
            for c in shown.channels
        },
        organisations=shown.organisations,
        agents=rows,
        # A refused form re-renders under its POST address: no paging links there.
        pager=shown_pager(request, agents.page_of(agents.rows)) if refusal is None else None,
        kinds=service.CHANNEL_KINDS,
        modes=service.SALES_MODES,
        may_manage=actor.has(Permission.SALES_MANAGE),
        **common(request),
    )


@router.get("")
def overview(request: Request, db: DB, actor: Reader) -> Response:
    return _overview(request, db, actor)


def _overview_page(request: Request, db: Session, actor: Principal) -> FormPage:
    """The sales page, which the channel, organisation and agent forms post back to."""
    return FormPage(request, db, partial(_overview, request, db, actor), "/admin/sales")


@router.post("/channels")
def create_channel(
    request: Request,
    db: DB,
    actor: Manager,
    code: Short = "",
    name: Short = "",
    name_en: Short = "",
    kind: Short = "",
    modes: Annotated[list[str] | None, Form()] = None,
) -> Response:
    values = {"code": code, "name": name, "name_en": name_en, "kind": kind, "modes": modes or []}
    return _overview_page(request, db, actor).act(
        "channel",
        values,
        lambda: service.create_channel(
            db,
            actor=actor,
            **ChannelIn.model_validate(
                {
                    "code": code,
                    "name": name,
                    "name_en": name_en,
                    "kind": kind,
                    "modes": modes or [],
                }
            ).model_dump(),
        ),
    )


@router.post("/organisations")
def create_organisation(
    request: Request,
    db: DB,
    actor: Manager,
    org_name: Short = "",
    org_name_en: Short = "",
    channel_id: Short = "",
    licence: Short = "",
) -> Response:
    values = {
        "org_name": org_name,
        "org_name_en": org_name_en,
        "channel_id": channel_id,
        "licence": licence,
    }
    return _overview_page(request, db, actor).act(
        "organisation",
        values,
        lambda: service.create_organisation(
            db,
            actor=actor,
            **OrganisationIn.model_validate(
                {
                    "name": org_name,
                    "name_en": org_name_en,
                    "channel_id": channel_id,
                    "licence_number": _blank(licence),
                }
            ).model_dump(),
        ),
    )


@router.post("/agents")
def register_agent(
    request: Request,
    db: DB,
    actor: Manager,
    username: Short = "",
    organisation_id: Short = "",
    licence_number: Short = "",
    valid_from: Short = "",
    valid_until: Short = "",
) -> Response:
    values = {
        "username": username,
        "organisation_id": organisation_id,
        "licence_number": licence_number,
        "valid_from": valid_from,
        "valid_until": valid_until,
    }

    def call() -> Any:
        data = AgentIn.model_validate(
            {
                "user_id": service.user_id_of(db, username=username),
                "organisation_id": organisation_id,
                "licence_number": licence_number,
                "valid_from": valid_from,
                "valid_until": valid_until,
            }
        )
        return service.register_agent(db, actor=actor, **data.model_dump())

    return _overview_page(request, db, actor).act("agent", values, call)


# --- one channel, one organisation: their page and its edit form ---------------------


def _channel(
    request: Request,
    db: Session,
    actor: Principal,
    channel_id: int,
    *,
    refusal: Refusal | None = None,
    action: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    refusal = _in_words(request, refusal, action)
    channel = service.get_channel(db, channel_id=channel_id)
    stored = {
        "name": channel.name,
        "name_en": channel.name_en or "",
        "kind": channel.kind,
        "modes": channel.modes.split(","),
        "reason": "",
    }
    return page(
        request,
        "admin/sales_channel.html",
        **form_context(refusal, action=action, values=values),
        channel=channel,
        # The form starts from the stored values; after a refusal, from what was typed.
        form=_edit_form(refusal, values, stored),
        kinds=service.CHANNEL_KINDS,
        modes=service.SALES_MODES,
        may_manage=actor.has(Permission.SALES_MANAGE),
        **common(request),
    )


@router.get("/channels/{channel_id}")
def channel_page(channel_id: int, request: Request, db: DB, actor: Reader) -> Response:
    return _channel(request, db, actor, channel_id)


@router.post("/channels/{channel_id}")
def update_channel(
    channel_id: int,
    request: Request,
    db: DB,
    actor: Manager,
    name: Short = "",
    name_en: Short = "",
    kind: Short = "",
    modes: Annotated[list[str] | None, Form()] = None,
    reason: Short = "",
) -> Response:
    """The channel edited through the API's schema and service (SAL-1, GEN-6): an English
    name emptied on the form is removed (English pages show the Chinese one)."""
    values = {
        "name": name,
        "name_en": name_en,
        "kind": kind,
        "modes": modes or [],
        "reason": reason,
    }

    def call() -> Any:
        # Every field is sent: the schema's fields are the service's edits.
        body = checked(ChannelUpdate, {**values, "name_en": _blank(name_en)})
        return service.update_channel(db, actor=actor, channel_id=channel_id, **body.model_dump())

    show = partial(_channel, request, db, actor, channel_id)
    address = f"/admin/sales/channels/{channel_id}"
    return FormPage(request, db, show, address).act("channel-edit", values, call)


def _organisation(
    request: Request,
    db: Session,
    actor: Principal,
    organisation_id: int,
    *,
    refusal: Refusal | None = None,
    action: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    refusal = _in_words(request, refusal, action)
    organisation = service.get_organisation(db, organisation_id=organisation_id)
    channel = service.get_channel(db, channel_id=organisation.channel_id)
    units = org_service.list_units(db, kind=None)
    stored = {
        "name": organisation.name,
        "name_en": organisation.name_en or "",
        "org_unit_id": str(organisation.org_unit_id or ""),
        "licence_number": organisation.licence_number or "",
        "reason": "",
    }
    return page(
        request,
        "admin/sales_organisation.html",
        **form_context(refusal, action=action, values=values),
        organisation=organisation,
        channel=channel,
        units=units,
        unit=next((u for u in units if u.id == organisation.org_unit_id), None),
        form=_edit_form(refusal, values, stored),
        may_manage=actor.has(Permission.SALES_MANAGE),
        **common(request),
    )


@router.get("/organisations/{organisation_id}")
def organisation_page(organisation_id: int, request: Request, db: DB, actor: Reader) -> Response:
    return _organisation(request, db, actor, organisation_id)


@router.post("/organisations/{organisation_id}")
def update_organisation(
    organisation_id: int,
    request: Request,
    db: DB,
    actor: Manager,
    name: Short = "",
    name_en: Short = "",
    org_unit_id: Short = "",
    licence_number: Short = "",
    reason: Short = "",
) -> Response:
    """The organisation edited through the API's schema and service (SAL-1, GEN-6): the
    form sends every field, so an emptied English name, branch or licence is removed."""
    values = {
        "name": name,
        "name_en": name_en,
        "org_unit_id": org_unit_id,
        "licence_number": licence_number,
        "reason": reason,
    }

    def call() -> Any:
        # Every field is sent: the schema's fields are the service's edits.
        blanked = {k: _blank(values[k]) for k in ("name_en", "org_unit_id", "licence_number")}
        body = checked(OrganisationUpdate, {**values, **blanked})
        return service.update_organisation(
            db, actor=actor, organisation_id=organisation_id, **body.model_dump()
        )

    show = partial(_organisation, request, db, actor, organisation_id)
    address = f"/admin/sales/organisations/{organisation_id}"
    return FormPage(request, db, show, address).act("organisation-edit", values, call)


# --- one agent: training and assessments ----------------------------------------------


def _agent(
    request: Request,
    db: Session,
    actor: Principal,
    agent_id: int,
    *,
    refusal: Refusal | None = None,
    action: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    refusal = _in_words(request, refusal, action)
    record = service.agent_record(db, actor=actor, agent_id=agent_id)
    agent = record.agent
    return page(
        request,
        "admin/sales_agent.html",
        **form_context(refusal, action=action, values=values),
        agent=agent,
        user=record.user,
        lapsed=_lapsed(agent, local_today()),
        trainings=record.trainings,
        assessments=record.assessments,
        may_manage=actor.has(Permission.SALES_MANAGE),
        may_list=actor.has(Permission.SALES_READ),
        **common(request),
    )


@router.get("/me")
def my_agent_page(request: Request, db: DB, actor: Own) -> Response:
    """A sales agent's own qualification, training and assessments (SAL-2), read-only:
    the agent record is found by the login, never by an id in the URL."""
    return _agent(request, db, actor, service.own_agent(db, actor=actor).id)


@router.get("/agents/{agent_id}")
def agent_page(agent_id: int, request: Request, db: DB, actor: Reader) -> Response:
    return _agent(request, db, actor, agent_id)


def _agent_page(request: Request, db: Session, actor: Principal, agent_id: int) -> FormPage:
    """The agent's page, which the training and assessment forms post back to."""
    show = partial(_agent, request, db, actor, agent_id)
    return FormPage(request, db, show, f"/admin/sales/agents/{agent_id}")


@router.post("/agents/{agent_id}/trainings")
def add_training(
    agent_id: int,
    request: Request,
    db: DB,
    actor: Manager,
    course: Short = "",
    hours: Short = "",
    completed_on: Short = "",
    passed: Short = "",
) -> Response:
    values = {"course": course, "hours": hours, "completed_on": completed_on, "passed": passed}
    return _agent_page(request, db, actor, agent_id).act(
        "training",
        values,
        lambda: service.add_training(
            db,
            actor=actor,
            agent_id=agent_id,
            **TrainingIn.model_validate(
                {
                    "course": course,
                    "hours": hours,
                    "completed_on": completed_on,
                    "passed": bool(passed),
                }
            ).model_dump(),
        ),
    )


@router.post("/agents/{agent_id}/assessments")
def assess(
    agent_id: int,
    request: Request,
    db: DB,
    actor: Manager,
    period_start: Short = "",
    period_end: Short = "",
    results: Short = "",
    service_quality: Short = "",
    satisfaction: Short = "",
    compliance: Short = "",
    note: Text = "",
) -> Response:
    values = {
        "period_start": period_start,
        "period_end": period_end,
        "results": results,
        "service_quality": service_quality,
        "satisfaction": satisfaction,
        "compliance": compliance,
        "note": note,
    }
    return _agent_page(request, db, actor, agent_id).act(
        "assessment",
        values,
        lambda: service.assess_agent(
            db,
            actor=actor,
            agent_id=agent_id,
            **AssessmentIn.model_validate({**values, "note": _blank(note)}).model_dump(),
        ),
    )


# --- evaluations and improvement actions (SAL-3) -------------------------------------


def _evaluations(
    request: Request,
    db: Session,
    actor: Principal,
    *,
    refusal: Refusal | None = None,
    action: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    refusal = _in_words(request, refusal, action)
    # Paged: the list stopped silently at the latest 100 evaluations.
    shown = service.evaluations_page(db, paging=page_request_of(request))
    window = shown.evaluations
    return page(
        request,
        "admin/sales_evaluations.html",
        **form_context(refusal, action=action, values=values),
        evaluations=window.rows,
        # A refused form re-renders under its POST address: no paging links there.
        pager=shown_pager(request, window.page_of(window.rows)) if refusal is None else None,
        findings=shown.findings,
        actions=shown.actions,
        methods=service.EVALUATION_METHODS,
        dimensions=service.DIMENSIONS,
        severities=service.SEVERITIES,
        channels=service.channels(db),
        today=local_today(),
        may_manage=actor.has(Permission.SALES_MANAGE),
        **common(request),
    )


@router.get("/evaluations")
def evaluations(request: Request, db: DB, actor: Reader) -> Response:
    return _evaluations(request, db, actor)


def _evaluations_page(request: Request, db: Session, actor: Principal) -> FormPage:
    """The evaluations page, which the evaluation and action-done forms post back to."""
    show = partial(_evaluations, request, db, actor)
    return FormPage(request, db, show, "/admin/sales/evaluations")


def _form_findings(values: dict[str, str]) -> list[dict[str, Any]]:
    """The evaluation form's one finding with its one improvement action, as the API's
    body has them: none without a finding; an action without its finding is refused."""
    finding, action_text = values["finding"], values["action_text"]
    if action_text.strip() and not finding.strip():
        # The action was dropped without a word: it belongs to the finding it answers.
        raise TextRequired(
            field="finding",
            zh="{field}：填写改进措施时须写明它针对的问题",
            en="{field}: an improvement action needs the finding it answers",
        )
    if not finding.strip():
        return []
    actions = (
        [{"description": action_text, "due_on": values["action_due_on"]}]
        if action_text.strip()
        else []
    )
    return [
        {
            "dimension": values["dimension"],
            "severity": values["severity"],
            "description": finding,
            "actions": actions,
        }
    ]


@router.post("/evaluations")
def create_evaluation(
    request: Request,
    db: DB,
    actor: Manager,
    method: Short = "",
    evaluated_on: Short = "",
    summary: Text = "",
    channel_id: Short = "",
    agent_id: Short = "",
    dimension: Short = "",
    severity: Short = "",
    finding: Text = "",
    action_text: Text = "",
    action_due_on: Short = "",
) -> Response:
    values = {
        "method": method,
        "evaluated_on": evaluated_on,
        "summary": summary,
        "channel_id": channel_id,
        "agent_id": agent_id,
        "dimension": dimension,
        "severity": severity,
        "finding": finding,
        "action_text": action_text,
        "action_due_on": action_due_on,
    }

    def call() -> Any:
        body = EvaluationIn.model_validate(
            {
                "method": method,
                "evaluated_on": evaluated_on,
                "summary": summary,
                "channel_id": _blank(channel_id),
                "agent_id": _blank(agent_id),
                "findings": _form_findings(values),
            }
        )
        return service.create_evaluation(
            db,
            actor=actor,
            method=body.method,
            evaluated_on=body.evaluated_on,
            summary=body.summary,
            channel_id=body.channel_id,
            agent_id=body.agent_id,
            organisation_id=None,
            findings=[
                service.FindingIn(
                    f.dimension,
                    f.severity,
                    f.description,
                    [service.ActionIn(a.description, a.due_on) for a in f.actions],
                )
                for f in body.findings
            ],
        )

    return _evaluations_page(request, db, actor).act("evaluation", values, call)


@router.post("/actions/{action_id}/done")
def complete_action(
    action_id: int, request: Request, db: DB, actor: Manager, note: Text = ""
) -> Response:
    return _evaluations_page(request, db, actor).act(
        f"action-{action_id}",
        {"note": note},
        lambda: service.complete_action(
            db,
            actor=actor,
            action_id=action_id,
            note=ActionDoneIn.model_validate({"note": note}).note,
        ),
    )
