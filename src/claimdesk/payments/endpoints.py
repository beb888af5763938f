"""Payment batches API (CLM-P3): export to the bank and the bank's confirmation. The
claim's own review, payment and closing routes live in claims.settlement.endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.deps import DB, require
from claimdesk.models.payment import PaymentBatch
from claimdesk.payments import service
from claimdesk.payments.schemas import (
    AnswerConflictOut,
    BatchIn,
    BatchOut,
    ConfirmationIn,
    ConfirmationOut,
    LineOutcomeOut,
)

payments_router = APIRouter(prefix="/payments", tags=["payments"])
Payer = Annotated[Principal, Depends(require(Permission.CLAIMS_PAY))]


def _batch_out(db: Session, batch: PaymentBatch, held: list[int] | None = None) -> BatchOut:
    out = BatchOut.model_validate(batch)
    out.held_payment_ids = held or []
    out.conflicts = [
        AnswerConflictOut.model_validate(c) for c in service.answer_conflicts(db, batch_id=batch.id)
    ]
    return out


@payments_router.post("/batches", status_code=201, response_model=BatchOut)
def export_batch(body: BatchIn, db: DB, principal: Payer) -> BatchOut:
    batch, held = service.export_batch(db, actor=principal, payment_ids=body.payment_ids)
    return _batch_out(db, batch, held)


@payments_router.get("/batches/{batch_id}", response_model=BatchOut)
def read_batch(batch_id: int, db: DB, principal: Payer) -> BatchOut:
    return _batch_out(db, service.get_batch(db, batch_id=batch_id))


@payments_router.post("/batches/{batch_id}/confirmation", response_model=ConfirmationOut)
def confirm_batch(batch_id: int, body: ConfirmationIn, db: DB, principal: Payer) -> ConfirmationOut:
    """The bank's answer (CSV or lines) and what each line did: a line answered paid
    again with another voucher is a ``conflict`` (the payment unchanged, the conflict
    kept in the batch's ``conflicts``), never silently dropped (CLM-P3, CLM-P5)."""
    lines = service.confirmation_lines(csv_text=body.csv, lines=body.lines)
    done = service.confirm_batch(db, actor=principal, batch_id=batch_id, lines=lines)
    out = ConfirmationOut.model_validate(_batch_out(db, done.batch).model_dump())
    out.lines = [LineOutcomeOut.model_validate(x) for x in done.lines]
    return out
