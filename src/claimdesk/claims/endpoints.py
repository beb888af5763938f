"""Claims API (/api/v1/claims): thin handlers over the services; every route declares
its permission and every claim is loaded through claims.read.claim_for (the
repository's row filter): no route imports a repository."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth import service as users
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims import documents, read, workflow
from claimdesk.claims.config import rules
from claimdesk.claims.errors import NoAdjustmentYet
from claimdesk.claims.fraud import service as fraud
from claimdesk.claims.intake import acceptance, contact, report, survey
from claimdesk.claims.schemas import (
    AcceptIn,
    AdjusterAcceptIn,
    AdjustmentIn,
    AssessmentIn,
    AssignIn,
    ClaimOut,
    ClaimSummary,
    ContactIn,
    ContactPhoneOut,
    CoveragesIn,
    FileOut,
    FraudFlagIn,
    FraudResolveIn,
    LaterMaterialsRequest,
    MaterialReceive,
    MaterialReview,
    NoticeCreate,
    ReportCreate,
    ReserveRevise,
    SurveyPlanItemOut,
    SurveyPlanOut,
    SurveyReportIn,
    TransitionIn,
)
from claimdesk.claims.settlement import adjustment, assessment, reserves
from claimdesk.deps import DB, get_principal, require
from claimdesk.errors import PermissionDenied
from claimdesk.models.claim import Claim
from claimdesk.paging import Page, Paging, from_rows

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


def _detail(db: Session, principal: Principal, claim: Claim) -> ClaimOut:
    return read.claim_detail(
        db, claim, language=principal.language, customer_view=principal.is_customer
    )


# -- report and read ---------------------------------------------------------------------


@router.post("", status_code=201, response_model=ClaimOut)
def report_claim(body: ReportCreate, db: DB, principal: Reporter) -> ClaimOut:
    """Report a claim (CLM-R1..R4), on the policy named by `policy_number`, or found by
    the insured's `insured_id_number` and the date of loss (CLM-R2). Refusals of the
    look-up by ID number (422, field `insured_id_number`): `policy_not_found` — the
    insured has no policy; `policy_ambiguous` — several policies are in force on the
    date of loss; `policy_nearest_tied` — none is, and several are equally near to the
    loss (cover ended, or starts, the same day). Both ask for the policy number. A loss
    outside the period is recorded and flagged in `intake_flags`."""
    reported = report.report(db, actor=principal, data=report.report_of(body))
    return read.new_claim(
        db, reported, language=principal.language, customer_view=principal.is_customer
    )


@router.get("/queue", response_model=Page[ClaimSummary])
def work_queue(db: DB, principal: Reader, paging: Paging) -> Page[ClaimSummary]:
    # The queue is read from its top in index order (claims.read.open_queue): one row
    # past the page says whether there is more; no total (it would count every open claim).
    rows = read.open_queue(db, actor=principal, limit=paging.offset + paging.limit + 1)
    return from_rows(rows, paging).page(
        lambda row: ClaimSummary(
            id=row[0].id,
            number=row[0].number,
            state=row[0].state,
            line=row[0].line,
            channel=row[0].channel,
            is_major=row[0].is_major,
            next_due=row[1],
        )
    )


@router.get("/{claim_id}", response_model=ClaimOut)
def read_claim(claim_id: int, db: DB, principal: Reader) -> ClaimOut:
    claim = read.claim_for(db, principal, claim_id)
    # The claim carries medical and loss details: every read is on the trail (GEN-5).
    record(db, actor=principal, action="claim.read", entity_type="claim", entity_id=claim.id)
    return _detail(db, principal, claim)


# -- acceptance --------------------------------------------------------------------------


@router.post("/{claim_id}/materials/receive", response_model=ClaimOut)
def receive_material(claim_id: int, body: MaterialReceive, db: DB, principal: Handler) -> ClaimOut:
    claim = read.claim_for(db, principal, claim_id, for_update=True)
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
    claim = read.claim_for(db, principal, claim_id, for_update=True)
    acceptance.mark_original_checked(db, actor=principal, claim=claim, code=body.code)
    return _detail(db, principal, claim)


@router.post("/{claim_id}/materials/review", response_model=ClaimOut)
def review_material(claim_id: int, body: MaterialReview, db: DB, principal: Handler) -> ClaimOut:
    claim = read.claim_for(db, principal, claim_id, for_update=True)
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
    claim = read.claim_for(db, principal, claim_id, for_update=True)
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
    return read.file_out(stored)


@router.get("/{claim_id}/files/{file_id}", response_class=Response)
def download_file(claim_id: int, file_id: int, db: DB, principal: Reader) -> Response:
    """The uploaded file as it was sent, decrypted from the file store (SEC-1)."""
    claim = read.claim_for(db, principal, claim_id)
    stored, content = acceptance.read_upload(db, actor=principal, claim=claim, file_id=file_id)
    disposition = f"attachment; filename*=UTF-8''{quote(stored.filename)}"
    return Response(
        content,
        media_type=stored.content_type,
        headers={"Content-Disposition": disposition},
    )


@router.get("/{claim_id}/receipt.pdf", response_class=Response)
def receipt_pdf(claim_id: int, db: DB, principal: Handler) -> Response:
    claim = read.claim_for(db, principal, claim_id)
    pdf = documents.materials_receipt(
        claim,
        read.claim_materials(db, claim.id),
        staff=principal.name,
        customer=claim.claimant_name,
    )
    record(
        db, actor=principal, action="claim.receipt_printed", entity_type="claim", entity_id=claim.id
    )
    return Response(pdf, media_type="application/pdf")


@router.post("/{claim_id}/coverages", response_model=ClaimOut)
def set_coverages(claim_id: int, body: CoveragesIn, db: DB, principal: Handler) -> ClaimOut:
    claim = read.claim_for(db, principal, claim_id, for_update=True)
    acceptance.set_coverages(
        db, actor=principal, claim=claim, codes=body.coverage_codes, reason=body.reason
    )
    return _detail(db, principal, claim)


@router.post("/{claim_id}/materials-notice", response_model=ClaimOut)
def materials_notice(claim_id: int, body: NoticeCreate, db: DB, principal: Handler) -> ClaimOut:
    claim = read.claim_for(db, principal, claim_id, for_update=True)
    acceptance.send_missing_notice(db, actor=principal, claim=claim, requested=body.items)
    return _detail(db, principal, claim)


@router.post("/{claim_id}/materials-notice/later", response_model=ClaimOut)
def later_materials(
    claim_id: int, body: LaterMaterialsRequest, db: DB, principal: Handler
) -> ClaimOut:
    claim = read.claim_for(db, principal, claim_id, for_update=True)
    acceptance.request_later_materials(
        db, actor=principal, claim=claim, items=body.items, justification=body.justification
    )
    return _detail(db, principal, claim)


@router.post("/{claim_id}/accept", response_model=ClaimOut)
def accept_claim(claim_id: int, body: AcceptIn, db: DB, principal: Handler) -> ClaimOut:
    claim = read.claim_for(db, principal, claim_id, for_update=True)
    acceptance.accept(
        db, actor=principal, claim=claim, reserve_amounts=dict(body.reserves), reason=body.reason
    )
    return _detail(db, principal, claim)


@router.post("/{claim_id}/reserves", response_model=ClaimOut)
def revise_reserve(
    claim_id: int, body: ReserveRevise, db: DB, principal: ReserveKeeper
) -> ClaimOut:
    claim = read.claim_for(db, principal, claim_id, for_update=True)
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
    claim = read.claim_for(db, principal, claim_id, for_update=True)
    survey.assign(db, actor=principal, claim=claim, surveyor_id=body.surveyor_id)
    return _detail(db, principal, claim)


@router.post("/{claim_id}/survey/skip", response_model=ClaimOut)
def skip_survey(claim_id: int, db: DB, principal: Handler) -> ClaimOut:
    claim = read.claim_for(db, principal, claim_id, for_update=True)
    survey.skip_survey(db, actor=principal, claim=claim)
    return _detail(db, principal, claim)


@router.post("/{claim_id}/survey/contact", response_model=ClaimOut)
def survey_contact(claim_id: int, body: ContactIn, db: DB, principal: Surveyor) -> ClaimOut:
    claim = read.claim_for(db, principal, claim_id, for_update=True)
    survey.record_contact(db, actor=principal, claim=claim, note=body.note)
    return _detail(db, principal, claim)


@router.post("/{claim_id}/survey/contact-phone", response_model=ContactPhoneOut)
def reveal_contact_phone(claim_id: int, db: DB, principal: Surveyor) -> ContactPhoneOut:
    """The customer's phone in clear, for the assigned surveyor only (CLM-S1); audited."""
    claim = read.claim_for(db, principal, claim_id)
    phone = contact.reveal_phone(db, actor=principal, claim=claim)
    return ContactPhoneOut(phone=phone, tel=contact.tel_uri(phone))


@router.post("/{claim_id}/survey/report", response_model=ClaimOut)
def survey_report(claim_id: int, body: SurveyReportIn, db: DB, principal: Surveyor) -> ClaimOut:
    claim = read.claim_for(db, principal, claim_id, for_update=True)
    survey.submit(db, actor=principal, claim=claim, data=body)
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


async def _survey_reader(request: Request) -> Principal:
    # async and on the request (as deps.require): a plain def costs a trip through the
    # thread pool of its own on every request (issue 14).
    principal = await get_principal(request)
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
    claim = read.claim_for(db, principal, claim_id)
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
    claim = read.claim_for(db, principal, claim_id, for_update=True)
    assessment.record_assessment(db, actor=principal, claim=claim, data=body)
    return _detail(db, principal, claim)


@router.post("/{claim_id}/assessments/{assessment_id}/accept", response_model=ClaimOut)
def accept_adjuster_report(
    claim_id: int, assessment_id: int, body: AdjusterAcceptIn, db: DB, principal: Assessor
) -> ClaimOut:
    claim = read.claim_for(db, principal, claim_id, for_update=True)
    assessment.accept_adjuster_report(
        db, actor=principal, claim=claim, assessment_id=assessment_id, data=body
    )
    return _detail(db, principal, claim)


@router.post("/{claim_id}/assessment/complete", response_model=ClaimOut)
def complete_assessment(claim_id: int, body: TransitionIn, db: DB, principal: Assessor) -> ClaimOut:
    claim = read.claim_for(db, principal, claim_id, for_update=True)
    workflow.transition(
        db, claim=claim, action="complete_assessment", actor=principal, reason=body.reason
    )
    return _detail(db, principal, claim)


@router.post("/{claim_id}/assessment/reopen", response_model=ClaimOut)
def reassess(claim_id: int, body: TransitionIn, db: DB, principal: Assessor) -> ClaimOut:
    """The assessor re-opens the assessment ("reassess"): back to surveyed, where the
    assessment is recorded again, with the reason; the current adjustment is voided."""
    claim = read.claim_for(db, principal, claim_id, for_update=True)
    assessment.reassess(db, actor=principal, claim=claim, reason=body.reason)
    return _detail(db, principal, claim)


@router.post("/{claim_id}/adjustments", response_model=ClaimOut)
def adjust(claim_id: int, body: AdjustmentIn, db: DB, principal: Adjuster) -> ClaimOut:
    claim = read.claim_for(db, principal, claim_id, for_update=True)
    adjustment.adjust(db, actor=principal, claim=claim, data=body)
    return _detail(db, principal, claim)


@router.post("/{claim_id}/adjustment/complete", response_model=ClaimOut)
def complete_adjustment(claim_id: int, body: TransitionIn, db: DB, principal: Adjuster) -> ClaimOut:
    claim = read.claim_for(db, principal, claim_id, for_update=True)
    adjustment.complete(db, actor=principal, claim=claim, reason=body.reason)
    return _detail(db, principal, claim)


@router.get("/{claim_id}/adjustment-report.pdf", response_class=Response)
def adjustment_pdf(claim_id: int, db: DB, principal: Reader) -> Response:
    claim = read.claim_for(db, principal, claim_id)
    adjustments = list(adjustment.current_adjustments(db, claim.id).values())
    if not adjustments:
        raise NoAdjustmentYet()
    # Signed with the adjuster's name, not the username (issue 12).
    signers = {a.signed_by_id for a in adjustments if a.signed_by_id}
    pdf = documents.adjustment_report(
        claim,
        adjustments,
        names=users.display_names(db, user_ids=signers),
        # The policy's coverages: the coverage and the covered items by name (GEN-6).
        coverages=reserves.policy_coverages(db, claim),
    )
    return Response(pdf, media_type="application/pdf")


# -- generic moves of the table (withdraw, and the not-yet-built review/payment rows) ----


@router.post("/{claim_id}/transitions/{action}", response_model=ClaimOut)
def move(claim_id: int, action: str, body: TransitionIn, db: DB, principal: Reader) -> ClaimOut:
    """Moves without their own service: the table checks the permission of the row."""
    claim = read.claim_for(db, principal, claim_id, for_update=True)
    workflow.transition(db, claim=claim, action=action, actor=principal, reason=body.reason)
    return _detail(db, principal, claim)


# -- fraud hold --------------------------------------------------------------------------


@router.post("/{claim_id}/fraud-flags", response_model=ClaimOut)
def flag_fraud(claim_id: int, body: FraudFlagIn, db: DB, principal: Flagger) -> ClaimOut:
    claim = read.claim_for(db, principal, claim_id, for_update=True)
    fraud.flag(
        db, actor=principal, claim=claim, description=body.description, rule_code=body.rule_code
    )
    return _detail(db, principal, claim)


@router.post("/{claim_id}/fraud-flags/{flag_id}/resolve", response_model=ClaimOut)
def resolve_fraud(
    claim_id: int, flag_id: int, body: FraudResolveIn, db: DB, principal: Investigator
) -> ClaimOut:
    claim = read.claim_for(db, principal, claim_id, for_update=True)
    fraud.resolve(db, actor=principal, claim=claim, flag_id=flag_id, data=body)
    return _detail(db, principal, claim)
