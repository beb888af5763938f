"""The customer's phone number for the surveyor's call (CLM-S1: the assigned surveyor
contacts the customer within 1 hour of assignment).

Pages and answers show the number masked (``138****5678``). The surveyor assigned to the
claim — and only they — may reveal it to make the call; every reveal is a read of
personal data and goes on the audit trail with who, when and from where (GEN-5, SEC-5).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims.errors import NoContactPhone, NotAssignedSurveyor
from claimdesk.models.claim import Claim


def may_reveal_phone(actor: Principal, claim: Claim) -> bool:
    """The assigned surveyor of this claim, holding the survey permission."""
    return (
        actor.has(Permission.CLAIMS_SURVEY)
        and actor.user_id is not None
        and claim.surveyor_id == actor.user_id
        and claim.contact_phone is not None
    )


def tel_uri(phone: str) -> str:
    """The number as a tel: link a phone dials (mainland numbers with +86)."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return f"tel:{digits}" if digits.startswith("+") else f"tel:+86{digits}"


def reveal_phone(session: Session, *, actor: Principal, claim: Claim) -> str:
    """The contact phone in clear for the assigned surveyor's call, audited
    (``claim.contact_phone_revealed``); anyone else is refused and nothing is read."""
    if not actor.has(Permission.CLAIMS_SURVEY) or claim.surveyor_id != actor.user_id:
        raise NotAssignedSurveyor()
    if not claim.contact_phone:
        raise NoContactPhone()
    record(
        session,
        actor=actor,
        action="claim.contact_phone_revealed",
        entity_type="claim",
        entity_id=claim.id,
        details={"number": claim.number, "purpose": "survey_contact"},
    )
    return claim.contact_phone
