"""Notes on a claim (/api/v1/claims/{id}/notes): thin routes over notes.service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims.notes import service
from claimdesk.claims.notes.schemas import NoteIn, NoteOut
from claimdesk.claims.read import claim_for
from claimdesk.deps import DB, require

router = APIRouter(prefix="/claims", tags=["claims"])

Reader = Annotated[Principal, Depends(require(Permission.CLAIMS_READ))]
Writer = Annotated[Principal, Depends(require(Permission.CLAIMS_NOTES))]


@router.get("/{claim_id}/notes", response_model=list[NoteOut])
def list_notes(claim_id: int, db: DB, principal: Reader) -> list[NoteOut]:
    claim = claim_for(db, principal, claim_id)
    return [service.note_out(note=n) for n in service.notes_for(db, actor=principal, claim=claim)]


@router.post("/{claim_id}/notes", status_code=201, response_model=NoteOut)
def add_note(claim_id: int, body: NoteIn, db: DB, principal: Writer) -> NoteOut:
    claim = claim_for(db, principal, claim_id)
    return service.note_out(note=service.add_note(db, actor=principal, claim=claim, data=body))
