"""Fraud holds (CLM-F1): the suspended claims an investigator works, with each open
flag's reason, who or which rule raised it, and how long the claim has been held. The
investigator's decisions (clear, confirm with the art. 27 outcome) are actions of the
claim page, /claims/{id}; this list only reads (row-filtered like every claim query)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims import repository
from claimdesk.claims.workflow import SUSPENDED
from claimdesk.deps import DB, require
from claimdesk.models.claim import Claim, FraudFlag
from claimdesk.web.kit import common, page

router = APIRouter()
Investigator = Annotated[Principal, Depends(require(Permission.FRAUD_INVESTIGATE))]


@router.get("/admin/fraud-holds")
def fraud_holds(request: Request, db: DB, actor: Investigator) -> Response:
    claims = db.scalars(
        repository.scoped(select(Claim).where(Claim.state == SUSPENDED), actor)
        .order_by(Claim.id)
        .limit(500)
    ).all()
    flags = db.scalars(
        select(FraudFlag)
        .where(FraudFlag.claim_id.in_([c.id for c in claims]))
        .order_by(FraudFlag.flagged_at)
    ).all()
    rows: list[dict[str, Any]] = []
    context = common(request)
    for claim in claims:
        own = [f for f in flags if f.claim_id == claim.id]
        open_flags = [f for f in own if f.status == "open"] or own
        since = min((f.flagged_at for f in open_flags), default=None)
        age_days = (context["now"] - since).days if since else None
        rows.append({"claim": claim, "flags": open_flags, "since": since, "age_days": age_days})
    # The longest-held first: they are the ones most overdue for a decision.
    rows.sort(key=lambda r: -int(r["age_days"] or 0))
    return page(request, "admin/fraud_holds.html", rows=rows, **context)
