"""The service desk (SVC-1..SVC-5): contacts, complaints and satisfaction.

Every contact is a ServiceRecord; consultations carry a 2-hour answer clock (SVC-4).
Complaints carry three clocks: acknowledgement in 24 hours, the decision by the earlier
of 15 working days and 15 days (SVC-3, extendable once to 30 days), and for a claim
complaint the 2-hour answer by a named person (CLM-Z3). Services flush only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from claimdesk import lifecycle
from claimdesk.audit.service import record
from claimdesk.auth import service as accounts
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.calendar.cache import load_calendar
from claimdesk.claims import notify
from claimdesk.claims import repository as claims_repository
from claimdesk.clocks import service as clocks
from claimdesk.db import next_daily_value
from claimdesk.errors import ValidationFailed
from claimdesk.models.base import utcnow
from claimdesk.models.claim import Claim
from claimdesk.models.clock import Clock
from claimdesk.models.org import OrgUnit
from claimdesk.models.person import Person
from claimdesk.models.policy import Policy
from claimdesk.models.service import (
    Complaint,
    ComplaintNote,
    ComplaintSequence,
    SatisfactionSurvey,
    ServiceDeskSupervisor,
    ServiceRecord,
)
from claimdesk.models.user import User
from claimdesk.paging import PageRequest, Slice, fetch
from claimdesk.people import service as people
from claimdesk.policies import repository as policies_repository
from claimdesk.policies import service as policies
from claimdesk.policies.schemas import ChangeIn
from claimdesk.rules.deadlines import NaiveInstant, Rule, evaluate, to_local
from claimdesk.rules.identity import is_email, validate_mobile
from claimdesk.service import repository
from claimdesk.service.errors import (
    ComplaintAlreadyExtended,
    ComplaintNotFound,
    ComplaintStoryRequired,
    ComplaintWrongState,
    ContactRequired,
    CustomerAmbiguous,
    CustomerRequired,
    EscalationRouteRequired,
    ExtensionAfterDeadline,
    ExtensionReasonRequired,
    HandlerCannotActOnComplaints,
    NotYourRecord,
    ReceivedInFuture,
    ReferencedRecordMissing,
    ScoreOutOfRange,
    ServiceRecordClosed,
    ServiceRecordNotFound,
    SurveyAlreadyRecorded,
    SurveySubjectNotEligible,
    TextRequired,
    choose,
)
from claimdesk.timeutil import local_date

SERVICE_TYPES = (
    "consultation",
    "application_help",
    "policy_change",
    "policy_renewal",
    "policy_termination",
    "claims_help",
    "health_consultation",
    "emergency_rescue",
    "health_management",
)
CHANNELS = ("branch", "web_app", "phone", "email", "sms")
# The channels an agent records a contact on at the desk (SVC-2): the customer's own
# channel (web_app) is the portal's, SMS is outbound.
DESK_CHANNELS = ("phone", "branch", "email")
COMPLAINT_TYPES = ("service", "claims", "sales", "product", "policy_service", "other")
COMPLAINT_CAUSES = (
    "attitude",
    "delay",
    "claim_amount",
    "claim_rejection",
    "misleading_sales",
    "policy_terms",
    "fees",
    "process",
    "other",
)
DECISION_OUTCOMES = ("upheld", "partially_upheld", "rejected")
CUSTOMER_RESPONSES = ("accepted", "escalated")
ESCALATION_ROUTES = ("mediation", "regulator", "arbitration", "court")
SURVEY_SUBJECTS = ("service_record", "claim", "callback")
SURVEY_SOURCES = ("survey", "phone_interview", "online_rating", "third_party")
SCORE_FIELDS = (
    "score_speed",
    "score_attitude",
    "score_result",
    "score_process",
    "score_value_added",
)

# Clock names (the scorecard groups by them) and the rules behind them.
CONSULTATION_CLOCK = "service.consultation_answer"
ACK_CLOCK = "complaint.acknowledgement"
DECISION_CLOCK = "complaint.decision"
CLAIM_RESPONSE_CLOCK = "complaint.claim_response"
SERVICE_CLOCKS = (CONSULTATION_CLOCK, ACK_CLOCK, DECISION_CLOCK, CLAIM_RESPONSE_CLOCK)
# Service clocks end only by their step (GEN-7; checked 2026-12-08): a consultation's
# answer clock stops when it is answered or closed, and closing takes an outcome — the
# answer; a complaint's clocks are the company's duty to the complainant, not its
# handler's, so a new handler (acknowledge takes over from a named person who cannot act)
# carries them on, and the acknowledgement and the decision are what stop them; no state
# of complaint or service_record withdraws or cancels one, and a claim withdrawn leaves its
# complaint's clocks running (their subject is the complaint). So none closes "reassigned"
# or "cancelled" (clocks.closed_reason), and the service scorecard shows no "ended early"
# column (dashboards.queries.service_deadlines, GET /api/v1/reports/service/deadlines).
# Should a complaint ever be withdrawable, stop its clocks with closed_reason
# ``cancelled`` (as claims.workflow's stop_all) and show the column again.
CONSULTATION_RULE = Rule("hours", 2)
ACK_RULE = Rule("hours", 24)
WORKING_DAYS_RULE = Rule("working_days", 15)
DAYS_RULE = Rule("days", 15)
EXTENDED_RULE = Rule("days", 30)
CLAIM_RESPONSE_RULE = Rule("hours", 2)
BASIS_CONSULTATION = "服务标准 8.2.1(2)：咨询 2 小时内答复 (SVC-4)"
BASIS_ACK = "服务标准 6.3：投诉 24 小时内确认并告知进展 (SVC-3)"
BASIS_DECISION = (
    "服务标准 6.3（15 个工作日）与《银行业保险业消费投诉处理管理办法》（15 日）取其早 (SVC-3)"
)
BASIS_EXTENDED = (
    "《银行业保险业消费投诉处理管理办法》：延长至 30 日，已记录理由并告知投诉人 (SVC-3)"
)
BASIS_CLAIM_RESPONSE = "理赔争议 2 小时内由专人答复 (CLM-Z3)"

# Claims whose customers may be surveyed (SVC-5: "paid claims"); callbacks follow payment
# or rejection (CLM-X2).
PAID_CLAIM_STATES = ("paid", "closed")
CALLBACK_CLAIM_STATES = ("paid", "closed", "rejected")


# --- small checks ---------------------------------------------------------------------


def _text(value: str | None, field: str, missing: type[TextRequired] = TextRequired) -> str:
    if value is None or not value.strip():
        raise missing(field=field)
    return value.strip()


def _instant(value: dt.datetime | None, field: str) -> dt.datetime:
    if value is None:
        return utcnow()
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveInstant(field=field)
    return value.astimezone(dt.UTC)


# How far ahead of this server's clock a stated "came in at" may be: the agent's PC or
# phone clock running a little fast, a time typed to the minute. Within it the contact
# came in now (its clock never starts after it was recorded); beyond it, refused.
RECEIVED_SKEW = dt.timedelta(minutes=5)


def received_instant(*, value: dt.datetime | None, field: str = "received_at") -> dt.datetime:
    """When a contact or complaint came in (SVC-2..SVC-4): aware, not later than now
    (``RECEIVED_SKEW`` tolerated, read as now); None means now. The API and the desk's
    page both go through it (GEN-6: refused naming the field and the rule)."""
    received = _instant(value, field)
    now = utcnow()
    if received > now + RECEIVED_SKEW:
        raise ReceivedInFuture(field=field, minutes=RECEIVED_SKEW.seconds // 60)
    return min(received, now)


def customer_of(session: Session, *, actor: Principal, given: str, field: str) -> int:
    """The customer a desk agent names: their customer (person) number, or the mobile
    number they call from — found by its keyed hash, the look-up audited (SEC-1, GEN-5).
    A number shared by several customers is refused with the field named."""
    text = given.strip()
    if not text:
        raise CustomerRequired(field=field)
    if text.isdigit() and len(text) <= 10:
        if session.get(Person, int(text)) is None:
            raise ReferencedRecordMissing(field=field, what_zh="客户", what_en="customer")
        return int(text)
    found = people.find_by_phone(
        session,
        actor=actor,
        phone=validate_mobile(text, field=field),
        reason="service desk: who is calling (SVC-2)",
    )
    if not found:
        raise ReferencedRecordMissing(field=field, what_zh="客户", what_en="customer")
    if len(found) > 1:
        raise CustomerAmbiguous(field=field)
    return found[0].id


def _person(session: Session, person_id: int | None, field: str = "person_id") -> Person:
    if person_id is None:
        raise CustomerRequired(field=field)
    person = session.get(Person, person_id)
    if person is None:
        raise ReferencedRecordMissing(field=field, what_zh="客户", what_en="customer")
    return person


def _policy(session: Session, actor: Principal, policy_id: int | None) -> Policy | None:
    """The policy a contact refers to, among those the actor may see (SEC-4): a customer
    names only their own, and another person's is refused as if it did not exist, so
    that its existence is not revealed either."""
    if policy_id is None:
        return None
    policy = policies_repository.visible_policy(session, actor=actor, policy_id=policy_id)
    if policy is None:
        raise ReferencedRecordMissing(field="policy_id", what_zh="保单", what_en="policy")
    return policy


def _claim(
    session: Session, actor: Principal, claim_id: int | None, field: str = "claim_id"
) -> Claim | None:
    """The claim a contact (or a rating) refers to, among those the actor may see, like
    ``_policy`` (SEC-4); its claim_id is a plain integer column."""
    if claim_id is None:
        return None
    claim = claims_repository.visible_claim(session, actor=actor, claim_id=claim_id)
    if claim is None:
        raise ReferencedRecordMissing(field=field, what_zh="理赔案件", what_en="claim")
    return claim


def _contact(actor: Principal, person: Person, contact: str | None) -> str:
    """How the complainant is reached. A customer filing for themself (portal, app) is
    reached at the mobile number on their record unless they give another; staff must
    record what the complainant gave them (SVC-3)."""
    given = (contact or "").strip()
    if not given and actor.is_customer and person.phone:
        given = person.phone
    if not given:
        raise ContactRequired(field="contact")
    return given


def _own_person(actor: Principal, person_id: int | None, field: str) -> int | None:
    """Customers act for themselves only (SEC-4)."""
    if not actor.is_customer:
        return person_id
    if actor.person_id is None or (person_id is not None and person_id != actor.person_id):
        raise NotYourRecord(field=field)
    return actor.person_id


def _clock(session: Session, subject_type: str, subject_id: int, name: str) -> Clock | None:
    for clock in clocks.clocks_for(session, subject_type=subject_type, subject_id=subject_id):
        if clock.name == name:
            return clock
    return None


def _stop_if_open(session: Session, clock: Clock | None, at: dt.datetime, actor: Principal) -> None:
    if clock is not None and clock.stopped_at is None:
        clocks.stop_clock(
            session, clock=clock, at=max(at, clock.paused_at or clock.started_at), actor=actor
        )


# --- desk supervisors (who hears of a breach) ------------------------------------------


def set_desk_supervisor(
    session: Session, *, actor: Principal, org_unit_id: int, user_id: int
) -> ServiceDeskSupervisor:
    if session.get(OrgUnit, org_unit_id) is None:
        raise ReferencedRecordMissing(field="org_unit_id", what_zh="机构", what_en="org unit")
    if session.get(User, user_id) is None:
        raise ReferencedRecordMissing(field="user_id", what_zh="用户", what_en="user")
    row = repository.desk_supervisor_of(session, org_unit_id=org_unit_id)
    if row is None:
        row = ServiceDeskSupervisor(org_unit_id=org_unit_id, user_id=user_id)
        session.add(row)
    row.user_id = user_id
    session.flush()
    record(
        session,
        actor=actor,
        action="service.supervisor_set",
        entity_type="org_unit",
        entity_id=org_unit_id,
        details={"user_id": user_id},
    )
    return row


# --- service records (SVC-1, SVC-2, SVC-4) --------------------------------------------


def open_service_record(
    session: Session,
    *,
    actor: Principal,
    service_type: str,
    channel: str,
    person_id: int | None,
    subject: str,
    request: str | None = None,
    policy_id: int | None = None,
    claim_id: int | None = None,
    agent_user_id: int | None = None,
    org_unit_id: int | None = None,
    received_at: dt.datetime | None = None,
) -> ServiceRecord:
    """Record one customer contact; a consultation starts its 2-hour answer clock."""
    choose(service_type, SERVICE_TYPES, "service_type")
    choose(channel, CHANNELS, "channel")
    person_id = _own_person(actor, person_id, "person_id")
    _person(session, person_id)
    subject = _text(subject, "subject")
    _policy(session, actor, policy_id)
    _claim(session, actor, claim_id)
    received = received_instant(value=received_at, field="received_at")
    service_record = ServiceRecord(
        service_type=service_type,
        channel=channel,
        person_id=person_id,
        subject=subject,
        request=request,
        policy_id=policy_id,
        claim_id=claim_id,
        agent_user_id=agent_user_id
        if agent_user_id is not None
        else (None if actor.is_customer else actor.user_id),
        org_unit_id=org_unit_id if org_unit_id is not None else actor.org_unit_id,
        status="open",
        received_at=received,
    )
    session.add(service_record)
    session.flush()
    if service_type == "consultation":
        clocks.start_clock(
            session,
            subject_type="service_record",
            subject_id=service_record.id,
            name=CONSULTATION_CLOCK,
            rule=CONSULTATION_RULE,
            started_at=received,
            basis=BASIS_CONSULTATION,
            org_unit_id=service_record.org_unit_id,
            actor=actor,
        )
    record(
        session,
        actor=actor,
        action="service_record.opened",
        entity_type="service_record",
        entity_id=service_record.id,
        details={
            "type": service_type,
            "channel": channel,
            "person_id": person_id,
            "policy_id": policy_id,
            "claim_id": claim_id,
        },
    )
    return service_record


_POLICY_REQUEST_TYPES = {
    "change": "policy_change",
    "termination": "policy_termination",
    "renewal": "policy_renewal",
}


def open_policy_service_request(
    session: Session,
    *,
    actor: Principal,
    kind: str,
    policy_id: int,
    channel: str,
    person_id: int | None = None,
    change: ChangeIn | None = None,
    received_at: dt.datetime | None = None,
    subject: str | None = None,
) -> ServiceRecord:
    """A change, termination or renewal request starts as a service record and drives the
    policies domain's operation, whose deadlines (the 2-working-day change clock) are its
    own (SVC-1, POL-2..POL-4). The customer may only ask about their own policies: the
    policies repository filters by the principal."""
    # Another customer's policy is not found (404), as everywhere policies are read.
    policies_repository.get_policy(session, actor=actor, policy_id=policy_id)
    service_type = choose(_POLICY_REQUEST_TYPES.get(kind), _POLICY_REQUEST_TYPES.values(), "kind")
    if kind != "renewal" and change is None:
        raise ValidationFailed(
            field="change",
            zh="{field}：变更或解除须说明内容、生效日期和客户同意",
            en="{field}: a change or termination needs its description, "
            "effective date and the customer's consent",
        )
    if change is not None and change.kind != kind:
        raise ValidationFailed(
            field="change.kind",
            zh="{field}：与申请类型不一致",
            en="{field}: does not match the request kind",
        )
    service_record = open_service_record(
        session,
        actor=actor,
        service_type=service_type,
        channel=channel,
        person_id=person_id,
        subject=subject or f"policy {kind}",
        policy_id=policy_id,
        received_at=received_at,
    )
    at = service_record.received_at
    if change is not None:
        policy_change = policies.request_change(
            session, actor=actor, policy_id=policy_id, data=change, at=at
        )
        service_record.policy_change_id = policy_change.id
    else:
        renewed = policies.renew_policy(session, actor=actor, policy_id=policy_id, at=at)
        service_record.renewed_policy_id = renewed.id
    session.flush()
    return service_record


def get_service_record(session: Session, *, actor: Principal, record_id: int) -> ServiceRecord:
    found = repository.get_service_record(session, actor=actor, record_id=record_id)
    if found is None:
        raise ServiceRecordNotFound(field="record_id")
    return found


def _record_for(session: Session, *, actor: Principal, record_id: int, to: str) -> ServiceRecord:
    """The service record, if its table lets it move to ``to`` (else it is closed)."""
    found = get_service_record(session, actor=actor, record_id=record_id)
    if not lifecycle.SERVICE_RECORD.allows(found.status, to):
        raise ServiceRecordClosed()
    return found


def _answered(
    session: Session, *, actor: Principal, found: ServiceRecord, to: str, at: dt.datetime
) -> ServiceRecord:
    """Answered (the first answer's time is kept): the consultation clock stops (met or
    late, SVC-4) and the record moves to ``to``."""
    found.answered_at = found.answered_at or at
    _stop_if_open(
        session, _clock(session, "service_record", found.id, CONSULTATION_CLOCK), at, actor
    )
    lifecycle.transition(session, entity=found, table=lifecycle.SERVICE_RECORD, to=to, actor=actor)
    return found


def answer_service_record(
    session: Session,
    *,
    actor: Principal,
    record_id: int,
    outcome: str,
    at: dt.datetime | None = None,
) -> ServiceRecord:
    """The customer got an answer: the consultation clock stops (met or late)."""
    found = _record_for(session, actor=actor, record_id=record_id, to="answered")
    outcome = _text(outcome, "outcome")
    when = _instant(at, "at")
    found.outcome = outcome
    return _answered(session, actor=actor, found=found, to="answered", at=when)


def close_service_record(
    session: Session,
    *,
    actor: Principal,
    record_id: int,
    outcome: str | None = None,
    at: dt.datetime | None = None,
) -> ServiceRecord:
    found = _record_for(session, actor=actor, record_id=record_id, to="closed")
    when = _instant(at, "at")
    if outcome is not None:
        found.outcome = _text(outcome, "outcome")
    if not found.outcome:
        raise TextRequired(field="outcome")
    found.closed_at = when
    return _answered(session, actor=actor, found=found, to="closed", at=when)


# --- complaints (SVC-3, CLM-Z3) -------------------------------------------------------


@dataclass(frozen=True)
class DecisionDeadline:
    """Both candidate deadlines of SVC-3 and the one that binds (the earlier)."""

    working_days_due: dt.datetime
    days_due: dt.datetime
    rule: Rule

    @property
    def due(self) -> dt.datetime:
        return self.days_due if self.rule == DAYS_RULE else self.working_days_due


def decision_deadline(session: Session, *, received_at: dt.datetime) -> DecisionDeadline:
    """15 working days (standards 6.3) vs 15 days (2020 measures): keep the earlier; on
    a tie the statutory 15-day rule is named."""
    calendar = load_calendar(session)
    working = evaluate(WORKING_DAYS_RULE, received_at, calendar).due
    days = evaluate(DAYS_RULE, received_at, calendar).due
    assert working is not None and days is not None  # no pauses
    rule = DAYS_RULE if days <= working else WORKING_DAYS_RULE
    return DecisionDeadline(
        working_days_due=working.astimezone(dt.UTC), days_due=days.astimezone(dt.UTC), rule=rule
    )


def next_complaint_number(session: Session, *, day: dt.date) -> str:
    """TS + yyyymmdd + 6 digits, unique across processes without a lock held until
    commit (db.next_daily_value, as claim report numbers): PostgreSQL a sequence of the
    day, SQLite the day's row; a rolled-back filing leaves a gap, never a duplicate."""
    prefix = f"TS{day:%Y%m%d}"
    value = next_daily_value(
        session, ComplaintSequence, day, issued=Complaint.number, prefix=prefix
    )
    return f"{prefix}{value:06d}"


def file_complaint(
    session: Session,
    *,
    actor: Principal,
    person_id: int | None,
    contact: str | None,
    channel: str,
    complaint_type: str,
    cause: str,
    description: str,
    service_record_id: int | None = None,
    policy_id: int | None = None,
    claim_id: int | None = None,
    handler_user_id: int | None = None,
    org_unit_id: int | None = None,
    received_at: dt.datetime | None = None,
) -> Complaint:
    choose(channel, CHANNELS, "channel")
    choose(complaint_type, COMPLAINT_TYPES, "complaint_type")
    choose(cause, COMPLAINT_CAUSES, "cause")
    person_id = _own_person(actor, person_id, "person_id")
    contact = _contact(actor, _person(session, person_id), contact)
    description = _text(description, "description", ComplaintStoryRequired)
    if service_record_id is not None:
        linked = repository.get_service_record(session, actor=actor, record_id=service_record_id)
        if linked is None:
            raise ReferencedRecordMissing(
                field="service_record_id", what_zh="服务记录", what_en="service record"
            )
    _policy(session, actor, policy_id)
    claim = _claim(session, actor, claim_id)
    received = received_instant(value=received_at, field="received_at")
    deadline = decision_deadline(session, received_at=received)
    handler_user_id = _complaint_handler(session, actor, claim, handler_user_id)
    # Numbered last, after every check: a refused filing draws no number.
    number = next_complaint_number(session, day=local_date(received))
    complaint = Complaint(
        number=number,
        person_id=person_id,
        contact=contact,
        channel=channel,
        complaint_type=complaint_type,
        cause=cause,
        description=description,
        service_record_id=service_record_id,
        policy_id=policy_id,
        claim_id=claim_id,
        org_unit_id=org_unit_id
        if org_unit_id is not None
        else (getattr(claim, "org_unit_id", None) or actor.org_unit_id),
        handler_user_id=handler_user_id,
        received_by_id=None if actor.is_customer else actor.user_id,
        status="received",
        received_at=received,
        working_days_due_at=deadline.working_days_due,
        days_due_at=deadline.days_due,
        decision_rule_type=deadline.rule.type,
        decision_rule_n=deadline.rule.n,
        decision_due_at=deadline.due,
    )
    session.add(complaint)
    session.flush()
    common: dict[str, Any] = {
        "subject_type": "complaint",
        "subject_id": complaint.id,
        "started_at": received,
        "org_unit_id": complaint.org_unit_id,
        "actor": actor,
    }
    clocks.start_clock(session, name=ACK_CLOCK, rule=ACK_RULE, basis=BASIS_ACK, **common)
    clocks.start_clock(
        session, name=DECISION_CLOCK, rule=deadline.rule, basis=BASIS_DECISION, **common
    )
    if claim_id is not None or complaint_type == "claims":
        clocks.start_clock(
            session,
            name=CLAIM_RESPONSE_CLOCK,
            rule=CLAIM_RESPONSE_RULE,
            basis=BASIS_CLAIM_RESPONSE,
            **common,
        )
    record(
        session,
        actor=actor,
        action="complaint.filed",
        entity_type="complaint",
        entity_id=complaint.id,
        details={
            "channel": channel,
            "type": complaint_type,
            "cause": cause,
            "number": complaint.number,
            "person_id": person_id,
            "claim_id": claim_id,
            "policy_id": policy_id,
            "decision_rule": f"{deadline.rule.type}:{deadline.rule.n}",
            "decision_due_at": deadline.due.isoformat(),
        },
    )
    return complaint


def _complaint_handler(
    session: Session, actor: Principal, claim: Claim | None, named: int | None
) -> int | None:
    """The named person who answers a complaint (CLM-Z3): only someone who can work it on
    the desk (SERVICE_DESK; SVC-3). Someone named who cannot is refused; the claim's
    handler answers a complaint about their claim when they are on the desk too;
    otherwise the member of the desk filing it, and a customer's own complaint waits for
    the branch's desk (the claim's branch) or the untaken pool."""
    if named is not None:
        if not accounts.may_act(session, user_id=named, permission=Permission.SERVICE_DESK):
            raise HandlerCannotActOnComplaints(field="handler_user_id")
        return named
    claim_handler = claim.handler_id if claim is not None else None
    if claim_handler is not None and accounts.may_act(
        session, user_id=claim_handler, permission=Permission.SERVICE_DESK
    ):
        return claim_handler
    if actor.is_customer or actor.user_id is None:
        return None
    if accounts.may_act(session, user_id=actor.user_id, permission=Permission.SERVICE_DESK):
        return actor.user_id
    return None


def get_complaint(
    session: Session, *, actor: Principal, complaint_id: int, for_update: bool = False
) -> Complaint:
    found = repository.get_complaint(
        session, actor=actor, complaint_id=complaint_id, for_update=for_update
    )
    if found is None:
        raise ComplaintNotFound(field="complaint_id")
    return found


def _require_status(
    complaint: Complaint, allowed: tuple[str, ...], action_zh: str, action_en: str
) -> None:
    if complaint.status not in allowed:
        raise ComplaintWrongState(status=complaint.status, action_zh=action_zh, action_en=action_en)


def _require_move(complaint: Complaint, to: str, action_zh: str, action_en: str) -> None:
    """Refuse early (before any input is used) a move the complaint's table forbids."""
    if not lifecycle.COMPLAINT.allows(complaint.status, to):
        raise ComplaintWrongState(status=complaint.status, action_zh=action_zh, action_en=action_en)


def acknowledge_complaint(
    session: Session,
    *,
    actor: Principal,
    complaint_id: int,
    progress_note: str,
    at: dt.datetime | None = None,
) -> Complaint:
    """Acknowledged with progress (24 h); for a claim complaint this is also the named
    person's answer (CLM-Z3)."""
    complaint = get_complaint(session, actor=actor, complaint_id=complaint_id, for_update=True)
    _require_move(complaint, "acknowledged", "确认受理", "be acknowledged")
    note = _text(progress_note, "progress_note")
    when = _instant(at, "at")
    complaint.acknowledged_at = when
    complaint.progress_note = note
    if complaint.handler_user_id is None or not accounts.may_act(
        session, user_id=complaint.handler_user_id, permission=Permission.SERVICE_DESK
    ):
        # Whoever acknowledges answers when nobody on the desk is named (CLM-Z3).
        complaint.handler_user_id = actor.user_id
    _stop_if_open(session, _clock(session, "complaint", complaint.id, ACK_CLOCK), when, actor)
    _stop_if_open(
        session, _clock(session, "complaint", complaint.id, CLAIM_RESPONSE_CLOCK), when, actor
    )
    lifecycle.transition(
        session,
        entity=complaint,
        table=lifecycle.COMPLAINT,
        to="acknowledged",
        actor=actor,
        details={"handler_user_id": complaint.handler_user_id},
    )
    return complaint


def add_note(session: Session, *, actor: Principal, complaint_id: int, note: str) -> ComplaintNote:
    complaint = get_complaint(session, actor=actor, complaint_id=complaint_id)
    _require_status(
        complaint, ("received", "acknowledged"), "添加调查记录", "take investigation notes"
    )
    entry = ComplaintNote(
        complaint_id=complaint.id, author_id=actor.user_id, note=_text(note, "note")
    )
    session.add(entry)
    session.flush()
    record(
        session,
        actor=actor,
        action="complaint.note_added",
        entity_type="complaint",
        entity_id=complaint.id,
        details={"note_id": entry.id},
    )
    return entry


def _notify_complainant(
    session: Session,
    complaint: Complaint,
    *,
    template: str,
    params: Mapping[str, Any],
    dedupe_key: str,
) -> None:
    """The complainant told, in their language (SVC-3): to the contact they gave when it
    is a mobile number (SMS), by e-mail when it is an e-mail address (a complaint made
    by e-mail is answered there), else to their portal messages — the one address rule
    of every customer message (notify.address)."""
    notify.send_to_person(
        session,
        person_id=complaint.person_id,
        phone=_mobile(complaint.contact),
        email=_email(complaint.contact),
        template=template,
        body=lambda language: notify.render(
            template, {"complaint": complaint.number, **params}, language
        ),
        dedupe_key=dedupe_key,
        related_type="complaint",
        related_id=str(complaint.id),
    )


def _email(contact: str) -> str | None:
    """The contact when it is an e-mail address, else None."""
    return contact.strip() if is_email(contact) else None


def _mobile(contact: str) -> str | None:
    """The contact's mobile number (its 11 digits) when it is one, else None."""
    try:
        return validate_mobile(contact, field="contact")
    except ValidationFailed:
        return None


def extend_complaint(
    session: Session,
    *,
    actor: Principal,
    complaint_id: int,
    reason: str | None,
    at: dt.datetime | None = None,
    reason_field: str = "reason",
) -> Complaint:
    """Extend the decision deadline once, to 30 days after receipt, with a recorded
    reason and a notice to the complainant. ``reason_field`` is the name the caller's
    request gives the reason (the API's ``reason``, the page form's ``extension_reason``):
    an error names the field the client sent (GEN-6)."""
    complaint = get_complaint(session, actor=actor, complaint_id=complaint_id, for_update=True)
    _extend(
        session,
        complaint,
        actor=actor,
        reason=reason,
        when=_instant(at, "at"),
        field=reason_field,
    )
    return complaint


def _extend(
    session: Session,
    complaint: Complaint,
    *,
    actor: Principal,
    reason: str | None,
    when: dt.datetime,
    field: str,
) -> None:
    if reason is None or not reason.strip():
        raise ExtensionReasonRequired(field=field)
    if complaint.extended_at is not None:
        raise ComplaintAlreadyExtended(field=field)
    _require_status(complaint, ("received", "acknowledged"), "延期", "be extended")
    # Decided within the time limit (SVC-3): at the time the extension is made (the
    # request's ``at``, or now), the deadline it extends must still be running.
    if when > complaint.decision_due_at:
        raise ExtensionAfterDeadline(
            field=field, due=to_local(complaint.decision_due_at).isoformat()
        )
    before = complaint.decision_due_at
    clock = _clock(session, "complaint", complaint.id, DECISION_CLOCK)
    if clock is not None:
        # The 30 days run by their rule from the clock's own start (the receipt) and its
        # pauses; the clock then shows the rule that binds, for people and the scorecard.
        clocks.extend_clock(
            session,
            clock=clock,
            rule=EXTENDED_RULE,
            basis=BASIS_EXTENDED,
            at=when,
            actor=actor,
            reason=reason.strip(),
        )
        due = clock.due_at
    else:  # a complaint filed before its clocks existed: the rule from the receipt
        computed = evaluate(EXTENDED_RULE, complaint.received_at, load_calendar(session)).due
        assert computed is not None
        due = computed.astimezone(dt.UTC)
    complaint.extended_at = when
    complaint.extension_reason = reason.strip()
    complaint.decision_rule_type, complaint.decision_rule_n = EXTENDED_RULE.type, EXTENDED_RULE.n
    complaint.decision_due_at = due
    session.flush()
    _notify_complainant(
        session,
        complaint,
        template="complaint_extended",
        params={"due": complaint.decision_due_at, "reason": complaint.extension_reason},
        dedupe_key=f"complaint:{complaint.id}:extended",
    )
    record(
        session,
        actor=actor,
        action="complaint.extended",
        entity_type="complaint",
        entity_id=complaint.id,
        reason=complaint.extension_reason,
        details={"before": before.isoformat(), "after": complaint.decision_due_at.isoformat()},
    )


def decide_complaint(
    session: Session,
    *,
    actor: Principal,
    complaint_id: int,
    outcome: str,
    decision: str,
    extension_reason: str | None = None,
    at: dt.datetime | None = None,
) -> Complaint:
    """Decide. A decision past the deadline is recorded as late (the clock is missed);
    an extension reason given with it extends first, which only works in time."""
    complaint = get_complaint(session, actor=actor, complaint_id=complaint_id, for_update=True)
    _require_move(complaint, "decided", "作出处理决定", "be decided")
    choose(outcome, DECISION_OUTCOMES, "outcome")
    text = _text(decision, "decision")
    when = _instant(at, "at")
    if extension_reason is not None and extension_reason.strip():
        _extend(
            session,
            complaint,
            actor=actor,
            reason=extension_reason,
            when=when,
            field="extension_reason",
        )
    complaint.decision = text
    complaint.decision_outcome = outcome
    complaint.decided_at = when
    complaint.decided_by_id = actor.user_id
    for name in (ACK_CLOCK, CLAIM_RESPONSE_CLOCK, DECISION_CLOCK):
        _stop_if_open(session, _clock(session, "complaint", complaint.id, name), when, actor)
    lifecycle.transition(
        session,
        entity=complaint,
        table=lifecycle.COMPLAINT,
        to="decided",
        actor=actor,
        details={"outcome": outcome, "late": when > complaint.decision_due_at},
    )
    _notify_complainant(
        session,
        complaint,
        template="complaint_decided",
        params={"decision": text},
        dedupe_key=f"complaint:{complaint.id}:decided",
    )
    return complaint


def respond_to_decision(
    session: Session,
    *,
    actor: Principal,
    complaint_id: int,
    response: str,
    route: str | None = None,
    at: dt.datetime | None = None,
) -> Complaint:
    """The complainant accepts the decision or escalates (mediation, regulator ...)."""
    complaint = get_complaint(session, actor=actor, complaint_id=complaint_id, for_update=True)
    choose(response, CUSTOMER_RESPONSES, "response")
    _require_move(complaint, response, "登记客户意见", "take the customer's response")
    if response == "escalated":
        if not route:
            raise EscalationRouteRequired(field="route")
        choose(route, ESCALATION_ROUTES, "route")
    elif route is not None:
        choose(None, (), "route")  # a route only makes sense for an escalation
    complaint.customer_response = response
    complaint.escalation_route = route
    complaint.responded_at = _instant(at, "at")
    lifecycle.transition(
        session,
        entity=complaint,
        table=lifecycle.COMPLAINT,
        to=response,
        actor=actor,
        details={"route": route},
    )
    return complaint


def archive_complaint(
    session: Session, *, actor: Principal, complaint_id: int, at: dt.datetime | None = None
) -> Complaint:
    complaint = get_complaint(session, actor=actor, complaint_id=complaint_id, for_update=True)
    _require_move(complaint, "archived", "归档", "be archived")
    complaint.archived_at = _instant(at, "at")
    lifecycle.transition(
        session, entity=complaint, table=lifecycle.COMPLAINT, to="archived", actor=actor
    )
    return complaint


# --- satisfaction (SVC-5) -------------------------------------------------------------


def _scores(scores: Mapping[str, int | None]) -> dict[str, int | None]:
    checked: dict[str, int | None] = {}
    for name in SCORE_FIELDS:
        value = scores.get(name)
        if value is None and name == "score_value_added":
            checked[name] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise ScoreOutOfRange(field=name)
        checked[name] = value
    return checked


def record_survey(
    session: Session,
    *,
    actor: Principal,
    subject_type: str,
    subject_id: int,
    source: str,
    scores: Mapping[str, int | None],
    comment: str | None = None,
    surveyed_at: dt.datetime | None = None,
) -> SatisfactionSurvey:
    """Record satisfaction with a closed service record, a paid claim or a callback.
    A customer rates online, and only their own records."""
    choose(subject_type, SURVEY_SUBJECTS, "subject_type")
    choose(source, SURVEY_SOURCES, "source")
    if actor.is_customer and source != "online_rating":
        choose(source, ("online_rating",), "source")
    checked = _scores(scores)
    person_id, service_type, org_unit_id = _survey_subject(session, actor, subject_type, subject_id)
    if actor.is_customer and person_id != actor.person_id:
        raise NotYourRecord(field="subject_id")
    if repository.survey_exists(
        session, subject_type=subject_type, subject_id=subject_id, source=source
    ):
        raise SurveyAlreadyRecorded(field="subject_id", what="survey")
    survey = SatisfactionSurvey(
        subject_type=subject_type,
        subject_id=subject_id,
        service_type=service_type,
        person_id=person_id,
        org_unit_id=org_unit_id,
        source=source,
        comment=comment,
        surveyed_at=_instant(surveyed_at, "surveyed_at"),
        recorded_by_id=actor.user_id,
        **checked,
    )
    session.add(survey)
    session.flush()
    record(
        session,
        actor=actor,
        action="satisfaction.recorded",
        entity_type="satisfaction_survey",
        entity_id=survey.id,
        details={"subject": f"{subject_type}:{subject_id}", "source": source},
    )
    return survey


def _survey_subject(
    session: Session, actor: Principal, subject_type: str, subject_id: int
) -> tuple[int | None, str, int | None]:
    """(person, service type, branch) of what is rated, or why it cannot be rated."""
    if subject_type == "service_record":
        found = repository.get_service_record(session, actor=actor, record_id=subject_id)
        if found is None:
            raise ServiceRecordNotFound(field="subject_id")
        if found.status != "closed":
            raise SurveySubjectNotEligible(field="subject_id")
        return found.person_id, found.service_type, found.org_unit_id
    claim = _claim(session, actor, subject_id, field="subject_id")
    if claim is None:  # pragma: no cover - claims domain not installed
        raise SurveySubjectNotEligible(field="subject_id")
    states = PAID_CLAIM_STATES if subject_type == "claim" else CALLBACK_CLAIM_STATES
    if getattr(claim, "state", None) not in states:
        raise SurveySubjectNotEligible(field="subject_id")
    service_type = "claims" if subject_type == "claim" else "claims_callback"
    person_id = getattr(claim, "insured_person_id", None)
    return person_id, service_type, getattr(claim, "org_unit_id", None)


# -- what the desk's pages read (they call the domain, not its repository) ---------------


def complaints_page(
    session: Session, *, actor: Principal, request: PageRequest, status: str | None = None
) -> Slice[Complaint]:
    """A page of the complaints ``actor`` may see, newest first (``status`` narrows)."""
    return fetch(session, repository.complaints_query(actor=actor, status=status), request)


def service_records_page(
    session: Session, *, actor: Principal, request: PageRequest, status: str | None = None
) -> Slice[ServiceRecord]:
    """A page of the service records ``actor`` may see, newest first (``status``
    narrows): the API's list."""
    return fetch(session, repository.service_records_query(actor=actor, status=status), request)


def open_complaints(session: Session, *, actor: Principal, limit: int = 100) -> list[Complaint]:
    """Complaints not yet decided that ``actor`` works (SEC-4: their own, their branch's,
    the untaken pool, what they supervise; service.repository): the service desk's part
    of the workbench, shown to a user with the desk's permission only."""
    return repository.open_complaints(session, actor=actor, limit=limit)


def open_desk_records(
    session: Session, *, actor: Principal, limit: int = 100
) -> list[ServiceRecord]:
    """Contacts still waiting on the desk, oldest first: consultations not yet answered
    (SVC-4) and policy service requests whose change is still open (POL-2), as ``actor``
    may see them (the records' row rule)."""
    return repository.open_desk_records(session, actor=actor, limit=limit)


def service_records(
    session: Session, *, actor: Principal, status: str | None = None, limit: int = 200
) -> list[ServiceRecord]:
    """The service records ``actor`` may see, newest first (``status`` narrows)."""
    return repository.list_service_records(session, actor=actor, status=status, limit=limit)


def complaints_of(session: Session, *, actor: Principal, limit: int = 200) -> list[Complaint]:
    """The newest complaints ``actor`` may see (a customer's own)."""
    return repository.list_complaints(session, actor=actor, limit=limit)


def claim_rated(session: Session, *, claim_id: int) -> bool:
    """Whether the customer has rated this claim already (one rating per paid claim)."""
    return repository.claim_rated(session, claim_id=claim_id)


def complaint_notes(session: Session, *, complaint_id: int) -> list[ComplaintNote]:
    """The complaint's internal notes, in the order they were written."""
    return repository.notes_of(session, complaint_id=complaint_id)


def surveys(session: Session, *, actor: Principal) -> list[SatisfactionSurvey]:
    """The satisfaction surveys ``actor`` may see, newest first."""
    return repository.list_surveys(session, actor=actor)
