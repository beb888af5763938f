"""Security incidents (SEC-7, standards 9.3): the business operations.

Any member of staff reports an incident (who, what, severity); the administrator
records the containment actions (isolate, repair, restore: what, who, when), confirms
containment, records the root cause, registers corrective actions (owner, due date)
and marks them done, confirms the corrections and reviews them. Every stage change goes
through security.workflow (the transition table, clocks, history and audit); the stage
records are audited here. Services flush only; the edge commits.

"now" is ``claims.timeutil.now`` — the one seam tests freeze (FrozenClock).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil
from claimdesk.clocks.service import stop_clock
from claimdesk.db import next_daily_value
from claimdesk.errors import ValidationFailed
from claimdesk.formatting import local_datetime
from claimdesk.jobs.outbox import send_message
from claimdesk.models.clock import Clock
from claimdesk.models.security_incident import (
    SecurityIncident,
    SecurityIncidentContainmentAction,
    SecurityIncidentCorrectiveAction,
    SecurityIncidentSequence,
    SecurityIncidentTransition,
)
from claimdesk.models.user import User
from claimdesk.paging import PageRequest, Slice, fetch
from claimdesk.rules.deadlines import NaiveInstant, local_date
from claimdesk.security import repository, workflow
from claimdesk.security.errors import (
    CorrectiveActionAlreadyDone,
    CorrectiveActionNotFound,
    IncidentDueDateInPast,
    IncidentOwnerUnknown,
    IncidentStepNotAllowed,
    IncidentTextRequired,
    IncidentTimeInFuture,
    IncidentTimeTooEarly,
    SecurityIncidentNotFound,
)
from claimdesk.security.limits import SEVERITIES, choose

CONTAINMENT_KINDS = ("isolate", "repair", "restore")
ROOT_CAUSE_CATEGORIES = (
    "software_defect",
    "misconfiguration",
    "human_error",
    "malicious_attack",
    "third_party",
    "physical",
    "other",
)
REVIEW_OUTCOMES = ("effective", "ineffective")


# --- small checks ---------------------------------------------------------------------


def _text(value: str | None, field: str, max_length: int | None = None) -> str:
    if value is None or not value.strip():
        raise IncidentTextRequired(field=field)
    text = value.strip()
    if max_length is not None and len(text) > max_length:
        raise ValidationFailed(
            field=field,
            zh="{field}：长度不能超过 " + str(max_length) + " 个字符",
            en="{field}: at most " + str(max_length) + " characters",
        )
    return text


def _optional_text(value: str | None) -> str | None:
    return value.strip() if value is not None and value.strip() else None


def _past_instant(
    value: dt.datetime | None,
    field: str,
    now: dt.datetime,
    *,
    earliest: dt.datetime | None = None,
    what_zh: str = "",
    what_en: str = "",
) -> dt.datetime:
    """An instant the user states (detection, when a step was done): aware, not in the
    future, not before ``earliest``. None means now."""
    if value is None:
        return now
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveInstant(field=field)
    value = value.astimezone(dt.UTC)
    if value > now:
        raise IncidentTimeInFuture(field=field, now=now)
    if earliest is not None and value < earliest:
        raise IncidentTimeTooEarly(field=field, earliest=earliest, what_zh=what_zh, what_en=what_en)
    return value


def next_number(session: Session, *, day: dt.date) -> str:
    """SI + yyyymmdd + 4 digits, unique across processes (db.next_daily_value)."""
    prefix = f"SI{day:%Y%m%d}"
    value = next_daily_value(
        session, SecurityIncidentSequence, day, issued=SecurityIncident.number, prefix=prefix
    )
    return f"{prefix}{value:04d}"


def administrators(session: Session) -> list[User]:
    """Who answers for incidents: every active administrator."""
    return repository.active_administrators(session)


# A severity as the incident pages say it (web/admin/security.LABELS, security.po).
SEVERITY_WORDS: dict[str, tuple[str, str]] = {
    "critical": ("严重", "critical"),
    "high": ("高", "high"),
    "medium": ("中", "medium"),
    "low": ("低", "low"),
}


def severity_words(*, severity: str, language: str) -> str:
    zh, en = SEVERITY_WORDS.get(severity, (severity, severity))
    return zh if language.lower().startswith("zh") else en


# What a message to the administrators says in a language: (subject, body).
Words = Callable[[str], tuple[str, str]]


def tell_administrators(
    session: Session, *, template: str, words: Words, key: str, incident_id: int
) -> list[int]:
    """One in-app message per administrator, once per key (outbox dedupe), in that
    administrator's language (``words(language)``)."""
    told = []
    for user in administrators(session):
        subject, body = words(user.language)
        send_message(
            session,
            channel="app",
            recipient=user.username,
            template=template,
            subject=subject,
            body=body,
            language=user.language,
            dedupe_key=f"{key}:user:{user.id}",
            related_type=workflow.SUBJECT,
            related_id=incident_id,
        )
        told.append(user.id)
    return told


# --- reading --------------------------------------------------------------------------


def get_incident(
    session: Session, *, actor: Principal, incident_id: int, for_update: bool = False
) -> SecurityIncident:
    found = repository.get_incident(
        session, actor=actor, incident_id=incident_id, for_update=for_update
    )
    if found is None:
        raise SecurityIncidentNotFound(field="incident_id")
    return found


def list_incidents(
    session: Session,
    *,
    actor: Principal,
    states: Sequence[str] | None = None,
    severity: str | None = None,
) -> list[SecurityIncident]:
    """The incidents ``actor`` may see (row-filtered: a reporter their own), newest
    first, at most 200: the incidents page's list."""
    return repository.list_incidents(session, actor=actor, states=states, severity=severity)


def incidents_page(
    session: Session,
    *,
    actor: Principal,
    paging: PageRequest,
    state: str | None = None,
    severity: str | None = None,
) -> Slice[SecurityIncident]:
    """A page of the incidents ``actor`` may see (row-filtered in the repository: a
    reporter their own, SEC-4), newest first, narrowed to one stage and/or severity —
    each checked against its list first and refused naming the field (GEN-6): the API's
    list."""
    if state is not None:
        choose(state, workflow.STATES, "state")
    if severity is not None:
        choose(severity, SEVERITIES, "severity")
    query = repository.incidents_query(
        actor=actor, states=[state] if state else None, severity=severity
    )
    return fetch(session, query, paging)


def running_clocks(session: Session, *, incident_ids: Sequence[int]) -> dict[int, Clock]:
    """The running stage clock of each incident, by incident id (a list's limit column)."""
    return repository.running_clocks(session, incident_ids=incident_ids)


def containment_actions(
    session: Session, *, incident_id: int
) -> list[SecurityIncidentContainmentAction]:
    """What was done to contain the incident, in the order it was done."""
    return repository.containment_actions(session, incident_id=incident_id)


def corrective_actions(
    session: Session, *, incident_id: int
) -> list[SecurityIncidentCorrectiveAction]:
    """The incident's corrective actions, in the order they were added."""
    return repository.corrective_actions(session, incident_id=incident_id)


def transitions(session: Session, *, incident_id: int) -> list[SecurityIncidentTransition]:
    """The incident's stage changes, oldest first."""
    return repository.transitions(session, incident_id=incident_id)


def _in_stage(incident: SecurityIncident, state: str, what_zh: str, what_en: str) -> None:
    if incident.state != state:
        raise IncidentStepNotAllowed(state=incident.state, what_zh=what_zh, what_en=what_en)


# --- report ---------------------------------------------------------------------------


def report_incident(
    session: Session,
    *,
    actor: Principal,
    title: str | None,
    description: str | None,
    severity: str | None,
    affected_systems: str | None,
    affected_data: str | None = None,
    personal_data_involved: bool = False,
    detected_at: dt.datetime | None = None,
) -> SecurityIncident:
    """Report (who: the actor; what; severity). The report clock (detection → report)
    stops at once, so a late report is recorded as a missed limit; the containment
    clock starts."""
    now = timeutil.now()
    title = _text(title, "title", 200)
    description = _text(description, "description")
    choose(severity, SEVERITIES, "severity")
    assert severity is not None
    systems = _text(affected_systems, "affected_systems")
    detected = _past_instant(detected_at, "detected_at", now)
    incident = SecurityIncident(
        number=next_number(session, day=local_date(now)),
        reporter_id=actor.user_id,
        reporter_name=actor.username,
        org_unit_id=actor.org_unit_id,
        title=title,
        description=description,
        severity=severity,
        state=workflow.REPORTED,
        affected_systems=systems,
        affected_data=_optional_text(affected_data),
        personal_data_involved=bool(personal_data_involved),
        detected_at=detected,
        reported_at=now,
    )
    session.add(incident)
    session.flush()
    report_clock = workflow.start_stage(session, incident, "report", at=detected, actor=actor)
    stop_clock(session, clock=report_clock, at=now, actor=actor)
    workflow.start_stage(session, incident, "contain", at=now, actor=actor)
    workflow.record_move(
        session,
        incident,
        action="report",
        source="",
        actor=actor,
        at=now,
        reason=None,
        details={
            "severity": severity,
            "personal_data_involved": incident.personal_data_involved,
            "detected_at": detected.isoformat(),
        },
    )
    _tell_reported(session, actor=actor, incident=incident, detected=detected)
    return incident


def _tell_reported(
    session: Session, *, actor: Principal, incident: SecurityIncident, detected: dt.datetime
) -> None:
    """The administrators hear of a new incident in their own language (once: the key)."""
    title, severity = incident.title, incident.severity

    def reported(language: str) -> tuple[str, str]:
        level = severity_words(severity=severity, language=language)
        found = local_datetime(detected, language)
        if language.lower().startswith("zh"):
            return "信息安全事件报告", (
                f"{incident.number}（{level}）：{title}。报告人 {actor.username}，发现于 {found}。"
                + ("涉及个人信息。" if incident.personal_data_involved else "")
            )
        return "Security incident reported", (
            f"{incident.number} ({level}): {title}. Reported by {actor.username}, "
            f"found {found}."
            + (" Personal data is involved." if incident.personal_data_involved else "")
        )

    tell_administrators(
        session,
        template="security_incident_reported",
        words=reported,
        key=f"security_incident:{incident.id}:reported",
        incident_id=incident.id,
    )


# --- containment ----------------------------------------------------------------------


def add_containment_action(
    session: Session,
    *,
    actor: Principal,
    incident_id: int,
    kind: str | None,
    description: str | None,
    performed_by: str | None = None,
    performed_at: dt.datetime | None = None,
) -> SecurityIncidentContainmentAction:
    """One step of isolation, repair or restoration: what, who did it and when."""
    incident = get_incident(session, actor=actor, incident_id=incident_id, for_update=True)
    _in_stage(incident, workflow.REPORTED, "记录处置措施", "record containment actions")
    choose(kind, CONTAINMENT_KINDS, "kind")
    assert kind is not None
    text = _text(description, "description")
    who = _text(performed_by, "performed_by", 100) if performed_by is not None else actor.username
    when = _past_instant(
        performed_at,
        "performed_at",
        timeutil.now(),
        earliest=incident.detected_at,
        what_zh="发现时间",
        what_en="detection time",
    )
    action = SecurityIncidentContainmentAction(
        incident_id=incident.id,
        kind=kind,
        description=text,
        performed_by=who,
        performed_at=when,
        recorded_by_id=actor.user_id,
    )
    session.add(action)
    session.flush()
    record(
        session,
        actor=actor,
        action="security_incident.containment_recorded",
        entity_type="security_incident",
        entity_id=incident.id,
        details={"action_id": action.id, "kind": kind, "performed_at": when.isoformat()},
    )
    return action


def _confirm(
    session: Session, *, actor: Principal, incident_id: int, action: str, note: str | None
) -> tuple[SecurityIncident, dt.datetime]:
    """A stage confirmed done, with an optional note: the incident moved on, and when."""
    incident = get_incident(session, actor=actor, incident_id=incident_id, for_update=True)
    now = timeutil.now()
    workflow.transition(
        session,
        incident=incident,
        action=action,
        actor=actor,
        at=now,
        reason=_optional_text(note),
    )
    return incident, now


def confirm_containment(
    session: Session, *, actor: Principal, incident_id: int, note: str | None = None
) -> SecurityIncident:
    incident, now = _confirm(
        session, actor=actor, incident_id=incident_id, action="contain", note=note
    )
    incident.contained_at = now
    session.flush()
    return incident


# --- root cause -----------------------------------------------------------------------


def record_root_cause(
    session: Session,
    *,
    actor: Principal,
    incident_id: int,
    root_cause: str | None,
    category: str | None,
) -> SecurityIncident:
    incident = get_incident(session, actor=actor, incident_id=incident_id, for_update=True)
    workflow.check(incident, "root_cause", actor)
    text = _text(root_cause, "root_cause")
    choose(category, ROOT_CAUSE_CATEGORIES, "category")
    now = timeutil.now()
    workflow.transition(
        session,
        incident=incident,
        action="root_cause",
        actor=actor,
        at=now,
        details={"category": category},
    )
    incident.root_cause = text
    incident.root_cause_category = category
    incident.root_cause_by_id = actor.user_id
    incident.root_caused_at = now
    session.flush()
    return incident


# --- corrective actions ---------------------------------------------------------------


def _owner(session: Session, owner_id: int | None) -> User:
    """An active member of staff: a customer's login cannot answer for a correction."""
    owner = session.get(User, owner_id) if owner_id is not None else None
    if owner is None or not owner.is_active or not repository.is_staff(session, user_id=owner.id):
        raise IncidentOwnerUnknown(field="owner_id")
    return owner


def add_corrective_action(
    session: Session,
    *,
    actor: Principal,
    incident_id: int,
    description: str | None,
    owner_id: int | None,
    due_on: dt.date | None,
) -> SecurityIncidentCorrectiveAction:
    """A corrective action with the person answerable for it and its due date."""
    incident = get_incident(session, actor=actor, incident_id=incident_id, for_update=True)
    _in_stage(incident, workflow.ROOT_CAUSED, "登记整改措施", "register corrective actions")
    text = _text(description, "description")
    owner = _owner(session, owner_id)
    today = local_date(timeutil.now())
    if due_on is None or due_on < today:
        raise IncidentDueDateInPast(field="due_on", today=today.isoformat())
    action = SecurityIncidentCorrectiveAction(
        incident_id=incident.id,
        description=text,
        owner_id=owner.id,
        due_on=due_on,
        recorded_by_id=actor.user_id,
    )
    session.add(action)
    session.flush()
    record(
        session,
        actor=actor,
        action="security_incident.corrective_action_added",
        entity_type="security_incident",
        entity_id=incident.id,
        details={"action_id": action.id, "owner_id": owner.id, "due_on": due_on.isoformat()},
    )
    return action


def complete_corrective_action(
    session: Session,
    *,
    actor: Principal,
    incident_id: int,
    action_id: int,
    note: str | None = None,
) -> SecurityIncidentCorrectiveAction:
    incident = get_incident(session, actor=actor, incident_id=incident_id, for_update=True)
    action = repository.corrective_action(session, incident_id=incident.id, action_id=action_id)
    if action is None:
        raise CorrectiveActionNotFound(field="action_id")
    _in_stage(incident, workflow.ROOT_CAUSED, "完成整改措施", "complete corrective actions")
    if action.done_at is not None:
        raise CorrectiveActionAlreadyDone(done_at=action.done_at)
    now = timeutil.now()
    action.done_at = now
    action.done_note = _optional_text(note)
    action.done_by_id = actor.user_id
    session.flush()
    record(
        session,
        actor=actor,
        action="security_incident.corrective_action_done",
        entity_type="security_incident",
        entity_id=incident.id,
        details={
            "action_id": action.id,
            "due_on": action.due_on.isoformat(),
            "late": local_date(now) > action.due_on,
        },
    )
    return action


def confirm_corrections(
    session: Session, *, actor: Principal, incident_id: int, note: str | None = None
) -> SecurityIncident:
    incident, now = _confirm(
        session, actor=actor, incident_id=incident_id, action="correct", note=note
    )
    incident.corrected_at = now
    session.flush()
    return incident


# --- review ---------------------------------------------------------------------------


def review_incident(
    session: Session,
    *,
    actor: Principal,
    incident_id: int,
    outcome: str | None,
    notes: str | None,
) -> SecurityIncident:
    """The review: effective closes the incident; ineffective sends it back for more
    corrective actions with a new corrective-actions clock."""
    incident = get_incident(session, actor=actor, incident_id=incident_id, for_update=True)
    workflow.check(incident, "review", actor)
    choose(outcome, REVIEW_OUTCOMES, "outcome")
    text = _text(notes, "notes")
    action = "review" if outcome == "effective" else "rework"
    now = timeutil.now()
    workflow.transition(
        session,
        incident=incident,
        action=action,
        actor=actor,
        at=now,
        reason=text,
        details={"outcome": outcome},
    )
    incident.reviewer_id = actor.user_id
    incident.review_outcome = outcome
    incident.review_notes = text
    if action == "review":
        incident.reviewed_at = now
    else:
        incident.corrected_at = None
    session.flush()
    return incident
