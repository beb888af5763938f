"""Reading the audit trail: filtered lists for auditors and a record's timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    entity_type: str | None = None
    entity_id: str | None = None
    actor: str | None = None
    action: str | None = None
    occurred_from: dt.datetime | None = None
    occurred_to: dt.datetime | None = None


_Q = TypeVar("_Q", bound=Select[Any])


def _filtered(query: _Q, flt: AuditFilter) -> _Q:
    if flt.entity_type:
        query = query.where(AuditEntry.entity_type == flt.entity_type)
    if flt.entity_id:
        query = query.where(AuditEntry.entity_id == flt.entity_id)
    if flt.actor:
        query = query.where(AuditEntry.actor == flt.actor)
    if flt.action:
        # "claim." lists a whole domain; a full name matches exactly.
        if flt.action.endswith("."):
            query = query.where(AuditEntry.action.startswith(flt.action, autoescape=True))
        else:
            query = query.where(AuditEntry.action == flt.action)
    if flt.occurred_from:
        query = query.where(AuditEntry.occurred_at >= flt.occurred_from)
    if flt.occurred_to:
        query = query.where(AuditEntry.occurred_at < flt.occurred_to)
    return query


def search(
    session: Session, *, flt: AuditFilter, offset: int = 0, limit: int = 50
) -> tuple[Sequence[AuditEntry], int]:
    """A page of entries (newest first) and the total matching."""
    counted = _filtered(select(func.count()).select_from(AuditEntry), flt)
    total = session.scalar(counted)
    newest_first = _filtered(select(AuditEntry), flt).order_by(AuditEntry.seq.desc())
    items = session.scalars(newest_first.offset(offset).limit(limit)).all()
    return items, int(total or 0)


def timeline(session: Session, *, entity_type: str, entity_id: str | int) -> Sequence[AuditEntry]:
    """Everything recorded about one record, oldest first (a claim's or policy's history)."""
    return session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.seq)
    ).all()


def max_seq(session: Session) -> int:
    """The highest sequence number on the trail, 0 when it is empty (SQLite numbers new
    entries from it under the database's write lock)."""
    return int(session.execute(select(func.coalesce(func.max(AuditEntry.seq), 0))).scalar_one())
