"""Pydantic models for the audit API."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel

from claimdesk.models.audit import AuditEntry


class AuditEntryOut(BaseModel):
    seq: int
    occurred_at: dt.datetime
    actor_id: int | None
    actor: str
    action: str
    entity_type: str
    entity_id: str | None
    ip: str | None
    reason: str | None
    details: dict[str, Any]
    hash: str

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(
            seq=entry.seq,
            occurred_at=entry.occurred_at,
            actor_id=entry.actor_id,
            actor=entry.actor,
            action=entry.action,
            entity_type=entry.entity_type,
            entity_id=entry.entity_id,
            ip=entry.ip,
            reason=entry.reason,
            details=json.loads(entry.details or "{}"),
            hash=entry.hash,
        )


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    total: int
    page: int
    page_size: int


class VerifyOut(BaseModel):
    ok: bool
    entries_checked: int
    first_broken_seq: int | None
    reason: str | None
