"""Claim disputes (理赔争议, SPEC CLM-Z3).

A customer disputes a claim's outcome: a named person answers within 2 hours (an hours
clock, escalated by the breach job when missed); a small dispute then goes to re-review
or negotiation, a large one (disputed amount above the configured threshold) to the
insurance association's or the regulator's mediation, arbitration or court; the outcome
is recorded.

A dispute raised as a service-desk complaint references that complaint instead of
duplicating it: the complaint already runs the 2-hour claim-response clock (SVC-3 /
CLM-Z3), so no second clock is started, and the dispute's answer stops that clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from claimdesk import lifecycle
from claimdesk.audit.service import record
from claimdesk.auth import repository as users
from claimdesk.auth.principal import Principal
from claimdesk.claims import notify, timeutil
from claimdesk.claims.repository import get_claim
from claimdesk.claims.special import repository
from claimdesk.clocks import service as clocks
from claimdesk.code_labels import DISPUTE_OUTCOMES, NamesCodes
from claimdesk.errors import Conflict, PermissionDenied, ValidationFailed
from claimdesk.i18n import gettext
from claimdesk.models.claim import Claim
from claimdesk.models.clock import Clock
from claimdesk.models.event import ClaimDispute, ClaimDisputeStep
from claimdesk.models.service import Complaint
from claimdesk.models.user import User
from claimdesk.rules.deadlines import Rule

RESPONSE_CLOCK = "claim_dispute.response"
RESPONSE_RULE = Rule("hours", 2)
RESPONSE_BASIS = "CLM-Z3：理赔争议 2 小时内由专人答复"
COMPLAINT_RESPONSE_CLOCK = "complaint.claim_response"

SMALL_PATHS = ("re_review", "negotiation")
LARGE_PATHS = ("association_mediation", "regulator_mediation", "arbitration", "court")
OUTCOMES = ("upheld", "partly_upheld", "dismissed", "settled", "withdrawn")


@dataclass(frozen=True)
class DisputeRules:
    # Above this disputed amount a dispute is "large" (mediation, arbitration, court).
    large_amount: Decimal = Decimal("50000.00")


RULES = DisputeRules()


def rules() -> DisputeRules:
    return RULES


class ResponderNotStaff(ValidationFailed):
    code = "responder_not_staff"
    message_zh = "{field}：答复人须为在职理赔或客服人员"
    message_en = "{field}: the responder must be an active claims or service staff member"


class ComplaintNotForClaim(ValidationFailed):
    code = "complaint_not_for_claim"
    message_zh = "{field}：该投诉不属于此案件"
    message_en = "{field}: the complaint is not about this claim"


class NotTheResponder(PermissionDenied):
    code = "not_the_responder"
    message_zh = "只有指定的答复人 {responder} 可以答复此争议"
    message_en = "Only the named responder {responder} may answer this dispute"


class DisputeNotAnswered(Conflict):
    code = "dispute_not_answered"
    message_zh = "争议尚未答复，须先由指定人员答复"
    message_en = "The dispute has not been answered yet; the named person answers first"


class DisputeAlreadyAnswered(Conflict):
    code = "dispute_already_answered"
    message_zh = "争议已于 {at} 答复"
    message_en = "The dispute was already answered at {at}"


class DisputeResolved(Conflict):
    code = "dispute_resolved"
    message_zh = "争议已处理完毕，不能再变更"
    message_en = "The dispute is resolved; it can no longer change"


class DisputePathNotAllowed(NamesCodes, ValidationFailed):
    """``allowed``: the path codes (kept for programs), said in words as the language
    lists them: 复核、协商 / Re-review, Negotiation."""

    code = "dispute_path_not_allowed"
    message_zh = "{field}：{size}争议只能走 {allowed}"
    message_en = "{field}: a {size} dispute may only go to {allowed}"

    def words(self, language: str) -> dict[str, Any]:
        shown = super().words(language)
        if language.lower().startswith("zh"):
            shown["size"] = {"small": "小额", "large": "大额"}.get(str(shown.get("size")), "")
        return shown


def response_clock(session: Session, dispute: ClaimDispute) -> Clock | None:
    """The 2-hour clock governing the answer: the dispute's own, or its complaint's."""
    if dispute.complaint_id is not None:
        subject: tuple[str, int, str] = (
            "complaint",
            dispute.complaint_id,
            COMPLAINT_RESPONSE_CLOCK,
        )
    else:
        subject = ("claim_dispute", dispute.id, RESPONSE_CLOCK)
    found = [
        c
        for c in clocks.clocks_for(session, subject_type=subject[0], subject_id=subject[1])
        if c.name == subject[2]
    ]
    return found[-1] if found else None


# Who may answer a dispute (CLM-Z3): a named person of the claim or service side.
RESPONDER_ROLES = (
    "claims_handler",
    "service_agent",
    "adjuster",
    "reviewer_1",
    "reviewer_2",
    "reviewer_3",
)


def with_claim(
    session: Session, *, actor: Principal, dispute_id: int
) -> tuple[ClaimDispute, Claim]:
    """The dispute and its claim, both locked; the claim's row rules apply to its
    disputes too (a dispute of a claim outside the actor's rows is not found)."""
    dispute = repository.get_dispute(session, actor=actor, dispute_id=dispute_id, for_update=True)
    return dispute, get_claim(session, actor=actor, claim_id=dispute.claim_id, for_update=True)


def _staff(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if (
        user is None
        or not user.is_active
        or not users.holds_role(session, user_id=user_id, roles=RESPONDER_ROLES)
    ):
        raise ResponderNotStaff(field="responder_id")
    return user


def size_of(amount: Decimal) -> str:
    return "large" if amount > rules().large_amount else "small"


def file_dispute(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    description: str,
    disputed_amount: Decimal,
    responder_id: int | None = None,
    complaint_id: int | None = None,
    received_at: dt.datetime | None = None,
) -> ClaimDispute:
    now = timeutil.now()
    received = received_at or now
    if received > now:
        raise ValidationFailed(field="received_at")
    complaint = None
    if complaint_id is not None:
        complaint = session.get(Complaint, complaint_id)
        if complaint is None or complaint.claim_id != claim.id:
            raise ComplaintNotForClaim(field="complaint_id")
        received = complaint.received_at
        responder_id = responder_id or complaint.handler_user_id
    responder = _staff(session, responder_id or actor.user_id or 0)
    dispute = ClaimDispute(
        claim_id=claim.id,
        complaint_id=complaint_id,
        org_unit_id=claim.org_unit_id,
        description=description,
        disputed_amount=disputed_amount,
        size=size_of(disputed_amount),
        responder_id=responder.id,
        received_at=received,
        received_by_id=actor.user_id,
        status="open",
    )
    session.add(dispute)
    session.flush()
    if complaint is None:
        clocks.start_clock(
            session,
            subject_type="claim_dispute",
            subject_id=dispute.id,
            name=RESPONSE_CLOCK,
            rule=RESPONSE_RULE,
            started_at=received,
            basis=RESPONSE_BASIS,
            org_unit_id=dispute.org_unit_id,
            actor=actor,
        )
    notify.tell_customer(
        session,
        claim=claim,
        template="claim.dispute_received",
        params={"responder": responder.display_name},
        key_suffix=str(dispute.id),
    )
    record(
        session,
        actor=actor,
        action="claim.dispute_filed",
        entity_type="claim",
        entity_id=claim.id,
        at=now,
        details={
            "dispute_id": dispute.id,
            "size": dispute.size,
            "disputed_amount": str(disputed_amount),
            "responder_id": responder.id,
            "complaint_id": complaint_id,
        },
    )
    return dispute


def _open(dispute: ClaimDispute) -> None:
    # Resolved is the end of the dispute's table (lifecycle.CLAIM_DISPUTE).
    if not lifecycle.CLAIM_DISPUTE.moves.get(dispute.status):
        raise DisputeResolved()


def answer(
    session: Session, *, actor: Principal, dispute: ClaimDispute, claim: Claim, text: str
) -> ClaimDispute:
    """The named person's answer (CLM-Z3): stops the 2-hour clock."""
    _open(dispute)
    if dispute.answered_at is not None:
        raise DisputeAlreadyAnswered(at=dispute.answered_at.isoformat())
    if actor.user_id != dispute.responder_id:
        responder = session.get(User, dispute.responder_id)
        raise NotTheResponder(responder=responder.username if responder else "?")
    at = timeutil.now()
    dispute.answered_at = at
    dispute.answer = text
    clock = response_clock(session, dispute)
    if clock is not None and clock.stopped_at is None:
        clocks.stop_clock(session, clock=clock, at=max(at, clock.paused_at or at), actor=actor)
    lifecycle.transition(
        session,
        entity=dispute,
        table=lifecycle.CLAIM_DISPUTE,
        to="answered",
        actor=actor,
        action="claim.dispute_answered",
        audit_as=("claim", claim.id),
        at=at,
        details={"dispute_id": dispute.id, "met": None if clock is None else at <= clock.due_at},
    )
    notify.tell_customer(
        session,
        claim=claim,
        template="claim.dispute_answered",
        params={"answer": text},
        key_suffix=str(dispute.id),
    )
    return dispute


def escalate(
    session: Session, *, actor: Principal, dispute: ClaimDispute, path: str, note: str
) -> ClaimDisputeStep:
    """Take the next step of the path allowed for the dispute's size."""
    _open(dispute)
    if dispute.answered_at is None:
        raise DisputeNotAnswered()
    allowed = SMALL_PATHS if dispute.size == "small" else LARGE_PATHS
    if path not in allowed:
        raise DisputePathNotAllowed(field="path", size=dispute.size, allowed=tuple(allowed))
    at = timeutil.now()
    step = ClaimDisputeStep(dispute_id=dispute.id, path=path, note=note, at=at, by_id=actor.user_id)
    session.add(step)
    dispute.path = path
    lifecycle.transition(
        session,
        entity=dispute,
        table=lifecycle.CLAIM_DISPUTE,
        to="in_progress",
        actor=actor,
        action="claim.dispute_escalated",
        audit_as=("claim", dispute.claim_id),
        at=at,
        reason=note,
        details={"dispute_id": dispute.id, "path": path},
    )
    return step


def resolve(
    session: Session,
    *,
    actor: Principal,
    dispute: ClaimDispute,
    claim: Claim,
    outcome: str,
    note: str,
    amount: Decimal | None = None,
) -> ClaimDispute:
    _open(dispute)
    if dispute.answered_at is None:
        raise DisputeNotAnswered()
    if outcome not in OUTCOMES:
        raise ValidationFailed(field="outcome")
    at = timeutil.now()
    dispute.outcome = outcome
    dispute.outcome_amount = amount
    dispute.outcome_note = note
    dispute.resolved_at = at
    dispute.resolved_by_id = actor.user_id
    lifecycle.transition(
        session,
        entity=dispute,
        table=lifecycle.CLAIM_DISPUTE,
        to="resolved",
        actor=actor,
        action="claim.dispute_resolved",
        audit_as=("claim", claim.id),
        at=at,
        reason=note,
        details={
            "dispute_id": dispute.id,
            "outcome": outcome,
            "path": dispute.path,
            "amount": None if amount is None else str(amount),
        },
    )
    notify.tell_customer(
        session,
        claim=claim,
        template="claim.dispute_resolved",
        params={"outcome": lambda language: _outcome_words(outcome, amount, language)},
        key_suffix=str(dispute.id),
    )
    return dispute


def _outcome_words(outcome: str, amount: Decimal | None, language: str) -> str:
    """The outcome as the customer reads it (CLM-Z3), in their ``language``: its kind in
    words and the amount agreed; the staff's note is the audit trail's reason, never sent."""
    words = gettext(DISPUTE_OUTCOMES[outcome], language)
    if amount is None:
        return words
    return words + notify.render("claim.dispute_resolved.amount", {"amount": amount}, language)


def disputes_of(session: Session, claim_id: int) -> list[ClaimDispute]:
    """The claim's disputes (CLM-Z3)."""
    return repository.disputes_of(session, claim_id=claim_id)


def steps_of(session: Session, dispute_id: int) -> list[ClaimDisputeStep]:
    """The dispute's steps (answer, escalation, resolution), oldest first (CLM-Z3)."""
    return repository.steps_of(session, dispute_id=dispute_id)
