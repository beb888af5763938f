"""Settlement queries: what earlier paid claims of the same policy already used of each
coverage (the ADJ-* accumulators), read by adjustment and by the reserves' remaining
limit (here, not in adjustment, so reserves and adjustment need not import each other);
the claim's assessments, adjustments, reserves, review rounds and decisions, notices,
callbacks and archive; and every record of a claim the archive lists at closing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import (
    AdjustmentResult,
    Assessment,
    AssessmentItem,
    Claim,
    ClaimTransition,
    FraudFlag,
    Reserve,
    SurveyAssignment,
)
from claimdesk.models.job import OutboxMessage
from claimdesk.models.payment import ArchiveRecord, Callback, Payment
from claimdesk.models.policy import Policy
from claimdesk.models.product import Coverage
from claimdesk.models.review import DecisionNotice, ReviewDecision, ReviewRound
from claimdesk.rules.adjudication import types as t

M = TypeVar("M")


def paid_claims() -> Any:
    return select(Payment.claim_id).where(Payment.status == "paid")


def earlier_results(
    session: Session,
    *,
    claim: Claim,
    coverage_code: str | None = None,
    coverage_type: str | None = None,
) -> list[AdjustmentResult]:
    query = (
        select(AdjustmentResult)
        .join(Claim, Claim.id == AdjustmentResult.claim_id)
        .where(
            Claim.policy_id == claim.policy_id,
            Claim.id != claim.id,
            Claim.id.in_(paid_claims()),
            AdjustmentResult.current.is_(True),
        )
    )
    if coverage_code:
        query = query.where(AdjustmentResult.coverage_code == coverage_code)
    if coverage_type:
        query = query.where(AdjustmentResult.coverage_type == coverage_type)
    return list(session.scalars(query))


def history_for(session: Session, *, claim: Claim, coverage: Coverage) -> t.History:
    """Accumulators of ADJ-*: per policy (a policy is one policy year; a renewal is a new
    policy) for medical, per policy life otherwise."""
    earlier = earlier_results(session, claim=claim, coverage_code=coverage.code)
    paid = sum((a.payable for a in earlier), Decimal("0.00"))
    deductible_used = sum(
        (
            a.deductible or Decimal("0.00")
            for a in earlier
            if a.coverage_type in ("medical", "accident_medical")
        ),
        Decimal("0.00"),
    )
    disability_paid = sum(
        (
            a.payable
            for a in earlier_results(session, claim=claim, coverage_type="accident_disability")
        ),
        Decimal("0.00"),
    )
    codes = [
        [step.get("code") for step in a.trace]
        for a in earlier
        if a.coverage_type == "critical_illness"
    ]
    return t.History(
        paid=paid,
        deductible_used=min(deductible_used, paid + deductible_used),
        disability_paid=disability_paid,
        severe_paid=any("CI.SEVERE" in c for c in codes),
        mild_paid_count=sum(1 for c in codes if "CI.MILD" in c),
    )


def rounds_of(session: Session, *, claim_id: int) -> list[ReviewRound]:
    return list(
        session.scalars(
            select(ReviewRound).where(ReviewRound.claim_id == claim_id).order_by(ReviewRound.round)
        )
    )


def of_claim(
    session: Session, *, model: type[M], claim_id: int, order_by: Sequence[Any] = ()
) -> list[M]:
    """Every row of ``model`` (a table with a claim_id) recorded on the claim, in
    ``order_by`` (columns) when given."""
    query = select(model).where(model.claim_id == claim_id)  # type: ignore[attr-defined]
    return list(session.scalars(query.order_by(*order_by) if order_by else query))


def latest_of_claim(session: Session, *, model: type[M], claim_id: int) -> M | None:
    """The claim's newest row of ``model`` (by id)."""
    query = select(model).where(model.claim_id == claim_id)  # type: ignore[attr-defined]
    return session.scalars(query.order_by(model.id.desc())).first()  # type: ignore[attr-defined]


# -- assessment and adjustment ----------------------------------------------------------


def current_assessments(session: Session, *, claim_id: int) -> list[Assessment]:
    query = (
        select(Assessment)
        .where(Assessment.claim_id == claim_id, Assessment.current.is_(True))
        .options(selectinload(Assessment.items))
    )
    return list(session.scalars(query))


def assessment_items(session: Session, *, assessment_id: int) -> list[AssessmentItem]:
    query = select(AssessmentItem).where(AssessmentItem.assessment_id == assessment_id)
    return list(session.scalars(query))


def last_move_at(session: Session, *, claim_id: int, action: str) -> dt.datetime | None:
    """When the claim last made the workflow move ``action``, None if it never did."""
    query = select(func.max(ClaimTransition.at)).where(
        ClaimTransition.claim_id == claim_id, ClaimTransition.action == action
    )
    return session.scalar(query)


def supersede_assessments(session: Session, *, claim_id: int, coverage_code: str) -> None:
    """The coverage's earlier assessments of the claim are no longer current (a
    re-assessment supersedes them; they stay on record)."""
    session.execute(
        update(Assessment)
        .where(Assessment.claim_id == claim_id, Assessment.coverage_code == coverage_code)
        .values(current=False)
    )


def supersede_adjustments(session: Session, *, claim_id: int, coverage_code: str) -> None:
    """The coverage's earlier adjustment results of the claim are no longer current."""
    session.execute(
        update(AdjustmentResult)
        .where(
            AdjustmentResult.claim_id == claim_id,
            AdjustmentResult.coverage_code == coverage_code,
        )
        .values(current=False)
    )


def current_adjustments(session: Session, *, claim_id: int) -> list[AdjustmentResult]:
    query = select(AdjustmentResult).where(
        AdjustmentResult.claim_id == claim_id, AdjustmentResult.current.is_(True)
    )
    return list(session.scalars(query))


def coverages_of_policy(session: Session, *, policy_id: int) -> list[Coverage]:
    """The coverages of the product version the policy was sold under."""
    version_id = select(Policy.product_version_id).where(Policy.id == policy_id)
    version = session.scalar(version_id)
    return list(session.scalars(select(Coverage).where(Coverage.version_id == version)))


def reserve(session: Session, *, claim_id: int, coverage_code: str) -> Reserve | None:
    query = select(Reserve).where(
        Reserve.claim_id == claim_id, Reserve.coverage_code == coverage_code
    )
    return session.scalars(query).one_or_none()


# -- review (CLM-V1, CLM-V2) --------------------------------------------------------------


def fraud_flag_count(session: Session, *, claim_id: int) -> int:
    query = select(func.count()).select_from(FraudFlag).where(FraudFlag.claim_id == claim_id)
    return session.scalar(query) or 0


def transition_actors(session: Session, *, claim_id: int) -> list[tuple[str, int | None]]:
    query = select(ClaimTransition.action, ClaimTransition.actor_id).where(
        ClaimTransition.claim_id == claim_id
    )
    return [(action, actor_id) for action, actor_id in session.execute(query)]


def handlers(session: Session, *, claim_id: int) -> list[tuple[int | None, str]]:
    """(user id, role) of whoever surveyed, assessed and adjusted the claim."""
    found: list[tuple[int | None, str]] = []
    for query, role in (
        (
            select(SurveyAssignment.surveyor_id).where(SurveyAssignment.claim_id == claim_id),
            "surveyor",
        ),
        (select(Assessment.assessed_by_id).where(Assessment.claim_id == claim_id), "assessor"),
        (
            select(AdjustmentResult.signed_by_id).where(AdjustmentResult.claim_id == claim_id),
            "adjuster",
        ),
    ):
        found += [(user_id, role) for user_id in session.scalars(query)]
    return found


def open_round(session: Session, *, claim_id: int) -> ReviewRound | None:
    query = (
        select(ReviewRound)
        .where(ReviewRound.claim_id == claim_id, ReviewRound.status == "open")
        .order_by(ReviewRound.round.desc())
    )
    return session.scalars(query).first()


def last_round_number(session: Session, *, claim_id: int) -> int:
    query = select(func.max(ReviewRound.round)).where(ReviewRound.claim_id == claim_id)
    return session.scalar(query) or 0


def decisions_of(
    session: Session, *, claim_id: int, round_id: int | None = None
) -> list[ReviewDecision]:
    query = select(ReviewDecision).where(ReviewDecision.claim_id == claim_id)
    if round_id is not None:
        query = query.where(ReviewDecision.round_id == round_id)
    return list(session.scalars(query.order_by(ReviewDecision.id)))


def tier_decided(session: Session, *, round_id: int, tier: int) -> bool:
    query = select(ReviewDecision.id).where(
        ReviewDecision.round_id == round_id, ReviewDecision.tier == tier
    )
    return session.scalar(query) is not None


# -- payment, callbacks, closing ----------------------------------------------------------


def paid_amounts(session: Session, *, claim_id: int) -> list[Decimal]:
    query = select(Payment.amount).where(Payment.claim_id == claim_id, Payment.status == "paid")
    return list(session.scalars(query))


def callback_of_clock(session: Session, *, clock_id: int) -> Callback | None:
    return session.scalars(select(Callback).where(Callback.clock_id == clock_id)).first()


def callback_for_update(session: Session, *, claim_id: int, callback_id: int) -> Callback | None:
    query = (
        select(Callback)
        .where(Callback.id == callback_id, Callback.claim_id == claim_id)
        .with_for_update()
    )
    return session.scalars(query).one_or_none()


# -- decision notices (CLM-C3) -----------------------------------------------------------


def notice_of_payment(session: Session, *, payment_id: int) -> DecisionNotice | None:
    """The settlement notice already issued for the payment, if any."""
    query = select(DecisionNotice).where(DecisionNotice.payment_id == payment_id)
    return session.scalars(query).first()


def notice_id_of_round(session: Session, *, round_id: int | None) -> int | None:
    """The id of a notice that already explains the review round (with None: of a
    notice with no round), or None."""
    return session.scalar(select(DecisionNotice.id).where(DecisionNotice.round_id == round_id))


def notice_for_update(session: Session, *, notice_id: int) -> DecisionNotice:
    """The notice, its row locked and its attributes re-read from the database."""
    query = (
        select(DecisionNotice)
        .where(DecisionNotice.id == notice_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).one()


def last_archive_no(session: Session, *, claim_id: int) -> int:
    query = select(func.max(ArchiveRecord.archive_no)).where(ArchiveRecord.claim_id == claim_id)
    return session.scalar(query) or 0


def claim_messages(session: Session, *, claim_id: int) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(
        OutboxMessage.related_type == "claim", OutboxMessage.related_id == str(claim_id)
    )
    return list(session.scalars(query))


def claim_audit_entries(session: Session, *, claim_id: int) -> list[AuditEntry]:
    query = (
        select(AuditEntry)
        .where(AuditEntry.entity_type == "claim", AuditEntry.entity_id == str(claim_id))
        .order_by(AuditEntry.seq)
    )
    return list(session.scalars(query))
