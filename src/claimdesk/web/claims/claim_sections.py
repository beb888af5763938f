"""Sections of the staff claim page beyond its action forms (issue 12): the uploaded
documents opened in the browser or saved (SEC-5), each read on the audit trail; the
customer's phone revealed to the assigned surveyor for the 1-hour call (CLM-S1); the
claim's notes, each visible to the roles it names, added and read on the trail.

Every route: the permission (claims:read), the row filter (``claim_for``: a surveyor
only their assigned claims, CLM-F2), then the object check in the service (the file is
one of this claim's). Pages call services only; the edge commits the audit entry."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims.intake import contact
from claimdesk.claims.intake.acceptance import read_upload
from claimdesk.claims.notes import service as notes
from claimdesk.claims.notes.schemas import NoteIn
from claimdesk.claims.read import claim_for
from claimdesk.deps import DB, require
from claimdesk.errors import PermissionDenied
from claimdesk.models.claim import Claim
from claimdesk.web.kit import Refusal, SubmittedForm, attempt, render

router = APIRouter()

Reader = Annotated[Principal, Depends(require(Permission.CLAIMS_READ))]

# Types a browser shows by itself; anything else (HEIC) is only offered as a download.
PREVIEWABLE = frozenset({"application/pdf", "image/jpeg", "image/png"})


def _staff(principal: Principal) -> Principal:
    # Customers read their own materials on the portal, not on the staff pages.
    if principal.is_customer:
        raise PermissionDenied()
    return principal


def _file_response(
    db: DB,
    principal: Principal,
    claim_id: int,
    file_id: int,
    wanted: Literal["inline", "attachment"],
) -> Response:
    claim = claim_for(db, _staff(principal), claim_id)
    stored, content = read_upload(
        db, actor=principal, claim=claim, file_id=file_id, disposition=wanted
    )
    disposition = wanted if stored.content_type in PREVIEWABLE else "attachment"
    # The type is the one sniffed from the bytes at upload, never the client's; the
    # security headers (CSP, nosniff, no-store) are added to this response like any other.
    return Response(
        content,
        media_type=stored.content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(stored.filename)}"
        },
    )


@router.get("/claims/{claim_id}/files/{file_id}/view", response_class=Response)
def view_file(claim_id: int, file_id: int, db: DB, principal: Reader) -> Response:
    """The document in the browser (PDF and images inline), audited as claim.file_viewed."""
    return _file_response(db, principal, claim_id, file_id, "inline")


@router.get("/claims/{claim_id}/files/{file_id}/download", response_class=Response)
def download_file(claim_id: int, file_id: int, db: DB, principal: Reader) -> Response:
    """The document saved as a file, audited as claim.file_downloaded."""
    return _file_response(db, principal, claim_id, file_id, "attachment")


@router.post("/claims/{claim_id}/contact-phone")
def reveal_phone(claim_id: int, request: Request, db: DB, principal: Reader) -> Response:
    """ "Show number / call": the number in clear with a tel: link, for the assigned
    surveyor only (others are refused beside the button); the reveal is audited."""
    claim = claim_for(db, _staff(principal), claim_id)
    shown = attempt(request, db, lambda: contact.reveal_phone(db, actor=principal, claim=claim))
    if isinstance(shown, Refusal):
        # htmx swaps only a 2xx answer (as the action forms, the refusal is shown in place).
        htmx = request.headers.get("HX-Request") == "true"
        return render(
            request,
            "claims/_contact_phone.html",
            status_code=200 if htmx else shown.status_code,
            claim_id=claim_id,
            error=shown.error,
        )
    return render(
        request,
        "claims/_contact_phone.html",
        claim_id=claim_id,
        phone=shown,
        tel=contact.tel_uri(shown),
    )


# -- notes -----------------------------------------------------------------------------

# Who may read a note, in words (msgids; zh-CN in claim_staff.po).
NOTE_VISIBILITY_LABELS = {"staff": "All claims staff", "fraud": "Fraud investigators only"}


def notes_context(
    db: Session,
    principal: Principal,
    claim: Claim,
    *,
    values: dict[str, str] | None = None,
    error: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The notes section: the notes this user may read (the read audited by the notes
    service) and, if they may write, the visibilities they may choose."""
    readable = notes.readable_visibilities(actor=principal)
    return {
        "claim_id": claim.id,
        "notes": notes.notes_for(db, actor=principal, claim=claim) if readable else [],
        "note_visibilities": notes.writable_visibilities(actor=principal),
        "note_visibility_labels": NOTE_VISIBILITY_LABELS,
        "note_values": values or {},
        "note_error": error,
    }


@router.post("/claims/{claim_id}/notes")
def add_note(
    claim_id: int, request: Request, raw: SubmittedForm, db: DB, principal: Reader
) -> Response:
    """Add a note; the notes section comes back with it (htmx), or the claim page."""
    claim = claim_for(db, _staff(principal), claim_id)
    values = {k: str(raw.get(k) or "") for k in ("body", "visibility")}
    done = attempt(
        request,
        db,
        lambda: notes.add_note(
            db,
            actor=principal,
            claim=claim,
            data=NoteIn.model_validate(
                {"body": values["body"], "visibility": values["visibility"] or "staff"}
            ),
        ),
    )
    htmx = request.headers.get("HX-Request") == "true"
    if isinstance(done, Refusal):
        claim = claim_for(db, principal, claim_id)
        context = notes_context(db, principal, claim, values=values, error=done.error)
        return render(
            request,
            "claims/_notes.html",
            status_code=200 if htmx else done.status_code,
            **context,
        )
    if not htmx:
        return RedirectResponse(f"/claims/{claim_id}#notes", status_code=303)
    return render(request, "claims/_notes.html", **notes_context(db, principal, claim))
