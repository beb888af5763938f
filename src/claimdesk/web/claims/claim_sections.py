"""Sections of the staff claim page beyond its action forms (issue 12): the uploaded
documents opened in the browser or saved (SEC-5), each read on the audit trail; the
customer's phone revealed to the assigned surveyor for the 1-hour call (CLM-S1).

Every route: the permission (claims:read), the row filter (``get_claim``: a surveyor
only their assigned claims, CLM-F2), then the object check in the service (the file is
one of this claim's). Pages call services only; the edge commits the audit entry."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims.intake import contact
from claimdesk.claims.intake.acceptance import read_upload
from claimdesk.claims.repository import get_claim
from claimdesk.deps import DB, require
from claimdesk.errors import PermissionDenied
from claimdesk.web.kit import Refusal, attempt, render

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
    claim = get_claim(db, _staff(principal), claim_id)
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
    claim = get_claim(db, _staff(principal), claim_id)
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
