"""The network around a claim for fraud investigators (CLM-F3): the JSON of
GET /api/v1/claims/{id}/network as tables — what links this claim to others. Reads only;
the read is audited by the checks service (GEN-5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.checks import service
from claimdesk.claims.read import claim_for
from claimdesk.deps import DB, require
from claimdesk.web.kit import common, page

router = APIRouter()
Investigator = Annotated[Principal, Depends(require(Permission.FRAUD_INVESTIGATE))]

# What links two nodes (checks.network's edge kinds), in words (msgids; zh-CN in
# admin.po): the page showed "insured", "bank_account", "treated_at" to investigators.
LINK_KINDS = {
    "insured": "Insured",
    "phone": "Phone",
    "bank_account": "Bank account",
    "receipt": "Receipt",
    "treated_at": "Treated at",
}


@router.get("/admin/claims/{claim_id}/network")
def claim_network(claim_id: int, request: Request, db: DB, actor: Investigator) -> Response:
    claim = claim_for(db, actor, claim_id)
    found = service.read_network(db, actor=actor, claim=claim)
    labels = {node.id: node.label for node in found.nodes}
    return page(
        request,
        "admin/claim_network.html",
        claim=claim,
        net=found,
        labels=labels,
        link_kinds=LINK_KINDS,
        # A claim of the network opens its page (the investigator's next step).
        claim_ids={
            node.id: node.id.split(":", 1)[1] for node in found.nodes if node.kind == "claim"
        },
        **common(request),
    )
