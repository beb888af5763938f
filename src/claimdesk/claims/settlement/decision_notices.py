"""An approval that leaves nothing to pay (CLM-V3, CLM-P5).

A decision below the deductible (payable 0.00), or a reopened claim whose new decision
adds nothing to everything already paid on it, must not wait for a payment that can
never be made. At approval such a claim moves approved → decided (nothing to pay) with
a written decision notice (理赔决定通知书: the calculation — claimed, removed,
deductible, ratio, payable, already paid — and how to object), sent through the
outbox, and a callback (CLM-X2) with its 3-working-day clock; closing follows. A new
decision lower than what was paid opens a recovery of the difference (the customer
owes it back). Callers hold the claim's row lock; services flush only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil, workflow
from claimdesk.claims.documents import _Writer
from claimdesk.claims.errors import IllegalTransition, TransitionGuardFailed
from claimdesk.claims.settlement import repository
from claimdesk.claims.settlement.adjustment import current_adjustments
from claimdesk.claims.settlement.repository import rounds_of
from claimdesk.clocks import service as clocks
from claimdesk.jobs.outbox import send_message
from claimdesk.models.claim import Claim
from claimdesk.models.payment import Callback, Recovery
from claimdesk.models.review import DecisionNotice, ReviewRound
from claimdesk.payments import service as pay_service
from claimdesk.rules.deadlines import local_date, to_local

# CLM-V3: how to contest a decision, in every decision and rejection notice.
APPEAL_ROUTE_ZH = (
    "如对本决定有异议，您可以：(1) 向本公司申请复核，或向保险行业协会、银行保险监督管理机构申请调解；"
    "(2) 依保险合同约定的仲裁条款向仲裁机构申请仲裁；(3) 向有管辖权的人民法院提起诉讼。"
)
APPEAL_ROUTE_EN = (
    "If you disagree you may: (1) ask us for a re-review, or seek mediation by the insurance "
    "association or the banking and insurance regulator; (2) apply for arbitration under the "
    "contract's arbitration clause; (3) sue in the competent people's court."
)

ZERO = Decimal("0.00")
RECOVERY_KIND = "overpayment"
RECOVERY_REASON = "重开后核定金额低于已付金额 / reopened decision lower than paid"


def calculation(session: Session, claim: Claim) -> list[dict[str, Any]]:
    """Per coverage: what was claimed, what was removed, deductible, ratio, payable."""
    rows: list[dict[str, Any]] = []
    for code, adjustment in sorted(current_adjustments(session, claim.id).items()):
        items = repository.assessment_items(session, adjustment.assessment_id)
        claimed = sum((i.amount or ZERO for i in items), ZERO)
        removed = sum((i.amount or ZERO for i in items if i.removed), ZERO)
        rows.append(
            {
                "coverage_code": code,
                "claimed": str(claimed),
                "removed": str(removed),
                "deductible": None if adjustment.deductible is None else str(adjustment.deductible),
                "ratio": None if adjustment.ratio is None else str(adjustment.ratio.normalize()),
                "payable": str(adjustment.payable),
            }
        )
    return rows


def conclude(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    review: ReviewRound,
    payable: Decimal,
    already_paid: Decimal,
    at: dt.datetime,
) -> DecisionNotice:
    """approved → decided: the notice, a recovery if the decision is lower, a callback."""
    difference = payable - already_paid
    rows = calculation(session, claim)
    recovery = None
    if difference < 0:
        recovery = _open_recovery(session, actor=actor, claim=claim, amount=-difference, at=at)
    pdf = notice_pdf(
        claim,
        rows=rows,
        payable=payable,
        already_paid=already_paid,
        decided_at=at,
        appeal_zh=APPEAL_ROUTE_ZH,
        appeal_en=APPEAL_ROUTE_EN,
    )
    notice = DecisionNotice(
        claim_id=claim.id,
        round_id=review.id,
        payable=payable,
        already_paid=already_paid,
        difference=difference,
        calculation={"coverages": rows},
        recovery_id=None if recovery is None else recovery.id,
        issued_at=at,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    session.add(notice)
    session.flush()
    workflow.transition_by_service(
        session,
        claim=claim,
        action="conclude_without_payment",
        actor=actor,
        at=at,
        details={
            "round": review.round,
            "notice_id": notice.id,
            "payable": str(payable),
            "already_paid": str(already_paid),
            "difference": str(difference),
            "recovery_id": notice.recovery_id,
            "pdf_sha256": notice.sha256,
        },
    )
    message = send_message(
        session,
        channel="sms" if claim.contact_phone else "app",
        recipient=claim.contact_phone or f"person:{claim.insured_person_id}",
        template="claim.decision_notice",
        body=_message_body(claim, rows, payable, already_paid, APPEAL_ROUTE_ZH),
        language="zh-CN",
        person_id=claim.insured_person_id,
        dedupe_key=f"claim:{claim.id}:decision_notice:{notice.id}",
        related_type="claim",
        related_id=str(claim.id),
    )
    notice.outbox_message_id = None if message is None else message.id
    _open_callback(session, actor=actor, claim=claim, notice=notice, at=at)
    return notice


def open_recovery(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    amount: Decimal,
    at: dt.datetime,
    note: str = RECOVERY_REASON,
) -> Recovery:
    """CLM-P5: money paid above a later decision is owed back (the reopened claim's
    lower decision, or a quality-sample correction, CLM-T3)."""
    return _open_recovery(session, actor=actor, claim=claim, amount=amount, at=at, note=note)


def _open_recovery(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    amount: Decimal,
    at: dt.datetime,
    note: str = RECOVERY_REASON,
) -> Recovery:
    recovery = Recovery(
        claim_id=claim.id,
        kind=RECOVERY_KIND,
        amount=amount,
        counterparty=claim.claimant_name,
        received_on=local_date(at),
        note=note,
        recorded_by_id=actor.user_id,
        recorded_at=at,
    )
    session.add(recovery)
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.recovery_opened",
        entity_type="claim",
        entity_id=claim.id,
        at=at,
        reason=note,
        details={"recovery_id": recovery.id, "kind": RECOVERY_KIND, "amount": str(amount)},
    )
    return recovery


def _open_callback(
    session: Session, *, actor: Principal, claim: Claim, notice: DecisionNotice, at: dt.datetime
) -> None:
    """CLM-X2: the decision is explained by a callback within 3 working days."""
    definition = workflow.CLOCKS["claim.callback"]
    clock = clocks.start_clock(
        session,
        subject_type="claim_callback",
        subject_id=f"{claim.id}:decided:{notice.id}",
        name="claim.callback",
        rule=definition.rule,
        started_at=at,
        basis=definition.basis,
        org_unit_id=claim.org_unit_id,
        actor=actor,
    )
    session.add(
        Callback(
            claim_id=claim.id,
            kind="decided",
            source_id=notice.id,
            created_at=at,
            clock_id=clock.id,
            status="open",
        )
    )
    session.flush()


def _message_body(
    claim: Claim,
    rows: list[dict[str, Any]],
    payable: Decimal,
    already_paid: Decimal,
    appeal_zh: str,
) -> str:
    parts = [
        f"{r['coverage_code']}：申请 {r['claimed']} 元，剔除 {r['removed']} 元，"
        f"免赔额 {r['deductible'] or '-'} 元，赔付比例 {r['ratio'] or '-'}，核定 {r['payable']} 元"
        for r in rows
    ]
    owed = already_paid - payable
    tail = (
        f"已支付 {already_paid} 元，多付 {owed} 元须退回。"
        if owed > 0
        else (f"已支付 {already_paid} 元，本次无需另行支付。" if already_paid > 0 else "")
    )
    return (
        f"理赔决定通知书 报案号 {claim.number}：经核定，本案赔付金额为 {payable} 元，"
        f"本次无需支付。计算：{'；'.join(parts)}。{tail}{appeal_zh}"
    )


def notice_pdf(
    claim: Claim,
    *,
    rows: list[dict[str, Any]],
    payable: Decimal,
    already_paid: Decimal,
    decided_at: dt.datetime,
    appeal_zh: str,
    appeal_en: str,
) -> bytes:
    doc = _Writer(f"理赔决定通知书 Notice of claim decision — {claim.number}")
    doc.line(f"报案号 Claim: {claim.number}    申请人 Claimant: {claim.claimant_name}")
    doc.line(f"核定日期 Decided: {to_local(decided_at).strftime('%Y-%m-%d %H:%M')}")
    doc.line("")
    doc.line(
        f"经核定，本案赔付金额为 {payable} 元，本次无需支付。"
        f"The amount payable is {payable}; nothing is to be paid now.",
        size=12,
    )
    doc.line("一、计算过程 Calculation:", size=12)
    for r in rows:
        doc.line(f"保障 Coverage {r['coverage_code']}", indent=10)
        doc.line(f"申请金额 Claimed: {r['claimed']} 元", indent=20)
        doc.line(f"剔除金额 Removed: {r['removed']} 元", indent=20)
        doc.line(f"免赔额 Deductible: {r['deductible'] or '-'} 元", indent=20)
        doc.line(f"赔付比例 Ratio: {r['ratio'] or '-'}", indent=20)
        doc.line(f"核定金额 Payable: {r['payable']} 元", indent=20)
    doc.line(f"已支付 Already paid: {already_paid} 元", indent=10)
    if already_paid > payable:
        doc.line(
            f"多付金额 Overpaid, to be returned: {already_paid - payable} 元 "
            "（重开后核定金额低于已付金额 reopened decision lower than paid）",
            indent=10,
        )
    doc.line("二、异议途径 How to object:", size=12)
    doc.line(appeal_zh, indent=10)
    doc.line(appeal_en, indent=10)
    return doc.done()


def notice_of(session: Session, claim_id: int) -> DecisionNotice | None:
    return repository.latest_of_claim(session, DecisionNotice, claim_id)


def conclude_approved(session: Session, *, actor: Principal, claim: Claim) -> DecisionNotice:
    """The way out for a claim approved before this rule (or by any other path) whose
    decision leaves nothing to pay: it was stuck between approval and payment."""
    if claim.state != workflow.APPROVED:
        raise IllegalTransition(state=claim.state, action="conclude_without_payment")
    plan = pay_service.indemnity_plan(session, claim)
    if plan.difference > 0:
        raise TransitionGuardFailed(
            action="conclude_without_payment",
            why_zh=f"本案尚有 {plan.difference} 元应付，须发起支付",
            why_en=f"{plan.difference} is still payable; request the payment",
        )
    review = [r for r in rounds_of(session, claim.id) if r.status == "approved"][-1]
    return conclude(
        session,
        actor=actor,
        claim=claim,
        review=review,
        payable=plan.payable,
        already_paid=plan.already_paid,
        at=timeutil.now(),
    )
