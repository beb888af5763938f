"""The customer uploads the e-bill of their own claim from the portal (CLM-T1): the
e-receipt and the settlement statement as JSON files (docs/bills.md), checked by the same
bills service as the API; a refusal is said beside the file, in words. Built for a phone
(375 px): one column, two file fields, one button."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.bills.service import bills_of, takes_bills
from claimdesk.claims.read import claim_for
from claimdesk.deps import DB, require
from claimdesk.web import bill_forms
from claimdesk.web.kit import Refusal, SubmittedForm, answer, form_context, render

# The language switch records the customer's choice only when posted (portal/language.py).
router = APIRouter(prefix="/portal")
Customer = Annotated[Principal, Depends(require(Permission.CLAIMS_READ))]
Submitter = Annotated[Principal, Depends(require(Permission.CLAIMS_BILLS))]


def _page(
    request: Request,
    db: DB,
    principal: Principal,
    claim_id: int,
    *,
    refusal: Refusal | None = None,
) -> Response:
    claim = claim_for(db, principal, claim_id)
    return render(
        request,
        "portal/bills.html",
        **form_context(refusal),
        claim=claim,
        bills=bills_of(db, claim_id=claim.id),
        open_for_bills=takes_bills(claim=claim),
        may_submit=principal.has(Permission.CLAIMS_BILLS),
        file_words=bill_forms.FILE_WORDS,
    )


@router.get("/claims/{claim_id}/bills")
def bills_page(claim_id: int, request: Request, db: DB, principal: Customer) -> Response:
    return _page(request, db, principal, claim_id)


@router.post("/claims/{claim_id}/bills")
def submit_bill(
    claim_id: int, request: Request, form: SubmittedForm, db: DB, principal: Submitter
) -> Response:
    return answer(
        bill_forms.submit(request, db, principal, claim_id, form),
        refused=lambda refusal: _page(request, db, principal, claim_id, refusal=refusal),
        redirect=f"/portal/claims/{claim_id}?bill=1",
    )
