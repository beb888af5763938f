"""Bills API (CLM-T1): POST/GET /api/v1/claims/{id}/bills and the assessment made from
them. Every claim is loaded through the row-filtered claims repository: a customer
reaches only their own claims (SEC-4), and a customer's token has passed the second
factor (SEC-9, enforced where the token is resolved)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from claimdesk.audit.service import record
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.bills import service
from claimdesk.bills.schemas import (
    AssessedLineOut,
    BillIn,
    BillLineOut,
    BillOut,
    FromBillsIn,
    FromBillsOut,
)
from claimdesk.claims.read import claim_for
from claimdesk.deps import DB, require
from claimdesk.models.bill import Bill

router = APIRouter(prefix="/claims", tags=["bills"])

Submitter = Annotated[Principal, Depends(require(Permission.CLAIMS_BILLS))]
Reader = Annotated[Principal, Depends(require(Permission.CLAIMS_READ))]
Assessor = Annotated[Principal, Depends(require(Permission.CLAIMS_ASSESS))]


async def raw_body(request: Request) -> str:
    """The request body as sent (FastAPI has already read and cached it), kept as the
    original of the bill (CLM-T1)."""
    return (await request.body()).decode("utf-8", errors="replace")


Original = Annotated[str, Depends(raw_body)]


def bill_out(bill: Bill) -> BillOut:
    return BillOut(
        id=bill.id,
        claim_id=bill.claim_id,
        receipt_code=bill.receipt_code,
        receipt_number=bill.receipt_number,
        issuer_name=bill.issuer_name,
        issuer_credit_code=bill.issuer_credit_code,
        issue_date=bill.issue_date,
        total=bill.total,
        settled=bill.settled,
        setl_id=bill.setl_id,
        fund_pay_sumamt=bill.fund_pay_sumamt,
        acct_pay=bill.acct_pay,
        dise_codg=bill.dise_codg,
        dise_name=bill.dise_name,
        med_type=bill.med_type,
        source=bill.source,
        auth_method=bill.auth_method,
        submitted_at=bill.submitted_at,
        lines=[
            BillLineOut(
                position=line.position,
                code=line.item_code,
                name=line.name,
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
                catalog=line.catalog,
                self_pay_ratio=line.self_pay_ratio,
                category=line.category,
            )
            for line in bill.lines
        ],
    )


@router.post("/{claim_id}/bills", status_code=201, response_model=BillOut)
def submit_bill(
    claim_id: int, body: BillIn, original: Original, db: DB, principal: Submitter
) -> BillOut:
    claim = claim_for(db, principal, claim_id, for_update=True)
    bill = service.submit_bill(db, actor=principal, claim=claim, data=body, original=original)
    return bill_out(bill)


@router.get("/{claim_id}/bills", response_model=list[BillOut])
def list_bills(claim_id: int, db: DB, principal: Reader) -> list[BillOut]:
    claim = claim_for(db, principal, claim_id)
    # Receipt lines are medical details: every read is on the trail (GEN-5).
    record(db, actor=principal, action="claim.bills_read", entity_type="claim", entity_id=claim.id)
    return [bill_out(b) for b in service.bills_of(db, claim_id=claim.id)]


@router.post("/{claim_id}/assessment/from-bills", response_model=FromBillsOut)
def assess_from_bills(
    claim_id: int, body: FromBillsIn, db: DB, principal: Assessor
) -> FromBillsOut:
    claim = claim_for(db, principal, claim_id, for_update=True)
    assessment, payload, expenses = service.assess_from_bills(
        db, actor=principal, claim=claim, data=body
    )
    return FromBillsOut(
        claim_id=claim.id,
        state=claim.state,
        assessment_id=assessment.id,
        coverage_code=payload.coverage_code,
        bill_ids=list(expenses.bill_ids),
        settled_with_social_insurance=payload.settled_with_social_insurance,
        social_insurance_paid=payload.social_insurance_paid,
        other_compensation=payload.other_compensation,
        lines=[
            AssessedLineOut.model_validate(
                line.model_dump(exclude={"amount"}) | {"amount": line.amount}
            )
            for line in payload.lines
        ],
    )
