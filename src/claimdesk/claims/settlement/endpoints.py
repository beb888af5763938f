"""The claim's review, payment, closing and recovery API (CLM-V1..V4, CLM-P1..P5,
CLM-X1..X3): thin handlers over claims.settlement (review, closing, recoveries) and
payments.service. Every claim is loaded through the row-filtered repository and locked
(FOR UPDATE) before any write. Payment batches, which are not one claim's, stay in
payments.endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Header, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims.config import rules
from claimdesk.claims.read import claim_for
from claimdesk.claims.settlement import closing, recoveries, review
from claimdesk.claims.settlement import read as settlement_read
from claimdesk.claims.settlement.decision_notices import (
    conclude_approved,
    ensure_pdf,
    notice_of,
)
from claimdesk.claims.settlement.errors import IdempotencyKeyRequired
from claimdesk.claims.settlement.reserves import reserves_of
from claimdesk.deps import DB, require
from claimdesk.errors import NotFound
from claimdesk.payments import service
from claimdesk.payments.schemas import (
    ArchiveOut,
    ArchiveRecordOut,
    AuthorisationIn,
    AuthorisationOut,
    CallbackIn,
    CallbackOut,
    DecisionBody,
    DelayNoticeIn,
    FinancialsOut,
    OfflineCancelIn,
    PaymentIn,
    PaymentOut,
    RecoveryIn,
    RecoveryOut,
    ReviewOut,
    SubmitIn,
)

router = APIRouter(prefix="/claims", tags=["claims: review and payment"])

Reader = Annotated[Principal, Depends(require(Permission.CLAIMS_READ))]
Adjuster = Annotated[Principal, Depends(require(Permission.CLAIMS_ADJUST))]
Reviewer = Annotated[Principal, Depends(require(Permission.CLAIMS_REVIEW))]
Payer = Annotated[Principal, Depends(require(Permission.CLAIMS_PAY))]
Caller = Annotated[Principal, Depends(require(Permission.CLAIMS_CALLBACK))]
Recoverer = Annotated[Principal, Depends(require(Permission.CLAIMS_RECOVERY))]
# Reserves are internal (SEC-4): customers and the service desk read claims, not these.
FinanceReader = Annotated[Principal, Depends(require(Permission.CLAIMS_FINANCIALS))]


# -- review (CLM-V1..V4) -----------------------------------------------------------------


@router.get("/{claim_id}/review", response_model=ReviewOut)
def read_review(claim_id: int, db: DB, principal: Reader) -> ReviewOut:
    claim = claim_for(db, principal, claim_id)
    return settlement_read.review_out(db, claim.id)


@router.post("/{claim_id}/review/submit", response_model=ReviewOut)
def submit_review(claim_id: int, body: SubmitIn, db: DB, principal: Adjuster) -> ReviewOut:
    claim = claim_for(db, principal, claim_id, for_update=True)
    review.submit(db, actor=principal, claim=claim, reason=body.reason)
    return settlement_read.review_out(db, claim.id)


@router.post("/{claim_id}/review/decisions", response_model=ReviewOut)
def decide(claim_id: int, body: DecisionBody, db: DB, principal: Reviewer) -> ReviewOut:
    claim = claim_for(db, principal, claim_id, for_update=True)
    review.decide(
        db,
        actor=principal,
        claim=claim,
        data=review.DecisionIn(**body.model_dump()),
    )
    return settlement_read.review_out(db, claim.id)


@router.get("/{claim_id}/rejection-notice.pdf", response_class=Response)
def rejection_notice(claim_id: int, db: DB, principal: Reader) -> Response:
    claim = claim_for(db, principal, claim_id)
    notice = review.notice_of(db, claim.id)
    if notice is None:
        raise NotFound(what="rejection notice", field="claim_id")
    record(
        db,
        actor=principal,
        action="claim.rejection_notice_read",
        entity_type="claim",
        entity_id=claim.id,
        details={"notice_id": notice.id},
    )
    return Response(notice.pdf, media_type="application/pdf")


@router.get("/{claim_id}/decision-notice.pdf", response_class=Response)
def decision_notice(claim_id: int, db: DB, principal: Reader) -> Response:
    """CLM-V3: the written decision of an approval that left nothing to pay."""
    claim = claim_for(db, principal, claim_id)
    notice = notice_of(db, claim.id)
    if notice is None:
        raise NotFound(what="decision notice", field="claim_id")
    record(
        db,
        actor=principal,
        action="claim.decision_notice_read",
        entity_type="claim",
        entity_id=claim.id,
        details={"notice_id": notice.id},
    )
    return Response(ensure_pdf(db, notice, actor=principal), media_type="application/pdf")


@router.post("/{claim_id}/conclude-without-payment", response_model=ReviewOut)
def conclude_without_payment(claim_id: int, db: DB, principal: Reviewer) -> ReviewOut:
    """CLM-V3: an approved claim with nothing (more) to pay gets its decision notice and
    callback (claims approved before the rule were left waiting for a zero payment)."""
    claim = claim_for(db, principal, claim_id, for_update=True)
    conclude_approved(db, actor=principal, claim=claim)
    return settlement_read.review_out(db, claim.id)


# -- payment (CLM-P1..P5) ----------------------------------------------------------------


@router.post("/{claim_id}/payee-authorisations", status_code=201, response_model=AuthorisationOut)
def add_authorisation(
    claim_id: int, body: AuthorisationIn, db: DB, principal: Payer
) -> AuthorisationOut:
    claim = claim_for(db, principal, claim_id, for_update=True)
    stored = service.record_authorisation(
        db,
        actor=principal,
        claim=claim,
        payee_person_id=body.payee_person_id,
        kind=body.kind,
        file_id=body.file_id,
    )
    return AuthorisationOut.model_validate(stored)


@router.post("/{claim_id}/payments", status_code=201, response_model=PaymentOut)
def request_payment(
    claim_id: int,
    body: PaymentIn,
    db: DB,
    principal: Payer,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> PaymentOut:
    """Retries and double submits return the same payment (200); a new one is 201."""
    key = (idempotency_key or "").strip()
    if not 8 <= len(key) <= 100:
        raise IdempotencyKeyRequired(field="Idempotency-Key")
    claim = claim_for(db, principal, claim_id, for_update=True)
    payment, created = service.request_payment(
        db,
        actor=principal,
        claim=claim,
        key=key,
        data=service.PaymentRequest(**body.model_dump()),
    )
    if not created:
        response.status_code = 200
    return settlement_read.payment_out(payment)


@router.post("/{claim_id}/payments/{payment_id}/offline-confirmation", response_model=PaymentOut)
def confirm_offline_payment(
    claim_id: int,
    payment_id: int,
    db: DB,
    principal: Payer,
    payee_document_number: Annotated[str, Form(min_length=1, max_length=40)],
    file: Annotated[UploadFile, File(description="the payee's signed confirmation")],
) -> PaymentOut:
    """CLM-P3: a cash/offline payment handed over — the number read from the payee's own
    ID document (checked against the payee on record; only its last 4 characters are
    kept) and the payee's signed confirmation (PDF or image, stored with the claim's
    files and kept with the payment). A payment already paid is answered as it is and
    nothing is stored twice (CLM-P5)."""
    claim = claim_for(db, principal, claim_id, for_update=True)
    # Read one byte past the limit: enough to refuse, never the whole of a huge upload.
    content = file.file.read(rules().upload_max_bytes + 1)
    payment, _recorded = service.hand_over(
        db,
        actor=principal,
        claim=claim,
        payment_id=payment_id,
        document_number=payee_document_number,
        filename=file.filename or "upload",
        content=content,
    )
    return settlement_read.payment_out(payment)


@router.post("/{claim_id}/payments/{payment_id}/offline-cancellation", response_model=PaymentOut)
def cancel_offline_payment(
    claim_id: int, payment_id: int, body: OfflineCancelIn, db: DB, principal: Payer
) -> PaymentOut:
    """CLM-P3: a cash/offline payment whose hand-over did not happen is cancelled with the
    reason (audited); the claim then takes a new payment request. A payment already
    paid is refused (409); one already cancelled is answered as it is (CLM-P5)."""
    claim = claim_for(db, principal, claim_id, for_update=True)
    payment, _cancelled = service.cancel_offline(
        db,
        actor=principal,
        claim=claim,
        payment_id=payment_id,
        reason=body.reason,
        reason_code=body.reason_code,
    )
    return settlement_read.payment_out(payment)


@router.get("/{claim_id}/payments", response_model=list[PaymentOut])
def list_payments(claim_id: int, db: DB, principal: Reader) -> list[PaymentOut]:
    claim = claim_for(db, principal, claim_id)
    return settlement_read.payments_out(db, claim.id)


@router.post("/{claim_id}/payment-delay-notice", status_code=204)
def delay_notice(claim_id: int, body: DelayNoticeIn, db: DB, principal: Payer) -> Response:
    claim = claim_for(db, principal, claim_id, for_update=True)
    service.delay_notice(
        db,
        actor=principal,
        claim=claim,
        reason_code=body.reason_code,
        reason=body.reason,
        expected=body.expected_arrival,
        customer_note=body.customer_note,
    )
    return Response(status_code=204)


# -- closing (CLM-X1, CLM-X2) ------------------------------------------------------------


def _archive(db: Session, claim_id: int, number: str) -> ArchiveOut:
    return ArchiveOut(
        claim_number=number,
        records=[ArchiveRecordOut.model_validate(r) for r in closing.archive_of(db, claim_id)],
    )


@router.post("/{claim_id}/close", response_model=ArchiveOut)
def close_claim(claim_id: int, body: SubmitIn, db: DB, principal: Reviewer) -> ArchiveOut:
    claim = claim_for(db, principal, claim_id, for_update=True)
    closing.close(db, actor=principal, claim=claim, reason=body.reason)
    return _archive(db, claim.id, claim.number)


@router.post("/{claim_id}/reopen", status_code=204)
def reopen_claim(claim_id: int, body: SubmitIn, db: DB, principal: Reviewer) -> Response:
    claim = claim_for(db, principal, claim_id, for_update=True)
    closing.reopen(db, actor=principal, claim=claim, reason=body.reason)
    return Response(status_code=204)


@router.get("/{claim_id}/archive", response_model=ArchiveOut)
def read_archive(claim_id: int, db: DB, principal: Reader) -> ArchiveOut:
    claim = claim_for(db, principal, claim_id)
    return _archive(db, claim.id, claim.number)


@router.get("/{claim_id}/callbacks", response_model=list[CallbackOut])
def list_callbacks(claim_id: int, db: DB, principal: Reader) -> list[CallbackOut]:
    claim = claim_for(db, principal, claim_id)
    return settlement_read.callbacks_out(db, claim.id, principal.language)


@router.post("/{claim_id}/callbacks/{callback_id}/complete", response_model=CallbackOut)
def complete_callback(
    claim_id: int, callback_id: int, body: CallbackIn, db: DB, principal: Caller
) -> CallbackOut:
    claim = claim_for(db, principal, claim_id, for_update=True)
    done = closing.complete_callback(
        db,
        actor=principal,
        claim=claim,
        callback_id=callback_id,
        data=closing.CallbackResult.of(body),
    )
    return settlement_read.callback_out(db, done, principal.language)


# -- recoveries and financials (FIN-1, FIN-2) --------------------------------------------


@router.post("/{claim_id}/recoveries", status_code=201, response_model=RecoveryOut)
def add_recovery(claim_id: int, body: RecoveryIn, db: DB, principal: Recoverer) -> RecoveryOut:
    claim = claim_for(db, principal, claim_id, for_update=True)
    stored = recoveries.record_recovery(db, actor=principal, claim=claim, **body.model_dump())
    return RecoveryOut.model_validate(stored)


@router.get("/{claim_id}/financials", response_model=FinancialsOut)
def financials(claim_id: int, db: DB, principal: FinanceReader) -> FinancialsOut:
    claim = claim_for(db, principal, claim_id)
    figures = recoveries.net_cost(db, claim.id)
    return FinancialsOut(
        claim_id=claim.id,
        payable_total=claim.payable_total,
        paid=figures["paid"],
        recovered=figures["recovered"],
        net_cost=figures["net"],
        reserves={r.coverage_code: r.amount for r in reserves_of(db, claim.id)},
        payments=settlement_read.payments_out(db, claim.id),
        recoveries=[RecoveryOut.model_validate(r) for r in recoveries.recoveries_of(db, claim.id)],
    )
