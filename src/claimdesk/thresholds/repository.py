"""Threshold version rows."""

from __future__ import annotations

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.orm import Session

from claimdesk.models.threshold import ClaimThresholdVersion


def latest_id_column() -> ScalarSelect[int | None]:
    """The newest version's id as a scalar subquery (the cache's whole check), for a
    caller reading several cache keys in one statement."""
    return select(func.max(ClaimThresholdVersion.id)).scalar_subquery()


_LATEST_ID = select(latest_id_column())


def latest_id(session: Session) -> int | None:
    """The newest version's id: a primary-key max, the cache's whole check."""
    return session.scalar(_LATEST_ID)


def all_versions(session: Session) -> list[ClaimThresholdVersion]:
    query = select(ClaimThresholdVersion).order_by(
        ClaimThresholdVersion.effective_from, ClaimThresholdVersion.id
    )
    return list(session.scalars(query))


def add(session: Session, *, version: ClaimThresholdVersion) -> ClaimThresholdVersion:
    session.add(version)
    session.flush()
    return version
