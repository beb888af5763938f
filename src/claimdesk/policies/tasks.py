"""Background work of the policies domain: the renewal reminder (POL-4), and the
switch of a policyholder changed with an effective date still ahead (POL-2, holder.py).

A periodic job looks for in-force policies whose term ends within the next 15 days and
sends the policyholder one reminder per term. "Once" is the outbox's dedupe key
``renewal-reminder:{policy.id}``: two workers running the job at the same moment, or the
job running every few hours, still produce one message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.jobs.outbox import queue_customer_message
from claimdesk.jobs.queue import periodic, task
from claimdesk.models.person import Person
from claimdesk.models.policy import Policy
from claimdesk.policies import holder, repository
from claimdesk.policies.service import local_date
from claimdesk.products import repository as products

KIND = "policies.renewal_reminders"
REMINDER_DAYS = 15  # standards 8.2.1(4)
REMINDER_ACTOR = Principal.system("renewal-reminder")


def reminder_key(policy: Policy) -> str:
    return f"renewal-reminder:{policy.id}"


def send_renewal_reminders(session: Session, *, now: dt.datetime) -> int:
    """Queue the reminders due at `now`; returns how many were newly queued."""
    today = local_date(instant=now)
    sent = 0
    for policy in repository.expiring_between(
        session, first=today, last=today + dt.timedelta(days=REMINDER_DAYS)
    ):
        if repository.renewal_of(session, policy_id=policy.id) is not None:
            continue  # already renewed: nothing to remind
        holder = session.get(Person, policy.policyholder_id)
        if holder is None:
            continue
        version = products.get_version(session, version_id=policy.product_version_id)
        channel, recipient = _address(holder)
        product_en = version.product.name_en or version.product.name
        # Both languages kept (GEN-6): sent in the holder's, shown in the portal's.
        bodies = {
            "zh-CN": (
                f"尊敬的{holder.name}：您的保单 {policy.number}（{version.product.name}）将于 "
                f"{policy.period_end} 到期，请及时办理续保，以免保障中断。"
            ),
            "en": (
                f"Dear {holder.name}: your policy {policy.number} ({product_en}) ends on "
                f"{policy.period_end}. Please renew it in time to keep your cover."
            ),
        }
        message = queue_customer_message(
            session,
            bodies=bodies,
            subjects={"zh-CN": "续保提醒", "en": "Renewal reminder"},
            channel=channel,
            recipient=recipient,
            template="policy.renewal_reminder",
            body="",
            person_id=holder.id,
            dedupe_key=reminder_key(policy),
            related_type="policy",
            related_id=str(policy.id),
        )
        if message is not None:  # None: this term was reminded before
            sent += 1
            record(
                session,
                actor=REMINDER_ACTOR,
                action="policy.renewal_reminder",
                entity_type="policy",
                entity_id=policy.id,
                at=now,
                details={"number": policy.number, "message_id": message},
            )
    return sent


def _address(person: Person) -> tuple[str, str]:
    if person.phone:
        return "sms", person.phone
    if person.email:
        return "email", person.email
    return "app", f"person:{person.id}"


@task(KIND)
def renewal_reminders_task(session: Session, payload: dict[str, Any], *, now: dt.datetime) -> None:
    send_renewal_reminders(session, now=now)


periodic(KIND, every=dt.timedelta(hours=6))


@task(holder.SWITCH_KIND)
def policyholder_switch_task(
    session: Session, payload: dict[str, Any], *, now: dt.datetime
) -> None:
    holder.switch_due(session, change_id=int(payload["change_id"]), now=now)
