"""Queries on the job queue and the outbox: the workers' picks (each row taken with
SKIP LOCKED, so N workers never take the same one) and the messages of the people the
outbox writes to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ScalarSelect, bindparam, select
from sqlalchemy.orm import Session

from claimdesk.models.job import Job, OutboxMessage
from claimdesk.models.person import Person
from claimdesk.paging import PageRequest, Slice, fetch

# The channels a customer's messages go by (an e-mail or SMS copy is the same message).
CUSTOMER_CHANNELS = ("sms", "app", "email")
# Messages that carry a secret (auth.second_factor's login code): never listed.
SECRET_TEMPLATES = ("portal.login_code",)


def messages_of_person(
    session: Session, *, person_id: int, request: PageRequest
) -> Slice[OutboxMessage]:
    """A page of the messages written to ``person_id``, newest first (the row filter:
    the person's own, by the ``person_id`` each customer message carries)."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.person_id == person_id)
        .where(OutboxMessage.channel.in_(CUSTOMER_CHANNELS))
        # A login code is for the phone that asked for it, never to be read again here.
        .where(OutboxMessage.template.not_in(SECRET_TEMPLATES))
        .order_by(OutboxMessage.id.desc())  # ids rise as messages are written
    )
    return fetch(session, query, request)


def next_due_job(session: Session, *, now: dt.datetime) -> Job | None:
    """The queued job due first that no other worker holds, its row taken."""
    query = (
        select(Job)
        .where(Job.status == "queued", Job.run_at <= now)
        .order_by(Job.run_at, Job.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return session.scalars(query).first()


def untaken_jobs(
    session: Session, *, kind: str, key_prefix: str, keep: str | None
) -> Sequence[int]:
    """Ids of the queued jobs of ``kind`` whose dedupe key starts with ``key_prefix``
    (but for ``keep``) that no worker has taken, their rows taken (a taken one is locked
    and skipped)."""
    query = select(Job.id).where(
        Job.kind == kind, Job.status == "queued", Job.dedupe_key.startswith(key_prefix)
    )
    if keep is not None:
        query = query.where(Job.dedupe_key != keep)
    return session.scalars(query.with_for_update(skip_locked=True)).all()


def next_due_message(session: Session, *, now: dt.datetime) -> OutboxMessage | None:
    """The pending outbox message due first that no other worker holds, its row taken."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return session.scalars(query).first()


def reader_language(*, parameter: str) -> ScalarSelect[str | None]:
    """The language on the record of the person bound as ``parameter``: a scalar
    subquery for the outbox INSERT that writes to them (jobs.outbox)."""
    return (
        select(Person.preferred_language).where(Person.id == bindparam(parameter)).scalar_subquery()
    )
