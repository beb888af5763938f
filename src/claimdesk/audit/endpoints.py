"""Audit API for compliance auditors and administrators (GEN-5)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from claimdesk.audit.schemas import AuditEntryOut, AuditPage, VerifyOut
from claimdesk.audit.service import search_entries, verify_chain
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.deps import DB, require

router = APIRouter(prefix="/audit", tags=["audit"])

# Route permission (SEC-4) as a type alias, so mypy sees a Principal.
NeedsAuditRead = Annotated[Principal, Depends(require(Permission.AUDIT_READ))]


@router.get("", response_model=AuditPage)
def list_entries(
    db: DB,
    principal: NeedsAuditRead,
    entity_type: Annotated[str | None, Query(max_length=40)] = None,
    entity_id: Annotated[str | None, Query(max_length=64)] = None,
    actor: Annotated[str | None, Query(max_length=100)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    occurred_from: Annotated[dt.datetime | None, Query(alias="from")] = None,
    occurred_to: Annotated[dt.datetime | None, Query(alias="to")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AuditPage:
    items, total = search_entries(
        db,
        entity_type=entity_type,
        entity_id=entity_id,
        actor=actor,
        action=action,
        occurred_from=_aware(occurred_from),
        occurred_to=_aware(occurred_to),
        offset=(page - 1) * page_size,
        limit=page_size,
    )
    return AuditPage(
        items=[AuditEntryOut.of(e) for e in items], total=total, page=page, page_size=page_size
    )


@router.get("/verify", response_model=VerifyOut)
def verify(db: DB, principal: NeedsAuditRead) -> VerifyOut:
    result = verify_chain(db)
    return VerifyOut(
        ok=result.ok,
        entries_checked=result.entries_checked,
        first_broken_seq=result.first_broken_seq,
        reason=result.reason,
    )


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # A bare timestamp in a query is read as Beijing time, as users see it (GEN-2).
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
