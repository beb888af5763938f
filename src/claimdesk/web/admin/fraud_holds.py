"""Fraud holds (CLM-F1): the suspended claims an investigator works, with each open
flag's reason, who or which rule raised it, and how long the claim has been held. The
investigator's decisions (clear, confirm with the art. 27 outcome) are actions of the
claim page, /claims/{id}; this list only reads (row-filtered like every claim query)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims.fraud import repository
from claimdesk.deps import DB, require
from claimdesk.paging import Paging
from claimdesk.web.kit import common, page, pager

router = APIRouter()
Investigator = Annotated[Principal, Depends(require(Permission.FRAUD_INVESTIGATE))]


@router.get("/admin/fraud-holds")
def fraud_holds(request: Request, db: DB, actor: Investigator, paging: Paging) -> Response:
    # The longest-held first (the repository orders them): the most overdue for a decision.
    held = repository.held_claims(db, actor, paging)
    flags = repository.flags_of_claims(db, [c.id for c in held.rows])
    rows: list[dict[str, Any]] = []
    context = common(request)
    for claim in held.rows:
        own = [f for f in flags if f.claim_id == claim.id]
        open_flags = [f for f in own if f.status == "open"] or own
        since = min((f.flagged_at for f in open_flags), default=None)
        age_days = (context["now"] - since).days if since else None
        rows.append({"claim": claim, "flags": open_flags, "since": since, "age_days": age_days})
    shown = pager(request, held.page_of(held.rows))
    return page(
        request,
        "admin/fraud_holds.html",
        rows=rows,
        pager=shown if shown.needed else None,
        **context,
    )
