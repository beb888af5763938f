"""Queries on the outbox for the people it writes to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.job import OutboxMessage
from claimdesk.paging import PageRequest, Slice, fetch

# The channels a customer's messages go by (an e-mail or SMS copy is the same message).
CUSTOMER_CHANNELS = ("sms", "app", "email")
# Messages that carry a secret (auth.second_factor's login code): never listed.
SECRET_TEMPLATES = ("portal.login_code",)


def messages_of_person(
    session: Session, person_id: int, request: PageRequest
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
