"""Closing (结案, CLM-X1, CLM-X2): the archive, callbacks and reopening.

Closing releases what is left of the reserves (FIN-1) and archives every record of the
claim under its number with a SHA-256 and a retention date: the limitation period of
Insurance Law art. 26 (5 years for life insurance, 2 years for every other line —
health, critical illness and accident are personal insurance but not life insurance,
so they keep 2 years) plus 5 years. The life lines are ClaimRules.life_lines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from claimdesk import lifecycle
from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil, workflow
from claimdesk.claims.config import rules
from claimdesk.claims.settlement import repository, reserves
from claimdesk.claims.settlement.decision_notices import ensure_pdf
from claimdesk.claims.settlement.errors import (
    CallbackAlreadyDone,
    OptionsRequired,
    ReopenReasonRequired,
    SatisfactionRequired,
)
from claimdesk.clocks import service as clocks
from claimdesk.errors import NotFound
from claimdesk.models.claim import (
    AdjustmentResult,
    Claim,
    ClaimTransition,
    MaterialFile,
    MissingMaterialsNotice,
    SurveyReport,
)
from claimdesk.models.clock import Clock
from claimdesk.models.payment import ArchiveRecord, Callback, Payment, PaymentBatch
from claimdesk.models.review import DecisionNotice, RejectionNotice, ReviewDecision
from claimdesk.payments.schemas import CallbackIn
from claimdesk.policies.service import add_months
from claimdesk.rules.deadlines import local_date


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def retention_until(claim: Claim, closed_on: dt.date) -> dt.date:
    config = rules()
    limitation = 5 if claim.line in config.life_lines else 2
    return add_months(day=closed_on, months=12 * (limitation + config.archive_extra_years))


def close(session: Session, *, actor: Principal, claim: Claim, reason: str | None) -> int:
    """Paid or rejected → closed; returns the archive number."""
    at = timeutil.now()
    workflow.transition_by_service(
        session, claim=claim, action="close", actor=actor, at=at, reason=reason
    )
    for reserve in reserves.reserves_of(session, claim.id):
        if reserve.amount != Decimal("0.00"):
            reserves.revise(
                session,
                actor=actor,
                claim=claim,
                coverage_code=reserve.coverage_code,
                amount=Decimal("0.00"),
                stage="closing",
                reason=reserves.system_reason("结案释放", "released at closing"),
            )
    archive_no = repository.last_archive_no(session, claim_id=claim.id) + 1
    keep_until = retention_until(claim, local_date(at))
    items = list(_records(session, claim))
    for kind, ref, description, sha256, details in items:
        session.add(
            ArchiveRecord(
                claim_id=claim.id,
                claim_number=claim.number,
                archive_no=archive_no,
                kind=kind,
                ref=ref,
                description=description,
                sha256=sha256,
                archived_at=at,
                retention_until=keep_until,
                details=details,
            )
        )
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.archived",
        entity_type="claim",
        entity_id=claim.id,
        at=at,
        details={
            "archive_no": archive_no,
            "records": len(items),
            "retention_until": keep_until.isoformat(),
        },
    )
    return archive_no


def _records(session: Session, claim: Claim) -> Any:
    """Every record of the claim: (kind, ref, description, sha256, details), in the
    order of its life: intake, settlement, payment, then its notices and trail."""
    yield from _intake_records(session, claim)
    yield from _settlement_records(session, claim.id)
    yield from _payment_records(session, claim.id)
    yield from _trail_records(session, claim.id)


def _intake_records(session: Session, claim: Claim) -> Any:
    cid = claim.id
    yield (
        "claim",
        str(cid),
        f"报案 {claim.number}",
        _digest(
            {
                "number": claim.number,
                "policy_id": claim.policy_id,
                "loss_date": claim.loss_date,
                "loss_cause": claim.loss_cause,
                "payable_total": claim.payable_total,
            }
        ),
        {},
    )
    for f in repository.of_claim(
        session, model=MaterialFile, claim_id=cid, order_by=[MaterialFile.id]
    ):
        yield (
            "file",
            str(f.id),
            f"{f.purpose}: {f.filename}",
            f.sha256,
            {"size": f.size, "content_type": f.content_type, "material_code": f.material_code},
        )
    for n in repository.of_claim(session, model=MissingMaterialsNotice, claim_id=cid):
        yield (
            "materials_notice",
            str(n.id),
            f"补充材料通知 #{n.sequence}",
            _digest({"items": n.items, "deadline": n.deadline, "sent_at": n.sent_at}),
            {},
        )
    for s in repository.of_claim(session, model=SurveyReport, claim_id=cid):
        yield ("survey_report", str(s.id), "查勘报告 survey report", s.content_hash, {})


def _settlement_records(session: Session, cid: int) -> Any:
    for a in repository.of_claim(session, model=AdjustmentResult, claim_id=cid):
        yield (
            "adjustment",
            str(a.id),
            f"理算 {a.coverage_code} → {a.payable}",
            _digest({"payable": a.payable, "trace": a.trace, "signed_by": a.signed_by}),
            {"current": a.current},
        )
    for d in repository.of_claim(session, model=ReviewDecision, claim_id=cid):
        yield (
            "review_decision",
            str(d.id),
            f"核赔第{d.tier}级 {d.decision} ({d.reviewer})",
            _digest(
                {
                    "tier": d.tier,
                    "decision": d.decision,
                    "checklist": d.checklist,
                    "reviewer": d.reviewer,
                    "at": d.decided_at,
                }
            ),
            {},
        )
    for r in repository.of_claim(session, model=RejectionNotice, claim_id=cid):
        yield ("rejection_notice", str(r.id), "拒赔通知书 rejection notice", r.sha256, {})
    for dn in repository.of_claim(session, model=DecisionNotice, claim_id=cid):
        # A settlement notice whose PDF job has not run yet is rendered for the archive.
        ensure_pdf(session, dn, actor=Principal.system("archive"))
        yield ("decision_notice", str(dn.id), "理赔决定通知书 decision notice", dn.sha256, {})


def _payment_records(session: Session, cid: int) -> Any:
    for p in repository.of_claim(session, model=Payment, claim_id=cid):
        kept: dict[str, Any] = {
            "amount": p.amount,
            "status": p.status,
            "key": p.idempotency_key,
            "reference": p.bank_reference,
            "paid_at": p.paid_at,
        }
        if p.means == "offline":
            # CLM-P3: a cash/offline payment's voucher is the payee's signed confirmation
            # (archived with the claim's files) and the ID checked at hand-over.
            kept |= {
                "means": p.means,
                "receipt_file_id": p.receipt_file_id,
                "payee_id_last4": p.payee_id_last4,
            }
        yield ("payment", str(p.id), f"赔款 {p.kind} {p.amount} {p.status}", _digest(kept), {})
        if p.batch_id is not None:
            batch = session.get(PaymentBatch, p.batch_id)
            if batch is not None:
                yield ("payment_file", f"{batch.id}:{p.id}", batch.filename, batch.sha256, {})


def _trail_records(session: Session, cid: int) -> Any:
    for m in repository.claim_messages(session, claim_id=cid):
        yield (
            "notice",
            str(m.id),
            f"{m.channel} {m.template}",
            hashlib.sha256(m.body.encode("utf-8")).hexdigest(),
            {"status": m.status},
        )
    for t in repository.of_claim(session, model=ClaimTransition, claim_id=cid):
        yield (
            "transition",
            str(t.id),
            f"{t.action}: {t.from_state}→{t.to_state}",
            _digest({"action": t.action, "at": t.at, "actor": t.actor}),
            {},
        )
    for e in repository.claim_audit_entries(session, claim_id=cid):
        yield ("audit_entry", str(e.seq), e.action, e.hash, {})


def archive_of(session: Session, claim_id: int) -> list[ArchiveRecord]:
    return repository.of_claim(
        session, model=ArchiveRecord, claim_id=claim_id, order_by=[ArchiveRecord.id]
    )


def reopen(session: Session, *, actor: Principal, claim: Claim, reason: str | None) -> None:
    """Closed → reopened → back into the workflow at adjustment (assessed facts kept)."""
    if not reason or not reason.strip():
        raise ReopenReasonRequired(field="reason")
    at = timeutil.now()
    workflow.transition_by_service(
        session, claim=claim, action="reopen", actor=actor, at=at, reason=reason
    )
    workflow.transition_by_service(
        session, claim=claim, action="resume_adjustment", actor=actor, at=at, reason=reason
    )


# -- callbacks (CLM-X2) -------------------------------------------------------------------


@dataclass(frozen=True)
class CallbackResult:
    outcome: str  # reached | unreachable
    satisfaction: int | None = None
    suggestions: str | None = None
    options_explained: tuple[str, ...] = ()

    @classmethod
    def of(cls, body: CallbackIn) -> CallbackResult:
        """The result as the API and the claim page receive it (one mapping for both)."""
        return cls(
            outcome=body.outcome,
            satisfaction=body.satisfaction,
            suggestions=body.suggestions,
            options_explained=tuple(body.options_explained),
        )


def callbacks_of(session: Session, claim_id: int) -> list[Callback]:
    return repository.of_claim(session, model=Callback, claim_id=claim_id, order_by=[Callback.id])


def complete_callback(
    session: Session, *, actor: Principal, claim: Claim, callback_id: int, data: CallbackResult
) -> Callback:
    callback = repository.callback_for_update(session, claim_id=claim.id, callback_id=callback_id)
    if callback is None:
        raise NotFound(what="callback", field="callback_id")
    if not lifecycle.CALLBACK.allows(callback.status, "done"):
        raise CallbackAlreadyDone()
    if data.outcome == "reached":
        if callback.kind == "paid" and data.satisfaction is None:
            raise SatisfactionRequired(field="satisfaction")
        # A decision with nothing to pay is explained like a rejection (CLM-V3, CLM-X2).
        if callback.kind in ("rejected", "decided") and not {"mediation", "arbitration"} <= set(
            data.options_explained
        ):
            raise OptionsRequired(field="options_explained")
    at = timeutil.now()
    callback.done_at, callback.done_by_id = at, actor.user_id
    callback.outcome, callback.satisfaction = data.outcome, data.satisfaction
    callback.suggestions, callback.options_explained = (
        data.suggestions,
        list(data.options_explained),
    )
    if callback.clock_id is not None:
        clock = session.get(Clock, callback.clock_id)
        if clock is not None and clock.stopped_at is None:
            clocks.stop_clock(session, clock=clock, at=max(at, clock.started_at), actor=actor)
    lifecycle.transition(
        session,
        entity=callback,
        table=lifecycle.CALLBACK,
        to="done",
        actor=actor,
        action="claim.callback_done",
        audit_as=("claim", claim.id),
        at=at,
        details={
            "callback_id": callback.id,
            "kind": callback.kind,
            "outcome": data.outcome,
            "satisfaction": data.satisfaction,
            "options": list(data.options_explained),
        },
    )
    return callback
