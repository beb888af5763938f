"""Payment batches API (CLM-P3): export to the bank and the bank's confirmation. The
claim's own review, payment and closing routes live in claims.settlement.endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.deps import DB, require
from claimdesk.models.payment import PaymentBatch
from claimdesk.payments import service
from claimdesk.payments.schemas import (
    BatchIn,
    BatchOut,
    ConfirmationIn,
)

payments_router = APIRouter(prefix="/payments", tags=["payments"])
Payer = Annotated[Principal, Depends(require(Permission.CLAIMS_PAY))]


def _batch_out(batch: PaymentBatch, held: list[int] | None = None) -> BatchOut:
    out = BatchOut.model_validate(batch)
    out.held_payment_ids = held or []
    return out


@payments_router.post("/batches", status_code=201, response_model=BatchOut)
def export_batch(body: BatchIn, db: DB, principal: Payer) -> BatchOut:
    batch, held = service.export_batch(db, actor=principal, payment_ids=body.payment_ids)
    return _batch_out(batch, held)


@payments_router.get("/batches/{batch_id}", response_model=BatchOut)
def read_batch(batch_id: int, db: DB, principal: Payer) -> BatchOut:
    return _batch_out(service.get_batch(db, batch_id))


@payments_router.post("/batches/{batch_id}/confirmation", response_model=BatchOut)
def confirm_batch(batch_id: int, body: ConfirmationIn, db: DB, principal: Payer) -> BatchOut:
    if body.csv is not None:
        lines = service.parse_confirmation_csv(body.csv)
    else:
        lines = [service.ConfirmationLine(**line.model_dump()) for line in body.lines or []]
    batch = service.confirm_batch(db, actor=principal, batch_id=batch_id, lines=lines)
    return _batch_out(batch)
