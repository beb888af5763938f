"""Background jobs and the notification outbox, coordinated through the database."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from claimdesk.crypto.types import EncryptedString
from claimdesk.models.base import Base, TimestampMixin


class Job(TimestampMixin, Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text, default="{}")
    # A job with a dedupe key exists once: a periodic job enqueued by two workers for
    # the same period, or "renewal reminder for policy term X", is inserted only once.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="queued")  # queued|done|failed
    run_at: Mapped[dt.datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    # Runs lost to another transaction (deadlock, lock timeout): retried apart from the
    # attempts, up to the configured number (jobs.queue.transient_limit).
    transient_retries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[dt.datetime | None]


Index("ix_jobs_status_run_at", Job.status, Job.run_at)


class OutboxMessage(TimestampMixin, Base):
    """A message to a person, written in the business transaction, sent after commit."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(12))  # sms | app | email
    # A phone number or e-mail address: personal data, encrypted at rest (SEC-1).
    recipient: Mapped[str] = mapped_column(EncryptedString("outbox_messages.recipient"))
    person_id: Mapped[int | None]
    template: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(10), default="zh-CN")
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # A customer's message in both languages (jobs.outbox.queue_customer_message): the
    # portal shows it in the language the customer reads now; None for a message
    # written in one language only (staff's, or before migration 0061).
    body_zh: Mapped[str | None] = mapped_column(Text)
    body_en: Mapped[str | None] = mapped_column(Text)
    subject_zh: Mapped[str | None] = mapped_column(String(200))
    subject_en: Mapped[str | None] = mapped_column(String(200))
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    related_type: Mapped[str | None] = mapped_column(String(40))
    related_id: Mapped[str | None] = mapped_column(String(64))


Index("ix_outbox_status_next", OutboxMessage.status, OutboxMessage.next_attempt_at)
# The portal's messages page: a person's messages, newest first.
Index("ix_outbox_messages_person_id", OutboxMessage.person_id, OutboxMessage.id)
