"""The staff page of a claim's e-bills (CLM-T1): the receipts with their lines as the
assessment reads them, and — for the handler and the assessor — the upload of a receipt
and its settlement statement as JSON files (docs/bills.md), e.g. received from a
hospital. Same bills service and checks as the API; refusals beside the file, in words.
Reading the lines is audited like the API's ``GET …/bills`` (GEN-5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.bills.service import bills_of, takes_bills
from claimdesk.claims.read import claim_for
from claimdesk.deps import DB, require
from claimdesk.web import bill_forms
from claimdesk.web.kit import Refusal, SubmittedForm, answer, form_context, render

router = APIRouter()
Reader = Annotated[Principal, Depends(require(Permission.CLAIMS_READ))]
Submitter = Annotated[Principal, Depends(require(Permission.CLAIMS_BILLS))]
# 甲/乙/丙 as the assessment's catalogue classes (msgids).


def _page(
    request: Request,
    db: Session,
    principal: Principal,
    claim_id: int,
    *,
    refusal: Refusal | None = None,
) -> Response:
    if principal.is_customer:
        return RedirectResponse(f"/portal/claims/{claim_id}/bills", status_code=303)
    claim = claim_for(db, principal, claim_id)
    # Receipt lines are medical details: every read is on the trail (GEN-5).
    record(
        db,
        actor=principal,
        action="claim.bills_read",
        entity_type="claim",
        entity_id=claim.id,
        details={"via": "page"},
    )
    return render(
        request,
        "claims/bills.html",
        **form_context(refusal),
        claim=claim,
        bills=bills_of(db, claim_id=claim.id),
        open_for_bills=takes_bills(claim=claim),
        may_submit=principal.has(Permission.CLAIMS_BILLS),
        file_words=bill_forms.FILE_WORDS,
        saved=request.query_params.get("saved") == "1",
    )


@router.get("/claims/{claim_id}/bills")
def bills_page(claim_id: int, request: Request, db: DB, principal: Reader) -> Response:
    return _page(request, db, principal, claim_id)


@router.post("/claims/{claim_id}/bills")
def submit_bill(
    claim_id: int, request: Request, form: SubmittedForm, db: DB, principal: Submitter
) -> Response:
    return answer(
        bill_forms.submit(request, db, principal, claim_id, form),
        refused=lambda refusal: _page(request, db, principal, claim_id, refusal=refusal),
        redirect=f"/claims/{claim_id}/bills?saved=1",
    )
