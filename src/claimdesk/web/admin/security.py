"""Security incident pages (SEC-7): the list with each incident's running stage limit
and countdown (refreshed in place by HTMX), the report form, the incident page with the
form of its current stage, and the time limits the administrator sets per severity.
Thin: every form calls security.service / security.limits, the same functions as the
API; a refused form re-renders with the message beside the field and nothing changed
(GEN-6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from claimdesk.auth import service as users
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil
from claimdesk.clocks.schemas import ClockOut
from claimdesk.clocks.service import clocks_for
from claimdesk.code_labels import STATE_TABLES
from claimdesk.deps import DB, require
from claimdesk.errors import ValidationFailed
from claimdesk.models.states import SecurityIncidentState
from claimdesk.models.user import User
from claimdesk.rules.deadlines import LOCAL_TZ, RULE_TYPES, describe
from claimdesk.security import limits, service, workflow
from claimdesk.security.schemas import (
    ContainmentIn,
    CorrectiveIn,
    IncidentIn,
    NoteIn,
    ReviewIn,
    RootCauseIn,
    TimeLimitIn,
)
from claimdesk.web.kit import (
    FormPage,
    Refusal,
    checked,
    form_action,
    form_context,
    list_filter,
    page,
    parse_id,
    translator,
    urgency,
)

router = APIRouter(prefix="/admin/security-incidents")

Reporter = Annotated[Principal, Depends(require(Permission.SECURITY_INCIDENT_REPORT))]
Reader = Annotated[Principal, Depends(require(Permission.SECURITY_INCIDENT_READ))]
Manager = Annotated[Principal, Depends(require(Permission.SECURITY_INCIDENT_MANAGE))]
Text = Annotated[str, Form(max_length=8000)]
Short = Annotated[str, Form(max_length=200)]

# Codes shown by these pages → English msgids (zh-CN in locales/zh_CN/.../security.po).
LABELS: dict[str, str] = {
    "critical": "Critical",
    "high": "High",
    "medium": "Medium",
    "low": "Low",
    # The incident's states, as every list of states says them (code_labels).
    **STATE_TABLES[SecurityIncidentState],
    "report": "Report",
    "contain": "Containment",
    "root_cause": "Root cause",
    "correct": "Corrective actions",
    "review": "Post-incident review",
    "rework": "Returned for more corrective actions",
    "security_incident.report": "Report after detection",
    "security_incident.contain": "Containment",
    "security_incident.root_cause": "Root cause analysis",
    "security_incident.correct": "Corrective actions",
    "security_incident.review": "Post-incident review",
    "isolate": "Isolate",
    "repair": "Repair",
    "restore": "Restore",
    "software_defect": "Software defect",
    "misconfiguration": "Misconfiguration",
    "human_error": "Human error",
    "malicious_attack": "Malicious attack",
    "third_party": "Third party",
    "physical": "Physical",
    "other": "Other",
    "effective": "Effective: close the incident",
    "ineffective": "Not effective: more corrective actions",
    "hours": "hours",
    "working_days": "working days",
    "days": "days (moved past holidays)",
}


def labeller(request: Request) -> Callable[[object], str]:
    gettext = translator(request)

    def label(code: object) -> str:
        text = str(code) if code is not None else ""
        return gettext(LABELS[text]) if text in LABELS else text

    return label


def countdown(request: Request, due: dt.datetime, now: dt.datetime) -> str:
    """'3 h 20 min left' / 'overdue by 1 d 2 h' in the reader's language."""
    _ = translator(request)
    seconds = int((due - now).total_seconds())
    minutes = abs(seconds) // 60
    days, hours, mins = minutes // 1440, (minutes % 1440) // 60, minutes % 60
    if days:
        span = _("%(days)d d %(hours)d h", days=days, hours=hours)
    elif hours:
        span = _("%(hours)d h %(minutes)d min", hours=hours, minutes=mins)
    else:
        span = _("%(minutes)d min", minutes=mins)
    if seconds < 0:
        return _("overdue by %(span)s", span=span)
    return _("%(span)s left", span=span)


def language_of(request: Request) -> str:
    from claimdesk.web.kit import language_of as of  # web imports this module

    return of(request)


def _common(request: Request) -> dict[str, Any]:
    now = timeutil.now()
    return {
        "label": labeller(request),
        "now": now,
        "urgency": urgency,
        "countdown": lambda due: countdown(request, due, now),
        "severities": limits.SEVERITIES,
        "states": workflow.STATES,
    }


def parse_local(value: str | None, field: str) -> dt.datetime | None:
    """A datetime-local field (Shanghai time, no offset) → an aware instant."""
    if value is None or not value.strip():
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(
            field=field,
            zh="{field}：时间格式应为 YYYY-MM-DD HH:MM",
            en="{field}: the time should look like YYYY-MM-DD HH:MM",
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL_TZ)


def parse_date(value: str | None, field: str) -> dt.date | None:
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(
            field=field,
            zh="{field}：日期格式应为 YYYY-MM-DD",
            en="{field}: the date should look like YYYY-MM-DD",
        ) from None


def _filters(state: str | None, severity: str | None) -> tuple[str | None, str | None]:
    return list_filter(state, workflow.STATES), list_filter(severity, limits.SEVERITIES)


def _rows_context(
    db: Session, actor: Principal, state: str | None, severity: str | None
) -> dict[str, Any]:
    found = service.list_incidents(
        db, actor=actor, states=[state] if state else None, severity=severity
    )
    running = service.running_clocks(db, incident_ids=[i.id for i in found])
    return {"incidents": found, "running": running}


# --- list, report ------------------------------------------------------------------------


@router.get("")
def incidents(
    request: Request,
    db: DB,
    actor: Reporter,
    state: str | None = None,
    severity: str | None = None,
) -> Response:
    state, severity = _filters(state, severity)
    return page(
        request,
        "admin/security_incidents.html",
        state=state,
        severity=severity,
        can_read_limits=actor.has(Permission.SECURITY_INCIDENT_READ),
        **_rows_context(db, actor, state, severity),
        **_common(request),
    )


@router.get("/rows")
def incident_rows(
    request: Request,
    db: DB,
    actor: Reporter,
    state: str | None = None,
    severity: str | None = None,
) -> Response:
    """The table body alone: HTMX swaps it in every minute so countdowns stay current."""
    state, severity = _filters(state, severity)
    return page(
        request,
        "admin/_security_incident_rows.html",
        state=state,
        severity=severity,
        **_rows_context(db, actor, state, severity),
        **_common(request),
    )


def _new_form(
    request: Request, *, refusal: Refusal | None = None, values: dict[str, Any] | None = None
) -> Response:
    return page(
        request,
        "admin/security_incident_new.html",
        **form_context(refusal, values=values),
        **_common(request),
    )


@router.get("/new")
def new_incident(request: Request, actor: Reporter) -> Response:
    return _new_form(request)


@router.post("")
def report_incident(
    request: Request,
    db: DB,
    actor: Reporter,
    title: Short = "",
    description: Text = "",
    severity: Short = "",
    affected_systems: Text = "",
    affected_data: Text = "",
    personal_data_involved: Short = "",
    detected_at: Short = "",
) -> Response:
    values = {
        "title": title,
        "description": description,
        "severity": severity,
        "affected_systems": affected_systems,
        "affected_data": affected_data,
        "personal_data_involved": bool(personal_data_involved),
        "detected_at": detected_at,
    }
    return form_action(
        request,
        db,
        lambda: service.report_incident(
            db,
            actor=actor,
            **checked(
                IncidentIn,
                {
                    **values,
                    "affected_data": affected_data or None,
                    "detected_at": parse_local(detected_at, "detected_at"),
                },
            ).model_dump(),
        ),
        refused=lambda refusal: _new_form(request, refusal=refusal, values=values),
        redirect=lambda incident: f"/admin/security-incidents/{incident.id}",
    )


def _note(note: str) -> str | None:
    """A stage's optional note, held to the API's NoteIn (GEN-6)."""
    return checked(NoteIn, {"note": note or None}).note


def _present(schema: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """The API's in-schema from a form whose empty number or date fields are left out:
    a missing one is refused as missing, the rest as the API refuses them (GEN-6)."""
    given = {name: value for name, value in values.items() if value is not None}
    return checked(schema, given).model_dump()


# --- time limits -----------------------------------------------------------------------


def _limits_page(
    request: Request,
    db: Session,
    actor: Principal,
    *,
    refusal: Refusal | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    language = language_of(request)
    table = limits.limits_table(db)
    by_key = {(limit.severity, limit.stage): limit for limit in table}
    return page(
        request,
        "admin/security_incident_limits.html",
        by_key=by_key,
        stages=limits.STAGES,
        rule_types=RULE_TYPES,
        describe=lambda rule: describe(rule, language),
        can_manage=actor.has(Permission.SECURITY_INCIDENT_MANAGE),
        **form_context(refusal, values=values),
        **_common(request),
    )


@router.get("/time-limits")
def time_limits(request: Request, db: DB, actor: Reader) -> Response:
    return _limits_page(request, db, actor)


@router.post("/time-limits")
def set_time_limit(
    request: Request,
    db: DB,
    actor: Manager,
    severity: Short = "",
    stage: Short = "",
    rule_type: Short = "",
    n: Short = "",
) -> Response:
    values = {"severity": severity, "stage": stage, "rule_type": rule_type, "n": n}
    return form_action(
        request,
        db,
        lambda: limits.set_limit(
            db,
            actor=actor,
            severity=severity,
            stage=stage,
            **_present(TimeLimitIn, {"rule_type": rule_type, "n": parse_id(n, "n")}),
        ),
        refused=lambda refusal: _limits_page(request, db, actor, refusal=refusal, values=values),
        redirect="/admin/security-incidents/time-limits",
    )


# --- one incident ----------------------------------------------------------------------


def _staff(db: Session) -> list[User]:
    # Owners of corrective actions: active staff accounts (not customers' logins).
    return users.active_staff(db)


def _detail(
    request: Request,
    db: Session,
    actor: Principal,
    incident_id: int,
    *,
    refusal: Refusal | None = None,
    action: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    incident = service.get_incident(db, actor=actor, incident_id=incident_id)
    language = language_of(request)
    clocks = [
        ClockOut.of(c, language)
        for c in clocks_for(db, subject_type=workflow.SUBJECT, subject_id=incident.id)
    ]
    manager = actor.has(Permission.SECURITY_INCIDENT_MANAGE)
    corrective = service.corrective_actions(db, incident_id=incident.id)
    return page(
        request,
        "admin/security_incident.html",
        incident=incident,
        clocks=clocks,
        containment=service.containment_actions(db, incident_id=incident.id),
        corrective=corrective,
        history=service.transitions(db, incident_id=incident.id),
        allowed=workflow.allowed_actions(incident, actor),
        manager=manager,
        staff=_staff(db) if manager and incident.state == workflow.ROOT_CAUSED else [],
        owners=users.display_names(db, user_ids={a.owner_id for a in corrective}),
        kinds=service.CONTAINMENT_KINDS,
        categories=service.ROOT_CAUSE_CATEGORIES,
        outcomes=service.REVIEW_OUTCOMES,
        **form_context(refusal, action=action, values=values),
        **_common(request),
    )


@router.get("/{incident_id}")
def incident_page(incident_id: int, request: Request, db: DB, actor: Reporter) -> Response:
    return _detail(request, db, actor, incident_id)


def _incident(request: Request, db: Session, actor: Principal, incident_id: int) -> FormPage:
    """The incident's page, which the form of every stage posts back to."""
    show = partial(_detail, request, db, actor, incident_id)
    return FormPage(request, db, show, f"/admin/security-incidents/{incident_id}")


@router.post("/{incident_id}/containment-actions")
def add_containment(
    incident_id: int,
    request: Request,
    db: DB,
    actor: Manager,
    kind: Short = "",
    description: Text = "",
    performed_by: Short = "",
    performed_at: Short = "",
) -> Response:
    values = {
        "kind": kind,
        "description": description,
        "performed_by": performed_by,
        "performed_at": performed_at,
    }
    return _incident(request, db, actor, incident_id).act(
        "containment",
        values,
        lambda: service.add_containment_action(
            db,
            actor=actor,
            incident_id=incident_id,
            **checked(
                ContainmentIn,
                {
                    **values,
                    "performed_by": performed_by or None,
                    "performed_at": parse_local(performed_at, "performed_at"),
                },
            ).model_dump(),
        ),
    )


@router.post("/{incident_id}/contain")
def contain(
    incident_id: int, request: Request, db: DB, actor: Manager, note: Text = ""
) -> Response:
    return _incident(request, db, actor, incident_id).act(
        "contain",
        {"note": note},
        lambda: service.confirm_containment(
            db, actor=actor, incident_id=incident_id, note=_note(note)
        ),
    )


@router.post("/{incident_id}/root-cause")
def root_cause(
    incident_id: int,
    request: Request,
    db: DB,
    actor: Manager,
    category: Short = "",
    root_cause: Text = "",
) -> Response:
    return _incident(request, db, actor, incident_id).act(
        "root_cause",
        {"category": category, "root_cause": root_cause},
        lambda: service.record_root_cause(
            db,
            actor=actor,
            incident_id=incident_id,
            **checked(RootCauseIn, {"category": category, "root_cause": root_cause}).model_dump(),
        ),
    )


@router.post("/{incident_id}/corrective-actions")
def add_corrective(
    incident_id: int,
    request: Request,
    db: DB,
    actor: Manager,
    description: Text = "",
    owner_id: Short = "",
    due_on: Short = "",
) -> Response:
    values = {"description": description, "owner_id": owner_id, "due_on": due_on}
    return _incident(request, db, actor, incident_id).act(
        "corrective",
        values,
        lambda: service.add_corrective_action(
            db,
            actor=actor,
            incident_id=incident_id,
            **_present(
                CorrectiveIn,
                {
                    "description": description,
                    "owner_id": parse_id(owner_id, "owner_id"),
                    "due_on": parse_date(due_on, "due_on"),
                },
            ),
        ),
    )


@router.post("/{incident_id}/corrective-actions/{action_id}/done")
def complete_corrective(
    incident_id: int, action_id: int, request: Request, db: DB, actor: Manager, note: Text = ""
) -> Response:
    return _incident(request, db, actor, incident_id).act(
        f"done-{action_id}",
        {"note": note},
        lambda: service.complete_corrective_action(
            db, actor=actor, incident_id=incident_id, action_id=action_id, note=_note(note)
        ),
    )


@router.post("/{incident_id}/correct")
def correct(
    incident_id: int, request: Request, db: DB, actor: Manager, note: Text = ""
) -> Response:
    return _incident(request, db, actor, incident_id).act(
        "correct",
        {"note": note},
        lambda: service.confirm_corrections(
            db, actor=actor, incident_id=incident_id, note=_note(note)
        ),
    )


@router.post("/{incident_id}/review")
def review(
    incident_id: int,
    request: Request,
    db: DB,
    actor: Manager,
    outcome: Short = "",
    notes: Text = "",
) -> Response:
    return _incident(request, db, actor, incident_id).act(
        "review",
        {"outcome": outcome, "notes": notes},
        lambda: service.review_incident(
            db,
            actor=actor,
            incident_id=incident_id,
            **checked(ReviewIn, {"outcome": outcome, "notes": notes}).model_dump(),
        ),
    )
