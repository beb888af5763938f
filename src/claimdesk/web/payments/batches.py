"""Bank batches for the payment officer (CLM-P3, CLM-P5): the batches, the latest first;
exporting the waiting transfers to a new bank file; a batch's lines with the bank's
answers; uploading the bank's answer file and reading what each line did — paid, failed,
unchanged (answered alike before) or a conflict (answered paid again with another
voucher: the payment unchanged, the conflict kept and shown here). Through the same
payments service and in-schemas as the API (/api/v1/payments/batches); the bank file
itself goes to the bank's pick-up folder (docs/operations.md), never to the browser."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims.settlement.errors import ConfirmationFileUnreadable
from claimdesk.deps import DB, require
from claimdesk.paging import PageRequest, Paging
from claimdesk.payments import service
from claimdesk.payments.schemas import BatchIn, ConfirmationIn
from claimdesk.web.kit import (
    Refusal,
    attempt,
    checked,
    common,
    form_action,
    form_context,
    page,
    shown_pager,
)

router = APIRouter()
Payer = Annotated[Principal, Depends(require(Permission.CLAIMS_PAY))]

# The answer file as the API takes it (ConfirmationIn.csv): read one byte past the limit.
MAX_FILE_BYTES = 5_000_000


def _list(
    request: Request,
    db: Session,
    *,
    paging: PageRequest,
    refusal: Refusal | None = None,
    action: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    found = service.batches(db, request=paging)
    return page(
        request,
        "payments/batches.html",
        **form_context(refusal, action=action, values=values),
        batches=found.rows,
        pager=shown_pager(request, found.page_of(found.rows)),
        waiting=service.waiting_transfers(db),
        **common(request),
    )


@router.get("/payments/batches")
def batch_list(request: Request, db: DB, actor: Payer, paging: Paging) -> Response:
    return _list(request, db, paging=paging)


@router.post("/payments/batches")
def export_batch(request: Request, db: DB, actor: Payer) -> Response:
    """Every waiting transfer (pending, or failed and to be sent again) into a new bank
    file; a held claim's payment stays out (CLM-F1), as over the API."""

    def call() -> Any:
        body = checked(BatchIn, {})
        batch, _held = service.export_batch(db, actor=actor, payment_ids=body.payment_ids)
        return batch

    return form_action(
        request,
        db,
        call,
        refused=lambda refusal: _list(
            request, db, paging=PageRequest(), refusal=refusal, action="export"
        ),
        redirect=lambda batch: f"/payments/batches/{batch.id}",
    )


def _detail(
    request: Request,
    db: Session,
    batch_id: int,
    *,
    refusal: Refusal | None = None,
    action: str | None = None,
    values: dict[str, Any] | None = None,
    answered: service.Confirmation | None = None,
) -> Response:
    batch = service.get_batch(db, batch_id=batch_id)
    lines = service.batch_lines(db, batch_id=batch_id)
    return page(
        request,
        "payments/batch.html",
        **form_context(refusal, action=action, values=values),
        batch=batch,
        lines=lines,
        conflicts=[(line, c) for line in lines for c in line.conflicts],
        answered=answered,
        **common(request),
    )


@router.get("/payments/batches/{batch_id}")
def batch_page(batch_id: int, request: Request, db: DB, actor: Payer) -> Response:
    return _detail(request, db, batch_id)


def _answer_text(upload: UploadFile) -> str:
    content = upload.file.read(MAX_FILE_BYTES + 1)
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfirmationFileUnreadable(field="file") from None


@router.post("/payments/batches/{batch_id}/confirmation")
def upload_answer(
    batch_id: int,
    request: Request,
    db: DB,
    actor: Payer,
    file: Annotated[UploadFile, File(description="the bank's answer file (CSV)")],
) -> Response:
    """The bank's answer file, through the API's ConfirmationIn and the same service. A
    refused file records nothing and is shown beside the upload; an accepted one shows
    the batch with what each line of this file did (a re-sent file is safe to upload)."""

    def call() -> service.Confirmation:
        body = checked(ConfirmationIn, {"csv": _answer_text(file)}, named={"csv": "file"})
        lines = service.confirmation_lines(csv_text=body.csv, lines=body.lines, csv_field="file")
        return service.confirm_batch(db, actor=actor, batch_id=batch_id, lines=lines)

    done = attempt(request, db, call)
    if isinstance(done, Refusal):
        return _detail(request, db, batch_id, refusal=done, action="answer")
    return _detail(request, db, batch_id, answered=done)
