"""How an outbox message leaves the building, one sender per channel (pluggable)."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Protocol

from claimdesk.config import Settings, get_settings
from claimdesk.models.job import OutboxMessage

log = logging.getLogger("claimdesk.outbox")


class Sender(Protocol):
    def send(self, message: OutboxMessage) -> None:
        """Deliver or raise; a raise makes the outbox retry later."""


def mask_recipient(recipient: str) -> str:
    """Phone numbers and addresses are personal data: logs show only enough to tell
    messages apart (138****5678, z***@example.com)."""
    if "@" in recipient:
        local, _, domain = recipient.partition("@")
        return f"{local[:1]}***@{domain}"
    if len(recipient) > 7:
        return f"{recipient[:3]}****{recipient[-4:]}"
    return "****"


class LogSender:
    """SMS and app push until a gateway is configured: the outbox row is the record of
    what was sent; the log line says it left."""

    def send(self, message: OutboxMessage) -> None:
        log.info(
            "outbox message %s sent via %s to %s (template %s, %s, %d chars)",
            message.id,
            message.channel,
            mask_recipient(message.recipient),
            message.template,
            message.language,
            len(message.body),
        )


class SmtpSender:
    def __init__(self, host: str, port: int, sender: str, *, timeout: float = 10.0) -> None:
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def send(self, message: OutboxMessage) -> None:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.recipient
        email["Subject"] = message.subject or message.template
        email["Message-ID"] = f"<outbox-{message.id}@claimdesk>"
        email.set_content(message.body, charset="utf-8")
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(email)
        log.info("outbox message %s mailed to %s", message.id, mask_recipient(message.recipient))


def default_senders(settings: Settings | None = None) -> dict[str, Sender]:
    settings = settings or get_settings()
    logger = LogSender()
    email: Sender = logger
    if settings.smtp_host:
        email = SmtpSender(settings.smtp_host, settings.smtp_port, settings.smtp_sender)
    return {"sms": logger, "app": logger, "email": email}
