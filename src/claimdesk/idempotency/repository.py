"""The idempotency keys' queries (GEN-9): the key a caller sent before, read afresh."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
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


def delete_created_before(session: Session, *, before: dt.datetime) -> int:
    """Delete the keys created before ``before``; returns how many."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def delete_key(session: Session, *, key_id: int) -> None:
    """Delete one key row (its request's work was not kept)."""
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == key_id))
