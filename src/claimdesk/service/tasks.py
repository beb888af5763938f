"""Background work of the service desk.

* ``escalate_service_breaches`` (SVC-3, SVC-4, CLM-Z3): after the breach job has marked
  missed clocks (``clocks.service.mark_breaches``), tell the branch's desk supervisor
  once per breached clock. ``escalated_at`` and the outbox dedupe key make it exactly
  once, even with two workers (rows taken FOR UPDATE SKIP LOCKED on PostgreSQL).
* ``run_care_campaign`` (SVC-6, SEC-6): periodic health and insurance information, only
  to people whose active consent covers ``customer_care``; one message per person per
  campaign period, guaranteed by the outbox dedupe key.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.claims.deadline_names import name_of
from claimdesk.clocks import escalation
from claimdesk.field_labels import field_words
from claimdesk.formatting import local_datetime
from claimdesk.jobs.outbox import queue_customer_message, send_message
from claimdesk.jobs.queue import periodic
from claimdesk.models.clock import Clock
from claimdesk.models.person import Person
from claimdesk.models.user import User
from claimdesk.people import repository as people_repository
from claimdesk.people.service import has_consent
from claimdesk.rules.deadlines import local_date
from claimdesk.service import repository
from claimdesk.service.errors import UnknownCode
from claimdesk.service.service import SERVICE_CLOCKS

CARE_PURPOSE = "customer_care"
CARE_ACTOR = Principal.system("customer-care")
ESCALATION_ACTOR = Principal.system("deadline-monitor")
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

# The care message in each language; a customer gets the one on their record
# (jobs.outbox.queue_customer_message), and the portal keeps both (SVC-6, GEN-6).
CARE_BODY = {
    "zh-CN": (
        "【健康关爱】秋冬季节注意保暖，定期体检。您的保单服务、理赔进度可在官网或 App 查询；"
        "如不希望再收到此类信息，请回复 TD 或联系客服撤回同意。"
    ),
    "en": (
        "[Health care] Keep warm in autumn and winter, and have regular check-ups. Your "
        "policy services and claim progress are on our website and app. To receive no more "
        "of these messages, reply TD or ask customer service to withdraw your consent."
    ),
}
CARE_SUBJECT = {"zh-CN": "健康与保险资讯", "en": "Health and insurance news"}


def breach_words(clock: Clock, language: str) -> tuple[str, str]:
    """The supervisor's message about a missed service clock, in ``language``: the record
    by its kind and number, the deadline by what it is for, the due time as people write
    it (it said "complaint 12 的时限“complaint.acknowledgement”…", in Chinese to all)."""
    what = field_words(f"{clock.subject_type}_id", language)
    purpose = name_of(clock.name, clock.basis).purpose(language)
    due = local_datetime(clock.due_at, language)
    if language.lower().startswith("zh"):
        return (
            "服务时限超时",
            f"{what} #{clock.subject_id} 的时限“{purpose}”已于 {due} 超时，请跟进。",
        )
    return (
        "Service time limit missed",
        f'{what} #{clock.subject_id}: the time limit "{purpose}" was missed at {due}; '
        "please follow up.",
    )


def escalate_service_clock(
    session: Session, clock: Clock, now: dt.datetime
) -> dict[str, object] | None:
    """Escalation handler (clocks.escalation registry): tell the branch's desk
    supervisor of one breached service clock; None when the branch has none yet."""
    if clock.name not in SERVICE_CLOCKS:
        return None
    supervisor = _supervisor(session, clock.org_unit_id)
    if supervisor is None:
        return None  # left for when the branch has a supervisor on record
    subject, body = breach_words(clock, supervisor.language)
    send_message(
        session,
        channel="app",
        recipient=supervisor.username,
        template="service_deadline_breached",
        subject=subject,
        body=body,
        language=supervisor.language,
        dedupe_key=f"clock:{clock.id}:escalated",
        related_type=clock.subject_type,
        related_id=clock.subject_id,
    )
    return {"to_user_id": supervisor.id}


SERVICE_SUBJECTS = ("service_record", "complaint")
for _subject in SERVICE_SUBJECTS:
    escalation.register(_subject, escalate_service_clock)


def escalate_service_breaches(session: Session, *, now: dt.datetime, limit: int = 200) -> int:
    """Notify the desk supervisor of every breached, not yet escalated service clock
    (the same handler the one breach job ``clocks.mark_and_escalate`` dispatches to)."""
    return len(
        escalation.escalate_breached(session, now=now, subject_types=SERVICE_SUBJECTS, limit=limit)
    )


def _supervisor(session: Session, org_unit_id: int | None) -> User | None:
    if org_unit_id is None:
        return None
    return repository.active_desk_supervisor(session, org_unit_id=org_unit_id)


def care_period(today: dt.date) -> str:
    return today.strftime("%Y-%m")


def run_care_campaign(session: Session, *, period: str) -> int:
    """Queue this period's care message for every consenting person; returns how many
    people were addressed. Running it again (or in two workers) adds nothing."""
    if not _PERIOD.match(period or ""):
        raise UnknownCode(field="period", value=period, allowed="YYYY-MM")
    candidates = people_repository.consenting_person_ids(session, purpose=CARE_PURPOSE)
    addressed = 0
    for person_id in candidates:
        # has_consent is the people domain's one rule for SEC-6; the query above only
        # narrows the candidates.
        if not has_consent(session, person_id=person_id, purpose=CARE_PURPOSE):
            continue
        person = session.get(Person, person_id)
        if person is None:
            continue
        if person.email:
            channel, recipient = "email", person.email
        elif person.phone:
            channel, recipient = "sms", person.phone
        else:
            continue
        queue_customer_message(
            session,
            bodies=CARE_BODY,
            subjects=CARE_SUBJECT,
            channel=channel,
            recipient=recipient,
            template="customer_care",
            body="",
            person_id=person_id,
            dedupe_key=f"care:{period}:person:{person_id}",
            related_type="care_campaign",
            related_id=period,
        )
        addressed += 1
    record(
        session,
        actor=CARE_ACTOR,
        action="care.campaign_run",
        entity_type="care_campaign",
        entity_id=period,
        details={"addressed": addressed},
    )
    session.flush()
    return addressed


# Breached service clocks are escalated by the one breach job, clocks.mark_and_escalate,
# through the handler registered above.


@periodic("service.customer_care", every=dt.timedelta(days=1))
def customer_care_job(session: Session, payload: dict[str, Any], *, now: dt.datetime) -> None:
    # Runs daily; the monthly dedupe key makes it one message per person per month.
    run_care_campaign(session, period=payload.get("period") or care_period(local_date(now)))
