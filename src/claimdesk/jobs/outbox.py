"""The notification outbox: messages are written in the business transaction and sent
after it commits, so a rolled-back decision never notifies anyone and a committed one
always does (at least once at the transport, exactly once per business event when the
caller gives a dedupe key)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Required, TypedDict, Unpack

from sqlalchemy import bindparam, case, literal
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.dml import Insert

from claimdesk.errors import ValidationFailed
from claimdesk.jobs import repository
from claimdesk.jobs.queue import backoff, insert_deduped
from claimdesk.jobs.senders import Sender, default_senders
from claimdesk.models.base import utcnow
from claimdesk.models.job import OutboxMessage

log = logging.getLogger("claimdesk.outbox")

CHANNELS = ("sms", "app", "email")
MAX_ATTEMPTS = 8


class UnknownChannel(ValidationFailed):
    code = "unknown_channel"
    message_zh = "{field}：渠道须为 sms、app 或 email"
    message_en = "{field}: channel must be sms, app or email"


class RecipientMissing(ValidationFailed):
    code = "recipient_missing"
    message_zh = "{field}：收件人不能为空"
    message_en = "{field}: a recipient is required"


class Message(TypedDict, total=False):
    """A message to queue: channel, recipient, template and body are required."""

    channel: Required[str]
    recipient: Required[str]
    template: Required[str]
    body: Required[str]
    subject: str | None
    language: str
    person_id: int | None
    dedupe_key: str | None
    related_type: str | None
    related_id: str | int | None


def send_message(session: Session, **message: Unpack[Message]) -> OutboxMessage | None:
    """Queue a message in the caller's transaction; None if ``dedupe_key`` was used before."""
    message_id = queue_message(session, **message)
    return None if message_id is None else session.get(OutboxMessage, message_id)


def queue_message(session: Session, **message: Unpack[Message]) -> int | None:
    """:func:`send_message` for a caller that needs no message back (one statement, no
    read): the new message's id, None if ``dedupe_key`` was used before."""
    statement = insert_deduped(session, OutboxMessage)
    return session.connection().execute(statement, _row(message)).scalar_one_or_none()


def queue_customer_message(
    session: Session,
    *,
    bodies: Mapping[str, str],
    subjects: Mapping[str, str] | None = None,
    **message: Unpack[Message],
) -> int | None:
    """:func:`queue_message` to the customer ``message["person_id"]`` in the language on
    their record (``people.preferred_language``: "en", else zh-CN): ``bodies`` (and
    ``subjects``, if any) hold the text in each ("zh-CN", "en"). The database picks the
    language and its text in the INSERT itself — one statement, no read first (the
    report path, issue 14). Both texts are kept too (``body_zh``/``body_en``,
    ``subject_zh``/``subject_en``): the portal shows the message in the language the
    customer reads when they look, not the one on record when it was written."""
    row = _row({**message, "body": bodies["zh-CN"]})
    reader = row["person_id"]
    if reader is None:
        raise RecipientMissing(field="person_id")
    one = row.pop("subject")  # a subject given in one language only: said in both
    titles: Mapping[str, object] = subjects or {"zh-CN": one, "en": one}
    del row["language"], row["body"]
    row.update(
        reader_id=reader,
        text_zh=bodies["zh-CN"],
        text_en=bodies["en"],
        body_zh=bodies["zh-CN"],
        body_en=bodies["en"],
        title_zh=titles["zh-CN"],
        title_en=titles["en"],
        subject_zh=subjects["zh-CN"] if subjects else None,
        subject_en=subjects["en"] if subjects else None,
    )
    statement = _insert_for_reader(session)
    return session.connection().execute(statement, row).scalar_one_or_none()


def _row(message: Message) -> dict[str, object]:
    channel, recipient = message["channel"], message["recipient"]
    related_id = message.get("related_id")
    if channel not in CHANNELS:
        raise UnknownChannel(field="channel")
    if not recipient or not recipient.strip():
        raise RecipientMissing(field="recipient")
    now = utcnow()
    return {
        "channel": channel,
        "recipient": recipient.strip(),
        "person_id": message.get("person_id"),
        "template": message["template"],
        "language": message.get("language", "zh-CN"),
        "subject": message.get("subject"),
        "body": message["body"],
        "dedupe_key": message.get("dedupe_key"),
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "related_type": message.get("related_type"),
        "related_id": None if related_id is None else str(related_id),
        "created_at": now,
    }


# Per dialect: the deduplicated outbox INSERT whose language and body follow the reader.
_FOR_READER: dict[str, Insert] = {}


def _insert_for_reader(session: Session) -> Insert:
    dialect = session.get_bind().dialect.name
    found = _FOR_READER.get(dialect)
    if found is None:
        chosen = repository.reader_language(parameter="reader_id")
        english = chosen == literal("en")
        found = insert_deduped(session, OutboxMessage).values(
            language=case((english, literal("en")), else_=literal("zh-CN")),
            body=case((english, bindparam("text_en")), else_=bindparam("text_zh")),
            subject=case((english, bindparam("title_en")), else_=bindparam("title_zh")),
        )
        _FOR_READER[dialect] = found
    return found


def deliver_pending(
    factory: sessionmaker[Session],
    *,
    limit: int = 100,
    senders: Mapping[str, Sender] | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Send up to ``limit`` due messages; returns how many were sent.

    One message per transaction, its row locked while it is sent: a second worker skips
    it, and it is marked sent in the same commit.
    """
    senders = senders or default_senders()
    sent = 0
    for _ in range(limit):
        moment = now or utcnow()
        with factory() as session, session.begin():
            message = repository.next_due_message(session, now=moment)
            if message is None:
                break
            message.attempts += 1
            try:
                senders[message.channel].send(message)
            except Exception as error:
                message.last_error = f"{type(error).__name__}: {error}"[:4000]
                message.next_attempt_at = moment + backoff(message.attempts)
                if message.attempts >= MAX_ATTEMPTS:
                    message.status = "failed"
                log.warning(
                    "outbox message %s not sent (attempt %d): %s",
                    message.id,
                    message.attempts,
                    error,
                )
                continue
            message.status = "sent"
            message.sent_at = utcnow()
            message.last_error = None
            sent += 1
    return sent
