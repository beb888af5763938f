"""Notes on a claim: free text by staff, never the customer's, each with a visibility
that says which roles may read it (SEC-4: need to know; CLM-F1: an investigation is not
tipped off). Writing a note and reading the notes are on the audit trail (GEN-5).

Visibilities:

- ``staff``: every staff member who may read the claim (the row filter of
  ``claims.repository.get_claim`` already applied by the caller);
- ``fraud``: fraud investigators only (suspicions, findings of an investigation).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil
from claimdesk.claims.notes import repository
from claimdesk.claims.notes.schemas import NoteIn, NoteOut
from claimdesk.errors import ClaimdeskError, PermissionDenied
from claimdesk.models.claim import Claim
from claimdesk.models.note import ClaimNote

VISIBILITIES = ("staff", "fraud")


class NoteVisibilityNotAllowed(ClaimdeskError):
    status_code = 403
    code = "note_visibility_not_allowed"
    message_zh = "{field}：只有反欺诈调查员可以写仅反欺诈可见的备注"
    message_en = "{field}: only fraud investigators may write a note visible to fraud only"


def readable_visibilities(*, actor: Principal) -> tuple[str, ...]:
    """Which notes the actor may read: none for customers; fraud notes for investigators."""
    if actor.is_customer or not actor.has(Permission.CLAIMS_READ):
        return ()
    if actor.has(Permission.FRAUD_INVESTIGATE):
        return VISIBILITIES
    return ("staff",)


def writable_visibilities(*, actor: Principal) -> tuple[str, ...]:
    if actor.is_customer or not actor.has(Permission.CLAIMS_NOTES):
        return ()
    return VISIBILITIES if actor.has(Permission.FRAUD_INVESTIGATE) else ("staff",)


def note_out(*, note: ClaimNote) -> NoteOut:
    return NoteOut(
        id=note.id,
        claim_id=note.claim_id,
        visibility="fraud" if note.visibility == "fraud" else "staff",
        body=note.body,
        author=note.author,
        created_at=note.created_at,
    )


def add_note(session: Session, *, actor: Principal, claim: Claim, data: NoteIn) -> ClaimNote:
    """A note on a claim the actor has loaded through the row filter; audited as
    ``claim.note_added`` (the text stays in the encrypted note, not in the trail)."""
    allowed = writable_visibilities(actor=actor)
    if not allowed:
        raise PermissionDenied()
    if data.visibility not in allowed:
        raise NoteVisibilityNotAllowed(field="visibility")
    note = ClaimNote(
        claim_id=claim.id,
        visibility=data.visibility,
        body=data.body.strip() or data.body,
        author_id=actor.user_id,
        author=actor.username,
        created_at=timeutil.now(),
    )
    session.add(note)
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.note_added",
        entity_type="claim",
        entity_id=claim.id,
        at=note.created_at,
        details={"note_id": note.id, "visibility": note.visibility},
    )
    return note


def notes_for(session: Session, *, actor: Principal, claim: Claim) -> list[ClaimNote]:
    """The notes of the claim the actor may read, oldest first; the read is audited
    (``claim.notes_read``) when there is anything to read."""
    visibilities = readable_visibilities(actor=actor)
    if not visibilities:
        raise PermissionDenied()
    notes = repository.notes_of(session, claim_id=claim.id, visibilities=visibilities)
    if notes:
        record(
            session,
            actor=actor,
            action="claim.notes_read",
            entity_type="claim",
            entity_id=claim.id,
            details={"note_ids": [n.id for n in notes]},
        )
    return notes
