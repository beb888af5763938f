"""Fraud hold (CLM-F1): a flag by a rule or a person suspends the claim; only an
investigator clears or confirms it, with the consequences of Insurance Law art. 27."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from claimdesk import lifecycle
from claimdesk.audit.service import record
from claimdesk.auth.permissions import Permission, Role, permissions_for
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil, workflow
from claimdesk.claims.errors import FraudFlagNotOpen
from claimdesk.claims.fraud import repository
from claimdesk.claims.schemas import FraudResolveIn
from claimdesk.errors import ClaimdeskError, NotFound, PermissionDenied, ValidationFailed
from claimdesk.models.claim import Claim, FraudFlag
from claimdesk.models.states import PolicyState
from claimdesk.paging import PageRequest, Slice
from claimdesk.policies import repository as policies


def flags_of(session: Session, *, claim_id: int) -> list[FraudFlag]:
    return repository.flags_of(session, claim_id=claim_id)


def flags_of_claims(session: Session, *, claim_ids: Sequence[int]) -> list[FraudFlag]:
    return repository.flags_of_claims(session, claim_ids=claim_ids)


# The held claims list's ?assigned= filter: the unassigned, or the investigator's own.
ASSIGNED_FILTERS = repository.ASSIGNED_FILTERS


def held_claims(
    session: Session, *, actor: Principal, request: PageRequest, assigned: str | None = None
) -> Slice[Claim]:
    """A page of the suspended claims the actor may work, held longest first (the fraud
    holds page; ``repository.held_claims``)."""
    return repository.held_claims(session, actor=actor, request=request, assigned=assigned)


# -- the investigator's evidence (CLM-F1, CLM-F2) ------------------------------------------

# What an investigator files on a claim: the investigation's evidence, never a claim
# material (which ticks the checklist) nor an adjuster's report.
INVESTIGATION_FILES = ("evidence", "certificate")


class NotInvestigatorsClaim(PermissionDenied):
    """An investigator adds evidence only to a held claim: outside the hold there is no
    investigation of theirs to add it to (a colleague's held claim is
    ``ClaimOfAnotherInvestigator``)."""

    code = "claim_not_investigators"
    message_zh = "反欺诈调查员只能为挂起调查中的案件补充证据"
    message_en = "A fraud investigator adds evidence only to a claim held for investigation"


class InvestigatorFilesEvidence(ValidationFailed):
    code = "investigator_files_evidence"
    message_zh = "{field}：反欺诈调查员只上传调查证据（证据、官方证明）"
    message_en = "{field}: a fraud investigator files the investigation's evidence only"


def uploads_as_investigator(*, actor: Principal) -> bool:
    """Whether the actor holds claims:upload only as a fraud investigator (a user who is
    also a handler, surveyor or assessor uploads as that role)."""
    if Role.FRAUD_INVESTIGATOR.value not in actor.roles:
        return False
    others = permissions_for(actor.roles - {Role.FRAUD_INVESTIGATOR.value})
    return Permission.CLAIMS_UPLOAD not in others


def upload_refusal(
    *, actor: Principal, claim: Claim, purpose: str | None, field: str = "purpose"
) -> ClaimdeskError | None:
    """Why an investigator may not file this on the claim (None: the row rule lets it
    through, or the actor is not uploading as an investigator). Row-level (CLM-F2): the
    claim is held (CLM-F1) and is theirs or nobody's yet — the rule of who decides its
    flag (``resolve_refusal``): an unassigned held claim is in every investigator's
    queue and any of them may take it up, which the upload does (``take_by_evidence``);
    a colleague's is refused, a fraud supervisor's override aside. Only evidence.
    ``purpose`` None asks whether any file would be taken (what the pages offer)."""
    if not uploads_as_investigator(actor=actor):
        return None
    if claim.state != workflow.SUSPENDED:
        return NotInvestigatorsClaim()
    refused = resolve_refusal(actor=actor, claim=claim)
    if refused is not None:
        return refused
    if purpose is not None and purpose not in INVESTIGATION_FILES:
        return InvestigatorFilesEvidence(field=field)
    return None


def take_by_evidence(session: Session, *, actor: Principal, claim: Claim) -> None:
    """An investigator's evidence on an unassigned held claim takes the claim up: it is
    theirs from now on (their queue, their flag to decide; a colleague's upload or
    decision is refused), as if a supervisor had given it to them — audited as that
    assignment, saying it was taken. Called by the upload service once the file is
    accepted (``upload_refusal`` let it through). A fraud supervisor's evidence leaves
    the claim in the pool: they hand the work out. Conditional on nobody's having taken
    it meanwhile: a colleague's take that committed first is their claim (403). A
    supervisor's evidence on a claim given to someone else is an override of that
    investigation, a step of its own on the trail (as ``resolve`` records a decision)."""
    if not uploads_as_investigator(actor=actor):
        return
    if is_fraud_supervisor(actor=actor):
        _record_evidence_override(session, actor=actor, claim=claim)
        return
    if claim.investigator_id is not None:
        return
    if not repository.take_unassigned(session, claim_id=claim.id, investigator_id=actor.user_id):
        raise ClaimOfAnotherInvestigator()
    # The row says so already; the loaded claim without a second UPDATE.
    set_committed_value(claim, "investigator_id", actor.user_id)
    record(
        session,
        actor=actor,
        action="claim.investigator_assigned",
        entity_type="claim",
        entity_id=claim.id,
        reason="taken up with the investigator's evidence",
        details={"before": None, "after": actor.user_id, "taken": True},
    )


def _record_evidence_override(session: Session, *, actor: Principal, claim: Claim) -> None:
    if claim.investigator_id in (None, actor.user_id):
        return
    record(
        session,
        actor=actor,
        action="claim.fraud_evidence_overridden",
        entity_type="claim",
        entity_id=claim.id,
        reason="evidence filed on another investigator's claim",
        details={"investigator": claim.investigator_id},
    )


# -- who decides a flag (CLM-F1, CLM-F2) -----------------------------------------------------


class ClaimOfAnotherInvestigator(PermissionDenied):
    """A flag on a held claim a supervisor gave to one investigator is that investigator's
    to clear or confirm: a colleague deciding it would undo an investigation they do not
    run (and the evidence they have not seen)."""

    code = "claim_of_another_investigator"
    message_zh = (
        "该挂起案件已指派给另一名反欺诈调查员：只有受指派的调查员（或理赔主管）"
        "可以补充调查证据、解除或确认欺诈标记"
    )
    message_en = (
        "This held claim is assigned to another fraud investigator: only the investigator "
        "assigned (or a claims supervisor) may add evidence to it or clear or confirm its "
        "fraud flag"
    )


def is_fraud_supervisor(*, actor: Principal) -> bool:
    """A supervisor who hands the work out (claims:assign) and decides flags: decides on a
    claim given to any investigator (the override is audited, ``resolve``)."""
    return actor.has(Permission.CLAIMS_ASSIGN) and actor.has(Permission.FRAUD_INVESTIGATE)


def resolve_refusal(*, actor: Principal, claim: Claim) -> ClaimdeskError | None:
    """Why this actor may not clear or confirm a flag on this claim (None: they may).
    Row-level (CLM-F2): an unassigned held claim is any investigator's to decide, a
    claim given to an investigator is theirs, a fraud supervisor's override aside."""
    if claim.investigator_id is None or claim.investigator_id == actor.user_id:
        return None
    if is_fraud_supervisor(actor=actor):
        return None
    return ClaimOfAnotherInvestigator()


def flag(
    session: Session, *, actor: Principal, claim: Claim, description: str, rule_code: str | None
) -> FraudFlag:
    at = timeutil.now()
    source = "rule" if rule_code and actor.session_kind == "system" else "person"
    found = FraudFlag(
        claim_id=claim.id,
        source=source,
        rule_code=rule_code,
        description=description,
        flagged_by_id=actor.user_id,
        flagged_at=at,
    )
    session.add(found)
    session.flush()
    if claim.state != workflow.SUSPENDED:
        workflow.transition(
            session,
            claim=claim,
            action="suspend",
            actor=actor,
            at=at,
            reason=description,
            details={"flag_id": found.id, "rule": rule_code},
        )
    else:
        record(
            session,
            actor=actor,
            action="claim.fraud_flag_added",
            entity_type="claim",
            entity_id=claim.id,
            reason=description,
            at=at,
            details={"flag_id": found.id, "rule": rule_code},
        )
    return found


def resolve(
    session: Session, *, actor: Principal, claim: Claim, flag_id: int, data: FraudResolveIn
) -> FraudFlag:
    found = _open_flag(session, actor=actor, claim=claim, flag_id=flag_id, data=data)
    at = timeutil.now()
    if claim.investigator_id not in (None, actor.user_id):
        _record_override(session, actor=actor, claim=claim, flag=found, data=data, at=at)
    _close_flag(session, actor=actor, claim=claim, flag=found, data=data, at=at)
    _move_claim(session, actor=actor, claim=claim, flag=found, data=data, at=at)
    return found


def _open_flag(
    session: Session, *, actor: Principal, claim: Claim, flag_id: int, data: FraudResolveIn
) -> FraudFlag:
    """The claim's flag, still open, that ``actor`` may decide with ``data``."""
    found = session.get(FraudFlag, flag_id)
    if found is None or found.claim_id != claim.id:
        raise NotFound(what="fraud flag", field="flag_id")
    if not lifecycle.FRAUD_FLAG.moves.get(found.status):
        raise FraudFlagNotOpen()
    if data.outcome in ("forged_evidence", "exaggerated_loss") and data.exaggerated_amount is None:
        raise ValidationFailed(field="exaggerated_amount")
    refused = resolve_refusal(actor=actor, claim=claim)
    if refused is not None:
        raise refused
    return found


def _record_override(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    flag: FraudFlag,
    data: FraudResolveIn,
    at: dt.datetime,
) -> None:
    # A supervisor decided a flag of a claim given to someone else: the override is a
    # step of its own in the audit trail, naming whose investigation it overrode.
    record(
        session,
        actor=actor,
        action="claim.fraud_decision_overridden",
        entity_type="claim",
        entity_id=claim.id,
        reason=data.note,
        at=at,
        details={
            "flag_id": flag.id,
            "investigator": claim.investigator_id,
            "outcome": data.outcome,
        },
    )


def _close_flag(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    flag: FraudFlag,
    data: FraudResolveIn,
    at: dt.datetime,
) -> None:
    flag.outcome = None if data.outcome == "cleared" else data.outcome
    flag.exaggerated_amount = data.exaggerated_amount
    flag.recovery_amount = data.recovery_amount
    flag.police_referred = data.police_referred
    flag.police_reference = data.police_reference
    flag.resolution_note = data.note
    flag.resolved_by_id = actor.user_id
    flag.resolved_at = at
    lifecycle.transition(
        session,
        entity=flag,
        table=lifecycle.FRAUD_FLAG,
        to="cleared" if data.outcome == "cleared" else "confirmed",
        actor=actor,
        at=at,
        details={"claim_id": claim.id},
    )


def _move_claim(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    flag: FraudFlag,
    data: FraudResolveIn,
    at: dt.datetime,
) -> None:
    """What the decided flag does to the claim: refused (a fabricated event), still
    held (other flags open), released, or reduced by the exaggerated part."""
    details = {
        "flag_id": flag.id,
        "outcome": data.outcome,
        "police_referred": data.police_referred,
        "recovery_amount": None if data.recovery_amount is None else str(data.recovery_amount),
    }
    still_open = [f for f in flags_of(session, claim_id=claim.id) if f.status == "open"]
    if data.outcome == "fabricated_event":
        # Art. 27: the insurer may rescind without refunding the premium; the claim is refused.
        _rescind(session, actor=actor, claim=claim, reason=data.note)
        action = "confirm_fraud_reject"
    elif still_open:
        record(
            session,
            actor=actor,
            action="claim.fraud_flag_resolved",
            entity_type="claim",
            entity_id=claim.id,
            reason=data.note,
            at=at,
            details=details,
        )
        return
    elif data.outcome == "cleared":
        action = "clear_fraud"
    else:
        # Forged evidence or an exaggerated loss: only the exaggerated part is refused.
        if claim.payable_total is not None and data.exaggerated_amount is not None:
            claim.payable_total = max(
                Decimal("0.00"), claim.payable_total - data.exaggerated_amount
            )
        action = "confirm_fraud_reduce"
    workflow.transition(
        session, claim=claim, action=action, actor=actor, at=at, reason=data.note, details=details
    )


def _rescind(session: Session, *, actor: Principal, claim: Claim, reason: str) -> None:
    policy = policies.lock(session, policy_id=claim.policy_id)
    before = policy.status
    policy.terminated_on = policy.terminated_on or timeutil.now().date()
    policy.refund_amount = Decimal("0.00")
    details: dict[str, object] = {
        "claim": claim.number,
        "before": before,
        "refund": "0.00",
        "basis": "Insurance Law art. 27",
    }
    if policy.status == PolicyState.TERMINATED:
        # Already ended (POL-3): the rescission is recorded, the state stays.
        session.flush()
        record(
            session,
            actor=actor,
            action="policy.rescinded_for_fraud",
            entity_type="policy",
            entity_id=policy.id,
            reason=reason,
            details=details,
        )
        return
    lifecycle.transition(
        session,
        entity=policy,
        table=lifecycle.POLICY,
        to="terminated",
        actor=actor,
        action="policy.rescinded_for_fraud",
        reason=reason,
        details=details,
    )
