"""Loss assessment (定损, CLM-L1..L4): the assessed facts per coverage, removals with
reasons, disability grades per injury, the death certificate, and the external loss
adjuster's report accepted by both sides."""

from __future__ import annotations

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil, workflow
from claimdesk.claims.errors import (
    AdjusterReportNotAccepted,
    AssessmentInvalid,
    AssessmentMissing,
    DeathCertificateRequired,
    FileNotOnClaim,
    IllegalTransition,
    UnknownCoverage,
)
from claimdesk.claims.intake import repository as intake_repository
from claimdesk.claims.schemas import AdjusterAcceptIn, AssessmentIn
from claimdesk.claims.settlement import repository, reserves
from claimdesk.claims.settlement.errors import ReassessReasonRequired
from claimdesk.claims.special.remote import require_local_step
from claimdesk.models.claim import Assessment, AssessmentItem, Claim, MaterialFile
from claimdesk.rules.adjudication.types import MEDICAL_COVERAGE_TYPES

MEDICAL = MEDICAL_COVERAGE_TYPES


def _invalid(field: str, zh: str, en: str) -> AssessmentInvalid:
    return AssessmentInvalid(field=field, rule_zh=zh, rule_en=en)


def _check_facts(session: Session, claim: Claim, coverage_type: str, data: AssessmentIn) -> None:
    if coverage_type in MEDICAL:
        if not data.lines:
            raise _invalid("lines", "医疗费用须至少一条明细", "at least one expense line is needed")
        for index, line in enumerate(data.lines):
            if line.removed and not (line.removal_reason or "").strip():
                raise _invalid(
                    f"lines.{index}.removal_reason",
                    "剔除的费用须说明理由",
                    "a removed line needs its reason",
                )
            if line.catalog == "B" and line.self_pay_ratio is None:
                raise _invalid(
                    f"lines.{index}.self_pay_ratio",
                    "乙类项目须填写自付比例",
                    "a Class B (乙) line needs its self-pay ratio",
                )
    elif coverage_type == "critical_illness" and not data.disease:
        raise _invalid("disease", "须填写确诊疾病代码", "the diagnosed disease code is needed")
    elif coverage_type == "accident_disability" and not data.injuries:
        raise _invalid("injuries", "须逐项评定伤残等级", "each injury needs its grade")
    elif coverage_type == "accident_death":
        certificate = intake_repository.material(
            session, claim_id=claim.id, code="death_certificate"
        )
        if certificate is None or not certificate.received:
            raise DeathCertificateRequired(field="death_certificate")
    elif coverage_type == "property":
        if (data.repair is None) == (data.total_loss is None):
            raise _invalid(
                "repair",
                "须且只能填写修复费用或全损之一",
                "give either the repair or the total loss, not both",
            )
    elif coverage_type == "liability" and data.damages is None:
        raise _invalid("damages", "须填写损害赔偿金额", "the damages are needed")


def _facts(data: AssessmentIn) -> dict[str, object]:
    """The non-item facts in canonical JSON form (amounts as strings)."""
    dumped = data.model_dump(
        mode="json",
        exclude={
            "lines",
            "injuries",
            "coverage_code",
            "external_adjuster",
            "external_report_file_id",
        },
        exclude_none=True,
    )
    return dumped


def record_assessment(
    session: Session, *, actor: Principal, claim: Claim, data: AssessmentIn
) -> Assessment:
    if claim.state != workflow.SURVEYED:
        raise IllegalTransition(state=claim.state, action="assess")
    require_local_step(session, claim=claim, actor=actor)  # CLM-Z1
    coverages = reserves.claim_coverages(session, claim)
    coverage = coverages.get(data.coverage_code)
    if coverage is None:
        raise UnknownCoverage(field="coverage_code", code=data.coverage_code)
    _check_facts(session, claim, coverage.type, data)
    if data.external_report_file_id is not None:
        found = session.get(MaterialFile, data.external_report_file_id)
        if found is None or found.claim_id != claim.id:
            raise FileNotOnClaim(
                field="external_report_file_id", file_id=data.external_report_file_id
            )
    at = timeutil.now()
    # A re-assessment supersedes the earlier one; both stay on record.
    repository.supersede_assessments(session, claim_id=claim.id, coverage_code=data.coverage_code)
    assessment = Assessment(
        claim_id=claim.id,
        coverage_code=data.coverage_code,
        coverage_type=coverage.type,
        facts=_facts(data),
        assessed_by_id=actor.user_id,
        assessed_at=at,
        external_adjuster=data.external_adjuster,
        external_report_file_id=data.external_report_file_id,
    )
    items: list[AssessmentItem] = []
    for index, line in enumerate(data.lines):
        items.append(
            AssessmentItem(
                position=index,
                item_type="expense_line",
                description=line.description,
                amount=line.amount,
                catalog=line.catalog,
                kind=line.kind,
                self_pay_ratio=line.self_pay_ratio,
                removed=line.removed,
                removal_reason=line.removal_reason,
            )
        )
    for index, injury in enumerate(data.injuries):
        items.append(
            AssessmentItem(
                position=index,
                item_type="injury",
                description=injury.description,
                grade=injury.grade,
            )
        )
    assessment.items = items
    session.add(assessment)
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.assessed",
        entity_type="claim",
        entity_id=claim.id,
        at=at,
        details={
            "coverage": data.coverage_code,
            "assessment_id": assessment.id,
            "removed_lines": [i for i, line in enumerate(data.lines) if line.removed],
            "external_adjuster": data.external_adjuster,
        },
    )
    return assessment


def accept_adjuster_report(
    session: Session, *, actor: Principal, claim: Claim, assessment_id: int, data: AdjusterAcceptIn
) -> Assessment:
    assessment = session.get(Assessment, assessment_id)
    if assessment is None or assessment.claim_id != claim.id or not assessment.external_adjuster:
        raise AssessmentInvalid(
            field="assessment_id",
            rule_zh="不是本案的公估定损",
            rule_en="not an external assessment of this claim",
        )
    at = timeutil.now()
    if data.side == "insurer":
        assessment.insurer_accepted_by_id = actor.user_id
        assessment.insurer_accepted_at = at
    else:
        assessment.customer_accepted_by = data.accepted_by or actor.username
        assessment.customer_accepted_at = at
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.adjuster_report_accepted",
        entity_type="claim",
        entity_id=claim.id,
        at=at,
        details={"assessment_id": assessment.id, "side": data.side},
    )
    return assessment


def current_assessments(session: Session, claim_id: int) -> dict[str, Assessment]:
    rows = repository.current_assessments(session, claim_id=claim_id)
    return {a.coverage_code: a for a in rows}


def require_assessed(session: Session, claim: Claim) -> None:
    found = current_assessments(session, claim.id)
    for code in claim.coverage_codes:
        assessment = found.get(code)
        if assessment is None:
            raise AssessmentMissing(coverage=code)
        if assessment.external_adjuster and not (
            assessment.insurer_accepted_at and assessment.customer_accepted_at
        ):
            raise AdjusterReportNotAccepted()


def reassess(session: Session, *, actor: Principal, claim: Claim, reason: str | None) -> Claim:
    """The assessor re-opens the assessment (the action "reassess"): from ``assessed`` —
    after a reviewer's return too — or ``adjusted``, back to ``surveyed``, where the
    assessment's lines and amounts are recorded again (record_assessment; the earlier
    assessment stays on record, superseded), then completed, adjusted, signed and
    submitted by the normal path. CLM-V3's return goes back to adjustment; what the
    adjuster cannot change — the assessed facts (CLM-L*), which the review checks
    (CLM-V2) — is the assessor's, so a return about the assessment leads here.

    The reason is required. The current adjustment is voided — no longer current, its
    signature no longer standing — in the same audited step: an adjustment of facts
    about to change could otherwise be completed and resubmitted unchanged."""
    if not reason or not reason.strip():
        raise ReassessReasonRequired(field="reason")
    at = timeutil.now()
    voided = repository.current_adjustments(session, claim_id=claim.id)
    for adjustment in voided:
        adjustment.current = False
    session.flush()
    ids = sorted(a.id for a in voided)
    if ids:
        record(
            session,
            actor=actor,
            action="claim.adjustment_voided",
            entity_type="claim",
            entity_id=claim.id,
            at=at,
            reason=reason,
            details={
                "adjustment_ids": ids,
                "coverages": sorted(a.coverage_code for a in voided),
                "by": "reassess",
            },
        )
    workflow.transition_by_service(
        session,
        claim=claim,
        action="reassess",
        actor=actor,
        at=at,
        reason=reason,
        details={"voided_adjustments": ids},
    )
    return claim
