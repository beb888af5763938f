"""Queries of a claim's notes, filtered by who may see which visibility (SEC-4)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.note import ClaimNote


def notes_of(session: Session, *, claim_id: int, visibilities: Collection[str]) -> list[ClaimNote]:
    """The claim's notes of those visibilities, oldest first."""
    if not visibilities:
        return []
    return list(
        session.scalars(
            select(ClaimNote)
            .where(ClaimNote.claim_id == claim_id, ClaimNote.visibility.in_(list(visibilities)))
            .order_by(ClaimNote.id)
        )
    )
