"""Claim review (核赔, CLM-V1..V4).

A submission opens a review round whose tiers are fixed from the amount and the
complexity (CLM-V1); tier 1 decides first, then tier 2, then tier 3. Four eyes: nobody
reviews a claim they handled, nobody decides two tiers of the same claim. A rejection
at one tier is a proposal that the next tier confirms (CLM-V3); the confirmed
rejection issues the rejection notice (拒赔通知书), which must leave within 3 days.
Every decision records the CLM-V2 checklist. Callers hold the claim's row lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from claimdesk import lifecycle
from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.claims import notify, timeutil, workflow
from claimdesk.claims.settlement import adjustment, decision_notices, liability, repository
from claimdesk.claims.settlement.callbacks import open_callback
from claimdesk.claims.settlement.decision_notices import APPEAL_ROUTE_EN, APPEAL_ROUTE_ZH
from claimdesk.claims.settlement.documents import rejection_notice_pdf
from claimdesk.claims.settlement.errors import (
    ApprovalAfterTermination,
    ApprovalOutsidePeriod,
    ChecklistNotConfirmed,
    NoOpenReview,
    PolicyIncontestable,
    RejectionNeedsGrounds,
    RejectionPending,
    ReturnNeedsRequirements,
    ReviewerAlreadyApprovedTier,
    ReviewerHandledClaim,
    ReviewerTierMismatch,
    TierAlreadyDecided,
)
from claimdesk.clocks import service as clocks
from claimdesk.errors import ClaimdeskError
from claimdesk.models.claim import (
    Claim,
)
from claimdesk.models.policy import Policy
from claimdesk.models.review import RejectionNotice, ReviewDecision, ReviewRound
from claimdesk.payments import plan as pay_plan
from claimdesk.policies.service import incontestability
from claimdesk.rules.deadlines import local_date
from claimdesk.thresholds import service as thresholds

# CLM-V2: what every decision confirms (approval needs every item true).
CHECKLIST = (
    "policy_in_force",
    "adequately_insured",
    "disclosure_and_exclusions",
    "materials_complete",
    "process_compliant",
    "amount_correct",
)
CHECKLIST_LABELS = {
    "policy_in_force": ("出险日保单有效", "Policy in force on the date of loss"),
    "adequately_insured": ("足额投保", "Adequately insured"),
    "disclosure_and_exclusions": ("如实告知与责任免除", "Non-disclosure and exclusions"),
    "materials_complete": ("材料真实完整", "Materials true and complete"),
    "process_compliant": ("查勘、定损、理算合规", "Survey, assessment, adjustment compliant"),
    "amount_correct": ("赔付金额正确", "Amount correct"),
}
GROUNDS = ("non_disclosure", "exclusion", "not_covered", "fraud", "other")
# Who handled the claim, from its trail: reporting, acceptance and the survey.
_HANDLING_ACTIONS = {
    "report": "reporter",
    "request_materials": "acceptor",
    "request_more_materials": "acceptor",
    "materials_complete": "acceptor",
    "accept": "acceptor",
    "assign_surveyor": "acceptor",
    "skip_survey": "acceptor",
    "record_contact": "surveyor",
    "submit_survey": "surveyor",
    "complete_assessment": "assessor",
    "complete_adjustment": "adjuster",
    "submit_review": "adjuster",
    "reassess": "assessor",
}


@dataclass(frozen=True)
class DecisionIn:
    decision: str  # approve | reject | return
    checklist: dict[str, bool]
    reason: str | None = None
    rejection_ground: str | None = None
    rejection_clause: str | None = None
    rejection_facts: str | None = None
    requirements: str | None = None


def tiers_for(session: Session, claim: Claim, *, at: dt.datetime) -> tuple[int, list[str]]:
    """CLM-V1 defaults: ≤ 10,000 one tier; ≤ 100,000 two; above, major or fraud-flagged
    three (the threshold version in force at ``at``, the submission)."""
    # SPEC CLM-V1
    config = thresholds.in_force(session, at=at)
    amount = claim.payable_total or Decimal("0.00")
    reasons: list[str] = []
    flagged = repository.fraud_flag_count(session, claim_id=claim.id)
    if claim.is_major:
        reasons.append("major")
    if flagged:
        reasons.append("fraud_flagged")
    if amount > config.review_tier2_max:
        reasons.append(f"amount>{config.review_tier2_max}")
    if reasons:
        return 3, reasons
    if amount > config.review_tier1_max:
        return 2, [f"amount>{config.review_tier1_max}"]
    return 1, [f"amount<={config.review_tier1_max}"]


def handlers_of(session: Session, claim: Claim) -> dict[int, str]:
    """Every user who reported, accepted, surveyed, assessed or adjusted the claim."""
    found: dict[int, str] = {}
    for user_id, role in (
        (claim.entered_by_id, "reporter"),
        (claim.handler_id, "acceptor"),
        (claim.surveyor_id, "surveyor"),
    ):
        if user_id is not None:
            found.setdefault(user_id, role)
    for action, actor_id in repository.transition_actors(session, claim_id=claim.id):
        if actor_id is not None and action in _HANDLING_ACTIONS:
            found.setdefault(actor_id, _HANDLING_ACTIONS[action])
    for user_id, role in repository.handlers(session, claim_id=claim.id):
        if user_id is not None:
            found.setdefault(user_id, role)
    return found


def open_round(session: Session, claim_id: int) -> ReviewRound | None:
    return repository.open_round(session, claim_id=claim_id)


def decisions_of(
    session: Session, *, claim_id: int, round_id: int | None = None
) -> list[ReviewDecision]:
    return repository.decisions_of(session, claim_id=claim_id, round_id=round_id)


def next_step(session: Session, review: ReviewRound) -> tuple[int, ReviewDecision | None]:
    """The tier that decides next, and the rejection proposal it must answer (if any)."""
    decisions = decisions_of(session, claim_id=review.claim_id, round_id=review.id)
    if decisions and decisions[-1].decision == "reject":
        return decisions[-1].tier + 1, decisions[-1]
    return len(decisions) + 1, None


def incontestability_of(session: Session, claim: Claim, as_of: dt.date) -> dict[str, Any]:
    """POL-6, shown to the reviewer before a non-disclosure rejection."""
    policy = session.get(Policy, claim.policy_id)
    assert policy is not None
    since, from_day, incontestable = incontestability(session, policy=policy, as_of=as_of)
    return {
        "in_force_since": since.isoformat(),
        "incontestable_from": from_day.isoformat(),
        "incontestable": incontestable,
        "as_of": as_of.isoformat(),
    }


def submit(session: Session, *, actor: Principal, claim: Claim, reason: str | None) -> ReviewRound:
    """Adjusted → in review; the round's tiers are fixed now (CLM-V1)."""
    at = timeutil.now()
    tiers, why = tiers_for(session, claim, at=at)
    number = repository.last_round_number(session, claim_id=claim.id) + 1
    workflow.transition_by_service(
        session,
        claim=claim,
        action="submit_review",
        actor=actor,
        at=at,
        reason=reason,
        details={"round": number, "tiers": tiers, "tier_reasons": why},
    )
    review = ReviewRound(
        claim_id=claim.id,
        round=number,
        tiers_required=tiers,
        amount=claim.payable_total or Decimal("0.00"),
        tier_reasons=why,
        status="open",
        submitted_at=at,
        submitted_by_id=actor.user_id,
    )
    session.add(review)
    session.flush()
    _start_advance_clock(session, claim=claim, actor=actor)
    return review


def _start_advance_clock(session: Session, *, claim: Claim, actor: Principal) -> None:
    """CLM-V4 (art. 25): 60 days from the claim for the part that can be fixed. Started
    once, from the time the claim was received."""
    existing = [
        c
        for c in clocks.clocks_for(session, subject_type="claim", subject_id=claim.id)
        if c.name == "claim.advance_payment"
    ]
    if existing:
        return
    definition = workflow.CLOCKS["claim.advance_payment"]
    clocks.start_clock(
        session,
        subject_type="claim",
        subject_id=claim.id,
        name="claim.advance_payment",
        rule=definition.rule,
        started_at=claim.received_at,
        basis=definition.basis,
        org_unit_id=claim.org_unit_id,
        actor=actor,
    )


def _check_reviewer(session: Session, *, actor: Principal, claim: Claim, tier: int) -> None:
    role = f"reviewer_{tier}"
    if role not in actor.roles:
        raise ReviewerTierMismatch(tier=tier, role=role)
    handled = handlers_of(session, claim)
    if actor.user_id in handled:
        raise ReviewerHandledClaim(role=handled[actor.user_id])
    for earlier in decisions_of(session, claim_id=claim.id):
        if earlier.reviewer_id == actor.user_id and earlier.tier != tier:
            raise ReviewerAlreadyApprovedTier(tier=earlier.tier)


def refusal_to_decide(session: Session, *, actor: Principal, claim: Claim) -> ClaimdeskError | None:
    """Why :func:`decide` would refuse this reviewer whatever they decide (no open review,
    not the tier's role, handled the claim, already decided another tier, the tier
    decided), or None: pages offer the review decision only to the reviewer who may make
    it now. Nothing is changed."""
    if claim.state != workflow.IN_REVIEW:
        return NoOpenReview()
    review = open_round(session, claim.id)
    if review is None:
        return NoOpenReview()
    tier, _proposal = next_step(session, review)
    try:
        _check_reviewer(session, actor=actor, claim=claim, tier=tier)
    except ClaimdeskError as refused:
        return refused
    decided = repository.tier_decided(session, round_id=review.id, tier=tier)
    return TierAlreadyDecided(tier=tier) if decided else None


def _validate(data: DecisionIn, proposal: ReviewDecision | None) -> None:
    if data.decision == "approve":
        missing = [item for item in CHECKLIST if data.checklist.get(item) is not True]
        if missing:
            raise ChecklistNotConfirmed(field=f"checklist.{missing[0]}")
    elif data.decision == "reject" and proposal is None:
        if data.rejection_ground not in GROUNDS:
            raise RejectionNeedsGrounds(field="rejection_ground")
        if not (data.rejection_clause or "").strip():
            raise RejectionNeedsGrounds(field="rejection_clause")
        if not (data.rejection_facts or "").strip():
            raise RejectionNeedsGrounds(field="rejection_facts")
    elif data.decision == "return" and not (data.requirements or "").strip():
        raise ReturnNeedsRequirements(field="requirements")


def decide(session: Session, *, actor: Principal, claim: Claim, data: DecisionIn) -> ReviewDecision:
    """A reviewer's decision at the tier whose turn it is (CLM-V1..V3). Everything is
    checked before anything is written: a refusal changes nothing."""
    review, tier, proposal = _step_to_decide(session, claim, data)
    _check_reviewer(session, actor=actor, claim=claim, tier=tier)
    _validate(data, proposal)
    if data.decision == "approve":
        check_cover_for_approval(session, claim)
    at = timeutil.now()
    ground = proposal.rejection_ground if proposal else data.rejection_ground
    shown = _incontestability_shown(session, claim, data, ground=ground, at=at)
    if repository.tier_decided(session, round_id=review.id, tier=tier):
        raise TierAlreadyDecided(tier=tier)
    decision = _decision_row(
        data, proposal, actor=actor, review=review, tier=tier, ground=ground, at=at
    )
    decision.incontestability = shown  # POL-6: what a non-disclosure rejection saw
    session.add(decision)
    session.flush()
    record(
        session,
        actor=actor,
        action=f"claim.review_{data.decision}",
        entity_type="claim",
        entity_id=claim.id,
        reason=data.reason,
        at=at,
        details={
            "round": review.round,
            "tier": tier,
            "tiers_required": review.tiers_required,
            "decision_id": decision.id,
            "checklist": decision.checklist,
            "confirms_proposal_of_tier": proposal.tier if proposal else None,
        },
    )
    _carry_out(
        session,
        actor=actor,
        claim=claim,
        review=review,
        decision=decision,
        at=at,
        confirms=proposal is not None,
    )
    return decision


def _step_to_decide(
    session: Session, claim: Claim, data: DecisionIn
) -> tuple[ReviewRound, int, ReviewDecision | None]:
    """The open round, the tier whose turn it is and the rejection proposal it answers."""
    if claim.state != workflow.IN_REVIEW:
        raise NoOpenReview()
    review = open_round(session, claim.id)
    if review is None:
        raise NoOpenReview()
    tier, proposal = next_step(session, review)
    if proposal is not None and data.decision == "approve":
        raise RejectionPending(tier=proposal.tier)
    return review, tier, proposal


def check_cover_for_approval(session: Session, claim: Claim) -> None:
    """CLM-V2 "policy in force on the date of loss", judged again at the approval against
    the policy as it stands now (a termination recorded after the adjustment was signed
    counts): a covered decision on a loss the engine's period step says is not in force
    is refused, naming the loss date and the termination day or the period, and goes
    back to the adjuster (return to adjustment). A claim whose decisions all decline
    is approved as before (CLM-C1, POL-3)."""
    gap = approval_out_of_cover(session, claim)
    if gap is not None:
        raise gap.refusal(ApprovalAfterTermination, ApprovalOutsidePeriod, field="decision")


def approval_out_of_cover(session: Session, claim: Claim) -> liability.OutOfCover | None:
    """What :func:`check_cover_for_approval` refuses an approval for — the loss date and
    the termination day or the period — or None when an approval is not refused for
    cover (the policy covers the loss, or every current decision declines). The review
    form's warning reads it, so the reviewer sees it before pressing. Writes nothing."""
    decided = adjustment.current_adjustments(session, claim.id).values()
    if not any(a.liability == "covered" for a in decided):
        return None
    return adjustment.out_of_cover(session, claim)


def _incontestability_shown(
    session: Session, claim: Claim, data: DecisionIn, *, ground: str | None, at: dt.datetime
) -> dict[str, Any] | None:
    """POL-6: what a non-disclosure rejection was shown; refused once incontestable."""
    if data.decision != "reject" or ground != "non_disclosure":
        return None
    shown = incontestability_of(session, claim, local_date(at))
    if shown["incontestable"]:
        raise PolicyIncontestable(
            since=shown["in_force_since"], from_day=shown["incontestable_from"]
        )
    return shown


def _decision_row(
    data: DecisionIn,
    proposal: ReviewDecision | None,
    *,
    actor: Principal,
    review: ReviewRound,
    tier: int,
    ground: str | None,
    at: dt.datetime,
) -> ReviewDecision:
    """The decision as recorded: a confirmed rejection keeps the proposal's grounds
    unless this tier restates them."""
    rejects = data.decision == "reject"
    clause = data.rejection_clause or (proposal.rejection_clause if proposal else None)
    facts = data.rejection_facts or (proposal.rejection_facts if proposal else None)
    return ReviewDecision(
        claim_id=review.claim_id,
        round_id=review.id,
        tier=tier,
        decision=data.decision,
        reviewer_id=actor.user_id,
        reviewer=actor.username,
        decided_at=at,
        checklist={item: bool(data.checklist.get(item)) for item in CHECKLIST},
        reason=data.reason,
        rejection_ground=ground if rejects else None,
        rejection_clause=clause if rejects else None,
        rejection_facts=facts if rejects else None,
        requirements=data.requirements if data.decision == "return" else None,
    )


def _carry_out(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    review: ReviewRound,
    decision: ReviewDecision,
    at: dt.datetime,
    confirms: bool,
) -> None:
    """What the decision does: the last tier's approval approves the claim, a return
    sends it back to the adjuster, a confirmed rejection (or tier 3's) rejects it."""
    tier = decision.tier
    if decision.decision == "approve":
        if tier >= review.tiers_required:
            _approve(session, actor=actor, claim=claim, review=review, at=at)
    elif decision.decision == "return":
        _decide_round(session, actor=actor, review=review, to="returned", at=at)
        workflow.transition_by_service(
            session,
            claim=claim,
            action="return_to_adjustment",
            actor=actor,
            at=at,
            reason=decision.requirements,
            details={"round": review.round, "tier": tier},
        )
    elif confirms or tier >= 3:
        # Confirmed by the next tier (or decided by the department manager, the top).
        _reject(session, actor=actor, claim=claim, review=review, decision=decision, at=at)


def _decide_round(
    session: Session, *, actor: Principal, review: ReviewRound, to: str, at: dt.datetime
) -> None:
    """A review round is decided once: approved, rejected or returned (its table)."""
    review.decided_at = at
    lifecycle.transition(
        session,
        entity=review,
        table=lifecycle.REVIEW_ROUND,
        to=to,
        actor=actor,
        at=at,
        details={"claim_id": review.claim_id, "round": review.round},
    )


def _approve(
    session: Session, *, actor: Principal, claim: Claim, review: ReviewRound, at: dt.datetime
) -> None:
    _decide_round(session, actor=actor, review=review, to="approved", at=at)
    workflow.transition_by_service(
        session,
        claim=claim,
        action="approve",
        actor=actor,
        at=at,
        details={"round": review.round, "amount": str(review.amount)},
    )
    # CLM-P5 / CLM-V3: a decision that adds nothing to what was already paid (or is
    # below the deductible) never waits for a payment: notice, callback, closing.
    plan = pay_plan.indemnity_plan(session, claim)
    if plan.difference <= 0:
        decision_notices.conclude(
            session,
            actor=actor,
            claim=claim,
            review=review,
            payable=plan.payable,
            already_paid=plan.already_paid,
            at=at,
        )
        return
    start_payment_clocks(session, claim=claim, actor=actor, approved_at=at)


def start_payment_clocks(
    session: Session, *, claim: Claim, actor: Principal, approved_at: dt.datetime
) -> None:
    """CLM-P4: small claims within 24 hours of approval; others within 5 working days
    of complete materials and within 10 days of the agreement on the amount (the
    approval), whichever comes first — both clocks run and both stop at payment."""
    amount = claim.payable_total or Decimal("0.00")
    # SPEC CLM-P4: the limit in force at the approval.
    if amount <= thresholds.in_force(session, at=approved_at).small_payment_max:
        plan = [("claim.payment_small", approved_at)]
    else:
        complete = claim.materials_complete_at or claim.accepted_at or approved_at
        plan = [("claim.payment_working", complete), ("claim.payment_agreement", approved_at)]
    for name, start in plan:
        definition = workflow.CLOCKS[name]
        clocks.start_clock(
            session,
            subject_type="claim",
            subject_id=claim.id,
            name=name,
            rule=definition.rule,
            started_at=start,
            basis=definition.basis,
            org_unit_id=claim.org_unit_id,
            actor=actor,
        )


def _reject(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    review: ReviewRound,
    decision: ReviewDecision,
    at: dt.datetime,
) -> None:
    _decide_round(session, actor=actor, review=review, to="rejected", at=at)
    policy = session.get(Policy, claim.policy_id)
    assert policy is not None
    pdf = rejection_notice_pdf(
        claim,
        policy_number=policy.number,
        clause=decision.rejection_clause or "",
        facts=decision.rejection_facts or "",
        decided_at=at,
        appeal_zh=APPEAL_ROUTE_ZH,
        appeal_en=APPEAL_ROUTE_EN,
    )
    notice = RejectionNotice(
        claim_id=claim.id,
        decision_id=decision.id,
        clause=decision.rejection_clause or "",
        facts=decision.rejection_facts or "",
        issued_at=at,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    session.add(notice)
    session.flush()
    workflow.transition_by_service(
        session,
        claim=claim,
        action="reject",
        actor=actor,
        at=at,
        reason=decision.reason,
        details={"round": review.round, "notice_id": notice.id, "pdf_sha256": notice.sha256},
    )
    # The notice itself goes out through the outbox; its 3-day clock stops when the
    # worker has sent it (payments.tasks watches the message).
    notice.outbox_message_id = notify.send_to_customer(
        session,
        claim=claim,
        template="claim.rejection_notice",
        body=lambda language: notify.render(
            "notice.rejection",
            {
                "number": claim.number,
                "clause": notice.clause,
                "facts": notice.facts,
                "appeal": APPEAL_ROUTE_ZH if language.lower().startswith("zh") else APPEAL_ROUTE_EN,
            },
            language,
        ),
        key=f"rejection_notice:{notice.id}",
    )
    # CLM-X2: the explanation callback (reason and options), on its own clock.
    open_callback(session, actor=actor, claim=claim, kind="rejected", source_id=notice.id, at=at)
    record(
        session,
        actor=actor,
        action="claim.rejection_notice_issued",
        entity_type="claim",
        entity_id=claim.id,
        at=at,
        details={"notice_id": notice.id, "sha256": notice.sha256},
    )


def notice_of(session: Session, claim_id: int) -> RejectionNotice | None:
    return repository.latest_of_claim(session, model=RejectionNotice, claim_id=claim_id)


# -- the automatic authority (CLM-T2) -----------------------------------------------------

# Below tier 1: a round needing no person's tier, decided by a versioned rule set.
AUTOMATIC_TIER = 0


def decide_automatically(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    rule_set_version: str,
    limit: Decimal,
) -> ReviewRound:
    """SPEC CLM-T2: adjusted → in review → approved under the automatic authority.

    Only the automatic path calls this (its actor is a system principal), for a claim
    within the automatic limit, not major and never fraud-flagged; anything else raises
    before a row is written, so the claim goes to a person. The same transition table
    and the same approval (payment clocks, nothing-to-pay notice) as a person's."""
    if actor.session_kind != "system":
        raise ReviewerTierMismatch(tier=AUTOMATIC_TIER, role="automatic")
    amount = claim.payable_total or Decimal("0.00")
    flagged = repository.fraud_flag_count(session, claim_id=claim.id)
    if claim.is_major or flagged or amount <= 0 or amount > limit:
        raise ReviewerTierMismatch(
            tier=tiers_for(session, claim, at=timeutil.now())[0], role="automatic"
        )
    at = timeutil.now()
    number = repository.last_round_number(session, claim_id=claim.id) + 1
    why = [f"automatic:{rule_set_version}", f"amount<={limit}"]
    workflow.transition_by_service(
        session,
        claim=claim,
        action="submit_review",
        actor=actor,
        at=at,
        reason=f"自动理赔 / automatic ({rule_set_version})",
        details={
            "round": number,
            "tiers": AUTOMATIC_TIER,
            "tier_reasons": why,
            "rule_set_version": rule_set_version,
        },
    )
    review = ReviewRound(
        claim_id=claim.id,
        round=number,
        tiers_required=AUTOMATIC_TIER,
        amount=amount,
        tier_reasons=why,
        status="open",
        submitted_at=at,
        submitted_by_id=None,
    )
    session.add(review)
    session.flush()
    _start_advance_clock(session, claim=claim, actor=actor)
    record(
        session,
        actor=actor,
        action="claim.review_approve",
        entity_type="claim",
        entity_id=claim.id,
        reason=f"自动理赔规则集 {rule_set_version} / automatic rule set {rule_set_version}",
        at=at,
        details={
            "round": number,
            "tier": AUTOMATIC_TIER,
            "tiers_required": AUTOMATIC_TIER,
            "rule_set_version": rule_set_version,
            "checklist": {item: True for item in CHECKLIST},
        },
    )
    _approve(session, actor=actor, claim=claim, review=review, at=at)
    return review
