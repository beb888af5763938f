"""Claims API (/api/v1/claims): thin handlers over the services; every route declares
its permission and every claim is loaded through the row-filtered repository."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.audit.repository import timeline
from claimdesk.audit.service import record
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims import documents, workflow
from claimdesk.claims.clock_list import claim_clocks
from claimdesk.claims.fraud import service as fraud
from claimdesk.claims.intake import acceptance, report, survey
from claimdesk.claims.repository import get_claim, materials_of, queue
from claimdesk.claims.schemas import (
    AcceptIn,
    AdjusterAcceptIn,
    AdjustmentIn,
    AdjustmentOut,
    AssessmentIn,
    AssignIn,
    ClaimOut,
    ClaimSummary,
    ContactIn,
    CoveragesIn,
    FileOut,
    FraudFlagIn,
    FraudResolveIn,
    LaterMaterialsRequest,
    MaterialOut,
    MaterialReceive,
    MaterialReview,
    NoticeCreate,
    NoticeOut,
    ReportCreate,
    ReserveChangeOut,
    ReserveOut,
    ReserveRevise,
    SurveyPlanItemOut,
    SurveyPlanOut,
    SurveyReportIn,
    TimelineEntry,
    TransitionIn,
)
from claimdesk.claims.settlement import adjustment, assessment, reserves
from claimdesk.clocks.schemas import ClockOut
from claimdesk.deps import DB, CurrentPrincipal, require
from claimdesk.errors import PermissionDenied
from claimdesk.models.claim import Claim, MaterialFile
from claimdesk.products.coverage_types import MATERIALS
from claimdesk.rules.survey_plan import PlanAnswer

router = APIRouter(prefix="/claims", tags=["claims"])


def _needs(permission: Permission) -> object:
    return Depends(require(permission))


Reporter = Annotated[Principal, Depends(require(Permission.CLAIMS_REPORT))]
Reader = Annotated[Principal, Depends(require(Permission.CLAIMS_READ))]
Uploader = Annotated[Principal, Depends(require(Permission.CLAIMS_UPLOAD))]
Handler = Annotated[Principal, Depends(require(Permission.CLAIMS_ACCEPT))]
Surveyor = Annotated[Principal, Depends(require(Permission.CLAIMS_SURVEY))]
Assessor = Annotated[Principal, Depends(require(Permission.CLAIMS_ASSESS))]
Adjuster = Annotated[Principal, Depends(require(Permission.CLAIMS_ADJUST))]
ReserveKeeper = Annotated[Principal, Depends(require(Permission.CLAIMS_RESERVE))]
Flagger = Annotated[Principal, Depends(require(Permission.FRAUD_FLAG))]
Investigator = Annotated[Principal, Depends(require(Permission.FRAUD_INVESTIGATE))]


def _mask_phone(phone: str | None) -> str | None:
    return None if not phone else phone[:3] + "****" + phone[-4:]


# What a customer reading their own claim sees of its timeline: the workflow's steps,
# without reasons, details or staff names, and nothing of a fraud hold (CLM-F1: the
# investigation must not be tipped off; its findings are the investigator's).
_HIDDEN_FROM_CUSTOMERS = frozenset({"suspend", *workflow.FRAUD_ACTIONS})
_CUSTOMER_TIMELINE = frozenset(
    f"claim.{m.action}" for m in workflow.MOVES if m.action not in _HIDDEN_FROM_CUSTOMERS
)


def claim_out(
    session: Session,
    claim: Claim,
    language: str,
    *,
    just_reported: bool = False,
    customer_view: bool = False,
) -> ClaimOut:
    """The claim with everything recorded on it.

    ``customer_view``: the claim as its customer may read it — no case reserves (an
    internal estimate) and only the customer timeline (see _CUSTOMER_TIMELINE).

    ``just_reported``: the claim was created by report.report_claim in this transaction,
    which writes no files, notices, reserves or adjustments (they come with acceptance
    and later steps) and whose audit entries are chained at commit — so those lists are
    empty by construction and the six queries for them are skipped on the busiest write
    path (issue 4's report benchmark)."""
    files: Iterable[MaterialFile] = (
        []
        if just_reported
        else session.scalars(
            select(MaterialFile).where(MaterialFile.claim_id == claim.id).order_by(MaterialFile.id)
        )
    )
    out = ClaimOut(
        id=claim.id,
        number=claim.number,
        state=claim.state,
        resume_state=claim.resume_state,
        policy_id=claim.policy_id,
        line=claim.line,
        channel=claim.channel,
        coverage_codes=claim.coverage_codes,
        claimant_name=claim.claimant_name,
        contact_phone_masked=_mask_phone(claim.contact_phone),
        loss_date=claim.loss_date,
        loss_place=claim.loss_place,
        loss_cause=claim.loss_cause,
        loss_overview=claim.loss_overview,
        estimated_amount=claim.estimated_amount,
        is_major=claim.is_major,
        major_reasons=claim.major_reasons,
        received_at=claim.received_at,
        entered_at=claim.entered_at,
        surveyor_id=claim.surveyor_id,
        payable_total=claim.payable_total,
        allowed_actions=workflow.allowed_actions(claim),
        checklist=[
            MaterialOut(
                code=m.code,
                label_zh=MATERIALS.get(m.code, (m.code, m.code))[0],
                label_en=MATERIALS.get(m.code, (m.code, m.code))[1],
                origin=m.origin,
                received=m.received,
                received_at=m.received_at,
                paper_count=m.paper_count,
                original_checked_by_id=m.original_checked_by_id,
                review_result=m.review_result,
            )
            for m in materials_of(session, claim.id)
        ],
        files=[_file_out(f) for f in files],
        notices=[
            NoticeOut(
                id=n.id,
                sequence=n.sequence,
                items=n.items,
                deadline=n.deadline,
                sent_at=n.sent_at,
                justification=n.justification,
            )
            for n in ([] if just_reported else acceptance.notices_of(session, claim.id))
        ],
        clocks=[
            ClockOut.of(c, language).model_dump(mode="json")
            # GEN-4: the claim's own clocks and its disputes' and callbacks' (CLM-Z3, X2).
            for c in claim_clocks(session, claim.id)
        ],
        reserves=[
            ReserveOut(coverage_code=r.coverage_code, amount=r.amount)
            for r in ([] if just_reported else reserves.reserves_of(session, claim.id))
        ],
        reserve_history=[
            ReserveChangeOut(
                coverage_code=_code_of(session, c.reserve_id),
                before=c.before,
                after=c.after,
                stage=c.stage,
                reason=c.reason,
                changed_at=c.changed_at,
            )
            for c in ([] if just_reported else reserves.history_of(session, claim.id))
        ],
        adjustments=[
            _adjustment_out(a)
            for a in (
                [] if just_reported else adjustment.current_adjustments(session, claim.id).values()
            )
        ],
        timeline=[
            TimelineEntry(
                seq=e.seq,
                occurred_at=e.occurred_at,
                actor=e.actor,
                action=e.action,
                reason=e.reason,
                details=json.loads(e.details or "{}"),
            )
            for e in ([] if just_reported else timeline(session, "claim", claim.id))
        ],
    )
    return _for_customer(out) if customer_view else out


def _for_customer(out: ClaimOut) -> ClaimOut:
    timeline = [
        entry.model_copy(update={"actor": "", "reason": None, "details": {}})
        for entry in out.timeline
        if entry.action in _CUSTOMER_TIMELINE
    ]
    return out.model_copy(update={"reserves": [], "reserve_history": [], "timeline": timeline})


def _code_of(session: Session, reserve_id: int) -> str:
    from claimdesk.models.claim import Reserve

    found = session.get(Reserve, reserve_id)
    return found.coverage_code if found else ""


def _file_out(f: MaterialFile) -> FileOut:
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


def _adjustment_out(a: object) -> AdjustmentOut:
    return AdjustmentOut.model_validate(a, from_attributes=True)


def _detail(db: Session, principal: Principal, claim: Claim) -> ClaimOut:
    return claim_out(db, claim, principal.language, customer_view=principal.is_customer)


# -- report and read ---------------------------------------------------------------------


@router.post("", status_code=201, response_model=ClaimOut)
def report_claim(body: ReportCreate, db: DB, principal: Reporter) -> ClaimOut:
    data = report.ReportIn(
        **body.model_dump(exclude={"coverage_codes"}), coverage_codes=tuple(body.coverage_codes)
    )
    claim = report.report_claim(db, actor=principal, data=data)
    return claim_out(
        db, claim, principal.language, just_reported=True, customer_view=principal.is_customer
    )


@router.get("/queue", response_model=list[ClaimSummary])
def work_queue(db: DB, principal: Reader) -> list[ClaimSummary]:
    return [
        ClaimSummary(
            id=c.id,
            number=c.number,
            state=c.state,
            line=c.line,
            channel=c.channel,
            is_major=c.is_major,
            next_due=due,
        )
        for c, due in queue(db, principal)
    ]


@router.get("/{claim_id}", response_model=ClaimOut)
def read_claim(claim_id: int, db: DB, principal: Reader) -> ClaimOut:
    claim = get_claim(db, principal, claim_id)
    # The claim carries medical and loss details: every read is on the trail (GEN-5).
    record(db, actor=principal, action="claim.read", entity_type="claim", entity_id=claim.id)
    return _detail(db, principal, claim)


# -- acceptance --------------------------------------------------------------------------


@router.post("/{claim_id}/materials/receive", response_model=ClaimOut)
def receive_material(claim_id: int, body: MaterialReceive, db: DB, principal: Handler) -> ClaimOut:
    claim = get_claim(db, principal, claim_id, for_update=True)
    acceptance.receive_paper(
        db,
        actor=principal,
        claim=claim,
        code=body.code,
        count=body.count,
        original_checked=body.original_checked,
    )
    return _detail(db, principal, claim)


@router.post("/{claim_id}/materials/original-checked", response_model=ClaimOut)
def original_checked(claim_id: int, body: MaterialReceive, db: DB, principal: Handler) -> ClaimOut:
    claim = get_claim(db, principal, claim_id, for_update=True)
    acceptance.mark_original_checked(db, actor=principal, claim=claim, code=body.code)
    return _detail(db, principal, claim)


@router.post("/{claim_id}/materials/review", response_model=ClaimOut)
def review_material(claim_id: int, body: MaterialReview, db: DB, principal: Handler) -> ClaimOut:
    claim = get_claim(db, principal, claim_id, for_update=True)
    acceptance.review_material(
        db, actor=principal, claim=claim, code=body.code, result=body.result, note=body.note
    )
    return _detail(db, principal, claim)


@router.post("/{claim_id}/files", status_code=201, response_model=FileOut)
def upload_file(
    claim_id: int,
    db: DB,
    principal: Uploader,
    file: Annotated[UploadFile, File()],
    material_code: Annotated[str | None, Form(max_length=40)] = None,
    purpose: Annotated[
        str, Form(pattern="^(material|evidence|certificate|adjuster_report)$")
    ] = "material",
) -> FileOut:
    from claimdesk.claims.config import rules

    claim = get_claim(db, principal, claim_id, for_update=True)
    # Read one byte past the limit: enough to refuse, never the whole of a huge upload.
    content = file.file.read(rules().upload_max_bytes + 1)
    stored = acceptance.store_upload(
        db,
        actor=principal,
        claim=claim,
        filename=file.filename or "upload",
        content=content,
        material_code=material_code or None,
        purpose=purpose,
    )
    return _file_out(stored)


@router.get("/{claim_id}/files/{file_id}", response_class=Response)
def download_file(claim_id: int, file_id: int, db: DB, principal: Reader) -> Response:
    """The uploaded file as it was sent, decrypted from the file store (SEC-1)."""
    from urllib.parse import quote

    claim = get_claim(db, principal, claim_id)
    stored, content = acceptance.read_upload(db, actor=principal, claim=claim, file_id=file_id)
    disposition = f"attachment; filename*=UTF-8''{quote(stored.filename)}"
    return Response(
        content,
        media_type=stored.content_type,
        headers={"Content-Disposition": disposition},
    )


@router.get("/{claim_id}/receipt.pdf", response_class=Response)
def receipt_pdf(claim_id: int, db: DB, principal: Handler) -> Response:
    claim = get_claim(db, principal, claim_id)
    pdf = documents.materials_receipt(
        claim, materials_of(db, claim.id), staff=principal.username, customer=claim.claimant_name
    )
    record(
        db, actor=principal, action="claim.receipt_printed", entity_type="claim", entity_id=claim.id
    )
    return Response(pdf, media_type="application/pdf")


@router.post("/{claim_id}/coverages", response_model=ClaimOut)
def set_coverages(claim_id: int, body: CoveragesIn, db: DB, principal: Handler) -> ClaimOut:
    claim = get_claim(db, principal, claim_id, for_update=True)
    acceptance.set_coverages(
        db, actor=principal, claim=claim, codes=body.coverage_codes, reason=body.reason
    )
    return _detail(db, principal, claim)


@router.post("/{claim_id}/materials-notice", response_model=ClaimOut)
def materials_notice(claim_id: int, body: NoticeCreate, db: DB, principal: Handler) -> ClaimOut:
    claim = get_claim(db, principal, claim_id, for_update=True)
    acceptance.send_missing_notice(db, actor=principal, claim=claim, requested=body.items)
    return _detail(db, principal, claim)


@router.post("/{claim_id}/materials-notice/later", response_model=ClaimOut)
def later_materials(
    claim_id: int, body: LaterMaterialsRequest, db: DB, principal: Handler
) -> ClaimOut:
    claim = get_claim(db, principal, claim_id, for_update=True)
    acceptance.request_later_materials(
        db, actor=principal, claim=claim, items=body.items, justification=body.justification
    )
    return _detail(db, principal, claim)


@router.post("/{claim_id}/accept", response_model=ClaimOut)
def accept_claim(claim_id: int, body: AcceptIn, db: DB, principal: Handler) -> ClaimOut:
    claim = get_claim(db, principal, claim_id, for_update=True)
    acceptance.accept(
        db, actor=principal, claim=claim, reserve_amounts=dict(body.reserves), reason=body.reason
    )
    return _detail(db, principal, claim)


@router.post("/{claim_id}/reserves", response_model=ClaimOut)
def revise_reserve(
    claim_id: int, body: ReserveRevise, db: DB, principal: ReserveKeeper
) -> ClaimOut:
    claim = get_claim(db, principal, claim_id, for_update=True)
    reserves.revise(
        db,
        actor=principal,
        claim=claim,
        coverage_code=body.coverage_code,
        amount=body.amount,
        stage="manual",
        reason=body.reason,
    )
    return _detail(db, principal, claim)


# -- survey ------------------------------------------------------------------------------


@router.post("/{claim_id}/survey/assign", response_model=ClaimOut)
def assign_surveyor(claim_id: int, body: AssignIn, db: DB, principal: Handler) -> ClaimOut:
    claim = get_claim(db, principal, claim_id, for_update=True)
    survey.assign(db, actor=principal, claim=claim, surveyor_id=body.surveyor_id)
    return _detail(db, principal, claim)


@router.post("/{claim_id}/survey/skip", response_model=ClaimOut)
def skip_survey(claim_id: int, db: DB, principal: Handler) -> ClaimOut:
    claim = get_claim(db, principal, claim_id, for_update=True)
    survey.skip_survey(db, actor=principal, claim=claim)
    return _detail(db, principal, claim)


@router.post("/{claim_id}/survey/contact", response_model=ClaimOut)
def survey_contact(claim_id: int, body: ContactIn, db: DB, principal: Surveyor) -> ClaimOut:
    claim = get_claim(db, principal, claim_id, for_update=True)
    survey.record_contact(db, actor=principal, claim=claim, note=body.note)
    return _detail(db, principal, claim)


@router.post("/{claim_id}/survey/report", response_model=ClaimOut)
def survey_report(claim_id: int, body: SurveyReportIn, db: DB, principal: Surveyor) -> ClaimOut:
    claim = get_claim(db, principal, claim_id, for_update=True)
    survey.submit_report(
        db,
        actor=principal,
        claim=claim,
        **body.model_dump(exclude={"plan"}),
        plan={code: PlanAnswer(status=r.status, note=r.note) for code, r in body.plan.items()},
    )
    return _detail(db, principal, claim)


# The plan's findings (an inconsistent account, a treatment date before the loss) are for
# the people whose work is the claim — not for the customer under suspicion, nor the
# service desk (CLM-F2: every role sees only what its work needs).
_SURVEY_READERS = (
    Permission.CLAIMS_SURVEY,
    Permission.CLAIMS_ACCEPT,
    Permission.CLAIMS_ASSESS,
    Permission.CLAIMS_ADJUST,
    Permission.CLAIMS_REVIEW,
    Permission.FRAUD_INVESTIGATE,
)


def _survey_reader(principal: CurrentPrincipal) -> Principal:
    if not any(principal.has(p) for p in _SURVEY_READERS):
        raise PermissionDenied()
    return principal


# Read by the role × endpoint check: any one of these permissions opens the route.
_survey_reader.required_permission = _SURVEY_READERS[0]  # type: ignore[attr-defined]
_survey_reader.alternative_permissions = _SURVEY_READERS[1:]  # type: ignore[attr-defined]
SurveyReader = Annotated[Principal, Depends(_survey_reader)]


@router.get("/{claim_id}/survey/plan", response_model=SurveyPlanOut)
def survey_plan(claim_id: int, db: DB, principal: SurveyReader) -> SurveyPlanOut:
    """CLM-S2: the claim's survey plan and the latest report's results (row-filtered:
    a surveyor reads only the claims assigned to them, CLM-F2)."""
    claim = get_claim(db, principal, claim_id)
    # Results carry findings about the insured's treatment: reads are on the trail (GEN-5).
    record(
        db,
        actor=principal,
        action="claim.read",
        entity_type="claim",
        entity_id=claim.id,
        details={"via": "survey_plan"},
    )
    view = survey.plan_view(db, claim)
    items = []
    for item in view.items:
        result = view.results.get(item.code)
        items.append(
            SurveyPlanItemOut(
                code=item.code,
                kind=item.kind,
                name_zh=item.name_zh,
                name_en=item.name_en,
                label_zh=item.label_zh,
                label_en=item.label_en,
                statuses=list(item.statuses),
                spec=item.spec,
                status=result.status if result else None,
                note=result.note if result else None,
            )
        )
    return SurveyPlanOut(
        claim_id=claim.id,
        line=claim.line,
        family=view.family,
        loss_cause=claim.loss_cause,
        assignment_id=view.assignment.id if view.assignment else None,
        report_id=view.report.id if view.report else None,
        items=items,
        inconsistent=[c for c, r in view.results.items() if r.status == "inconsistent"],
    )


# -- assessment and adjustment -----------------------------------------------------------


@router.post("/{claim_id}/assessments", response_model=ClaimOut)
def assess(claim_id: int, body: AssessmentIn, db: DB, principal: Assessor) -> ClaimOut:
    claim = get_claim(db, principal, claim_id, for_update=True)
    assessment.record_assessment(db, actor=principal, claim=claim, data=body)
    return _detail(db, principal, claim)


@router.post("/{claim_id}/assessments/{assessment_id}/accept", response_model=ClaimOut)
def accept_adjuster_report(
    claim_id: int, assessment_id: int, body: AdjusterAcceptIn, db: DB, principal: Assessor
) -> ClaimOut:
    claim = get_claim(db, principal, claim_id, for_update=True)
    assessment.accept_adjuster_report(
        db, actor=principal, claim=claim, assessment_id=assessment_id, data=body
    )
    return _detail(db, principal, claim)


@router.post("/{claim_id}/assessment/complete", response_model=ClaimOut)
def complete_assessment(claim_id: int, body: TransitionIn, db: DB, principal: Assessor) -> ClaimOut:
    claim = get_claim(db, principal, claim_id, for_update=True)
    workflow.transition(
        db, claim=claim, action="complete_assessment", actor=principal, reason=body.reason
    )
    return _detail(db, principal, claim)


@router.post("/{claim_id}/adjustments", response_model=ClaimOut)
def adjust(claim_id: int, body: AdjustmentIn, db: DB, principal: Adjuster) -> ClaimOut:
    claim = get_claim(db, principal, claim_id, for_update=True)
    adjustment.adjust(db, actor=principal, claim=claim, data=body)
    return _detail(db, principal, claim)


@router.post("/{claim_id}/adjustment/complete", response_model=ClaimOut)
def complete_adjustment(claim_id: int, body: TransitionIn, db: DB, principal: Adjuster) -> ClaimOut:
    claim = get_claim(db, principal, claim_id, for_update=True)
    adjustment.complete(db, actor=principal, claim=claim, reason=body.reason)
    return _detail(db, principal, claim)


@router.get("/{claim_id}/adjustment-report.pdf", response_class=Response)
def adjustment_pdf(claim_id: int, db: DB, principal: Reader) -> Response:
    claim = get_claim(db, principal, claim_id)
    pdf = documents.adjustment_report(
        claim, list(adjustment.current_adjustments(db, claim.id).values())
    )
    return Response(pdf, media_type="application/pdf")


# -- generic moves of the table (withdraw, and the not-yet-built review/payment rows) ----


@router.post("/{claim_id}/transitions/{action}", response_model=ClaimOut)
def move(claim_id: int, action: str, body: TransitionIn, db: DB, principal: Reader) -> ClaimOut:
    """Moves without their own service: the table checks the permission of the row."""
    claim = get_claim(db, principal, claim_id, for_update=True)
    workflow.transition(db, claim=claim, action=action, actor=principal, reason=body.reason)
    return _detail(db, principal, claim)


# -- fraud hold --------------------------------------------------------------------------


@router.post("/{claim_id}/fraud-flags", response_model=ClaimOut)
def flag_fraud(claim_id: int, body: FraudFlagIn, db: DB, principal: Flagger) -> ClaimOut:
    claim = get_claim(db, principal, claim_id, for_update=True)
    fraud.flag(
        db, actor=principal, claim=claim, description=body.description, rule_code=body.rule_code
    )
    return _detail(db, principal, claim)


@router.post("/{claim_id}/fraud-flags/{flag_id}/resolve", response_model=ClaimOut)
def resolve_fraud(
    claim_id: int, flag_id: int, body: FraudResolveIn, db: DB, principal: Investigator
) -> ClaimOut:
    claim = get_claim(db, principal, claim_id, for_update=True)
    fraud.resolve(db, actor=principal, claim=claim, flag_id=flag_id, data=body)
    return _detail(db, principal, claim)
