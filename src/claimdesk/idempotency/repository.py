"""The idempotency keys' queries (GEN-9): the key a caller sent before, read afresh."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.idempotency import IdempotencyKey


def find_key(session: Session, *, owner: str, key: str) -> IdempotencyKey | None:
    """The caller's stored key, re-read from the database (another request may have
    answered it since this session loaded it), or None."""
    return session.scalars(
        select(IdempotencyKey)
        .where(IdempotencyKey.principal == owner, IdempotencyKey.key == key)
        .execution_options(populate_existing=True)
    ).one_or_none()
