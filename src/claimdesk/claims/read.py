"""The claim as the API and the pages show it (``ClaimOut``): a read model built from a
handful of queries — the claim's checklist, files, notices, clocks, reserves with their
history, current adjustments and audit timeline — one query each, no query per row.

``claim_detail`` reads everything; ``new_claim`` is the claim ``report.report`` has just
created in this transaction, which has no files, notices, reserves, adjustments or
chained audit entries yet (they come with acceptance and later steps; audit entries are
chained at commit): it is built from what the report wrote — the claim, its policy's
number, checklist and clocks — with no query (issue 14 item 2)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from claimdesk.audit.repository import timeline
from claimdesk.auth.principal import Principal
from claimdesk.claims import repository, workflow
from claimdesk.claims.clock_list import claim_clocks
from claimdesk.claims.intake import acceptance
from claimdesk.claims.intake.report import (
    ChecklistItem,
    PolicyRef,
    Reported,
    loss_outside_cover,
)
from claimdesk.claims.repository import files_of, materials_of, policy_of
from claimdesk.claims.schemas import (
    AdjustmentOut,
    ClaimOut,
    FileOut,
    IntakeFlagOut,
    MaterialOut,
    NoticeOut,
    ReporterOut,
    ReserveChangeOut,
    ReserveOut,
    TimelineEntry,
)
from claimdesk.claims.settlement import adjustment, reserves
from claimdesk.clocks.schemas import ClockOut
from claimdesk.clocks.service import PlannedClock
from claimdesk.code_labels import major_reason_code
from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import (
    AdjustmentResult,
    Claim,
    Material,
    MaterialFile,
    MissingMaterialsNotice,
    Reserve,
    ReserveChange,
)
from claimdesk.models.clock import Clock
from claimdesk.models.policy import Policy
from claimdesk.paging import PageRequest, Slice
from claimdesk.products.coverage_types import MATERIALS

# What a customer reading their own claim sees of its timeline: the workflow's steps,
# without reasons, details or staff names, and nothing of a fraud hold (CLM-F1: the
# investigation must not be tipped off; its findings are the investigator's).
_HIDDEN_FROM_CUSTOMERS = frozenset({"suspend", *workflow.FRAUD_ACTIONS})
_CUSTOMER_TIMELINE = frozenset(
    f"claim.{m.action}" for m in workflow.MOVES if m.action not in _HIDDEN_FROM_CUSTOMERS
)


def claim_detail(
    session: Session, claim: Claim, *, language: str, customer_view: bool = False
) -> ClaimOut:
    """The claim with everything recorded on it. ``customer_view``: as its customer may
    read it — no case reserves (an internal estimate) and only the customer timeline."""
    out = _claim_out(session, claim, language=language)
    out.files = [file_out(f) for f in files_of(session, claim_id=claim.id)]
    out.notices = [_notice_out(n) for n in acceptance.notices_of(session, claim.id)]
    current = reserves.reserves_of(session, claim.id)
    out.reserves = [ReserveOut(coverage_code=r.coverage_code, amount=r.amount) for r in current]
    out.reserve_history = _history_out(current, reserves.history_of(session, claim.id))
    out.adjustments = [
        adjustment_out(a) for a in adjustment.current_adjustments(session, claim.id).values()
    ]
    out.timeline = _timeline_out(timeline(session, entity_type="claim", entity_id=claim.id))
    return _for_customer(out) if customer_view else out


def new_claim(
    session: Session, reported: Reported, *, language: str, customer_view: bool = False
) -> ClaimOut:
    """The claim ``report.report`` created in this transaction, from what it wrote: its
    checklist and clocks; every other list is empty by construction (see the module's
    note). Nothing is read back."""
    out = _claim_out(
        session,
        reported.claim,
        language=language,
        policy=reported.policy,
        checklist=reported.checklist,
        clocks=reported.clocks,
    )
    return _for_customer(out) if customer_view else out


def adjustment_out(a: AdjustmentResult) -> AdjustmentOut:
    """A signed decision as it states itself (CLM-C1): the items by code and in words."""
    return AdjustmentOut(
        id=a.id,
        coverage_code=a.coverage_code,
        coverage_type=a.coverage_type,
        payable=a.payable,
        reason=a.reason,
        liability=a.liability,
        covered_items=list(a.covered_item_codes or []),
        covered_items_text=a.covered_items,
        ratio=a.ratio,
        deductible=a.deductible,
        deductible_rate=a.deductible_rate,
        rejection_reason=a.rejection_reason,
        rejection_clause=a.rejection_clause,
        rejection_evidence=a.rejection_evidence,
        signed_by=a.signed_by,
        signed_at=a.signed_at,
        history=a.history,
        trace=a.trace,
    )


def intake_flags(
    claim: Claim, policy: PolicyRef | Policy | None, *, language: str
) -> list[IntakeFlagOut]:
    """What the handler is shown about the report at once (report.LossOutsidePeriod)."""
    if policy is None:
        return []
    outside = loss_outside_cover(policy, claim.loss_date)
    if outside is None:
        return []
    return [
        IntakeFlagOut(
            code=outside.code, message=outside.message(language), details=outside.details()
        )
    ]


def file_out(f: MaterialFile) -> FileOut:
    return FileOut(
        id=f.id,
        material_code=f.material_code,
        purpose=f.purpose,
        filename=f.filename,
        content_type=f.content_type,
        size=f.size,
        sha256=f.sha256,
        auth_method=f.auth_method,
        uploaded_at=f.uploaded_at,
    )


def mask_phone(phone: str | None) -> str | None:
    return None if not phone else phone[:3] + "****" + phone[-4:]


def _claim_out(
    session: Session,
    claim: Claim,
    *,
    language: str,
    policy: PolicyRef | Policy | None = None,
    checklist: Sequence[Material | ChecklistItem] | None = None,
    clocks: Sequence[Clock | PlannedClock] | None = None,
) -> ClaimOut:
    """The claim's own columns, its policy's number (and period, for the intake flags),
    its checklist and its clocks (three queries, none for what is given)."""
    if policy is None:
        policy = policy_of(session, claim=claim)
    policy_number = policy.number if policy is not None else None
    if checklist is None:
        checklist = materials_of(session, claim_id=claim.id)
    if clocks is None:
        clocks = claim_clocks(session, claim.id)
    # Built without validation (model_construct): every value comes from a typed column
    # or from the report's validated input, so validating them again changed nothing
    # and cost about what serialising does (issue 14, bench.profile_report). The
    # serialiser still warns on a value of the wrong type; the report's golden response
    # test pins the bytes.
    return ClaimOut.model_construct(
        id=claim.id,
        number=claim.number,
        state=claim.state,
        resume_state=claim.resume_state,
        policy_id=claim.policy_id,
        policy_number=policy_number,
        line=claim.line,
        channel=claim.channel,
        coverage_codes=claim.coverage_codes,
        claimant_name=claim.claimant_name,
        contact_phone_masked=mask_phone(claim.contact_phone),
        reporter=_reporter_out(claim),
        loss_date=claim.loss_date,
        loss_place=claim.loss_place,
        loss_cause=claim.loss_cause,
        loss_overview=claim.loss_overview,
        estimated_amount=claim.estimated_amount,
        is_major=claim.is_major,
        major_reason_codes=[major_reason_code(r) for r in claim.major_reasons or []],
        major_reasons=claim.major_reasons,
        intake_flags=intake_flags(claim, policy, language=language),
        received_at=claim.received_at,
        entered_at=claim.entered_at,
        surveyor_id=claim.surveyor_id,
        payable_total=claim.payable_total,
        allowed_actions=workflow.allowed_actions(claim),
        checklist=[_material_out(m) for m in checklist],
        files=[],
        notices=[],
        # GEN-4: the claim's own clocks and its disputes' and callbacks' (CLM-Z3, X2).
        clocks=[ClockOut.of(c, language).model_dump(mode="json") for c in clocks],
        reserves=[],
        reserve_history=[],
        adjustments=[],
        timeline=[],
    )


def _reporter_out(claim: Claim) -> ReporterOut | None:
    """Who reported a claim staff took (CLM-R1), the phone masked (SEC-1)."""
    if claim.reporter_name is None:
        return None
    return ReporterOut.model_construct(
        name=claim.reporter_name,
        relationship=claim.reporter_relationship,
        phone_masked=mask_phone(claim.reporter_phone),
    )


def _material_out(m: Material | ChecklistItem) -> MaterialOut:
    label_zh, label_en = MATERIALS.get(m.code, (m.code, m.code))
    return MaterialOut.model_construct(  # typed columns, as in _claim_out
        code=m.code,
        label_zh=label_zh,
        label_en=label_en,
        origin=m.origin,
        received=m.received,
        received_at=m.received_at,
        paper_count=m.paper_count,
        original_checked_by_id=m.original_checked_by_id,
        review_result=m.review_result,
    )


def _notice_out(n: MissingMaterialsNotice) -> NoticeOut:
    return NoticeOut(
        id=n.id,
        sequence=n.sequence,
        items=n.items,
        deadline=n.deadline,
        sent_at=n.sent_at,
        justification=n.justification,
    )


def _history_out(
    current: Sequence[Reserve], changes: Iterable[ReserveChange]
) -> list[ReserveChangeOut]:
    # A change belongs to one of the claim's reserves, already loaded: no query per row.
    code_of = {r.id: r.coverage_code for r in current}
    return [
        ReserveChangeOut(
            coverage_code=code_of.get(c.reserve_id, ""),
            before=c.before,
            after=c.after,
            stage=c.stage,
            reason=c.reason,
            changed_at=c.changed_at,
        )
        for c in changes
    ]


def _timeline_out(entries: Iterable[AuditEntry]) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            seq=e.seq,
            occurred_at=e.occurred_at,
            actor=e.actor,
            action=e.action,
            reason=e.reason,
            details=json.loads(e.details or "{}"),
        )
        for e in entries
    ]


def _for_customer(out: ClaimOut) -> ClaimOut:
    shown = [
        entry.model_copy(update={"actor": "", "reason": None, "details": {}})
        for entry in out.timeline
        if entry.action in _CUSTOMER_TIMELINE
    ]
    # The intake flags are the handler's working notes, not a decision (the customer is
    # told the decision, with its reasons, in writing).
    return out.model_copy(
        update={"reserves": [], "reserve_history": [], "timeline": shown, "intake_flags": []}
    )


# -- what the pages read of a claim (they call the domain, not its repository) -----------


def claim_for(
    session: Session, actor: Principal, claim_id: int, *, for_update: bool = False
) -> Claim:
    """The claim ``actor`` may read (row-filtered: a surveyor sees only their own,
    CLM-F2), locked ``FOR UPDATE`` when a step moves it; ``NotFound`` (naming claim_id)
    for a claim that does not exist or is not theirs to see."""
    return repository.get_claim(session, actor=actor, claim_id=claim_id, for_update=for_update)


def open_queue(
    session: Session, *, actor: Principal, limit: int
) -> list[tuple[Claim, dt.datetime | None]]:
    """The open claims ``actor`` may work, the most urgent first, with each one's next
    deadline (CLM-Z2; ``repository.queue`` holds the order and the row filter)."""
    return repository.queue(session, actor=actor, limit=limit)


def claim_materials(session: Session, claim_id: int) -> list[Material]:
    """The claim's checklist items (materials), in the order they were listed."""
    return materials_of(session, claim_id=claim_id)


def visible_claims(session: Session, actor: Principal) -> list[Claim]:
    """Every claim ``actor`` may see, newest first (a customer's own: few by nature)."""
    return list(session.scalars(repository.visible_claims(actor=actor)))


def claims_page(session: Session, actor: Principal, request: PageRequest) -> Slice[Claim]:
    """A page of the claims ``actor`` may see, newest first (the portal's list)."""
    return repository.claims_page(session, actor=actor, request=request)


def claim_timeline(session: Session, claim_id: int) -> Sequence[AuditEntry]:
    """Everything recorded about the claim, oldest first (its audit timeline)."""
    return timeline(session, entity_type="claim", entity_id=claim_id)
