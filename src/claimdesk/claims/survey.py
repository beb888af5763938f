"""Survey (查勘, CLM-S1..S4) and the configured survey skip."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Role
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil, workflow
from claimdesk.claims.acceptance import missing_codes
from claimdesk.claims.config import rules
from claimdesk.claims.errors import (
    CertificateRequired,
    FileNotOnClaim,
    NotAssignedSurveyor,
    NotASurveyor,
    SurveyNotAssigned,
    TransitionGuardFailed,
)
from claimdesk.models.claim import Claim, MaterialFile, SurveyAssignment, SurveyReport
from claimdesk.models.user import User, UserRole


def current_assignment(session: Session, claim: Claim) -> SurveyAssignment | None:
    return session.scalars(
        select(SurveyAssignment)
        .where(SurveyAssignment.claim_id == claim.id)
        .order_by(SurveyAssignment.id.desc())
        .limit(1)
    ).first()


def require_assigned(session: Session, claim: Claim) -> None:
    if claim.surveyor_id is None or current_assignment(session, claim) is None:
        raise SurveyNotAssigned()


def require_report(session: Session, claim: Claim) -> None:
    require_assigned(session, claim)
    if session.scalar(select(SurveyReport.id).where(SurveyReport.claim_id == claim.id)) is None:
        raise TransitionGuardFailed(
            action="submit_survey", why_zh="尚无查勘报告", why_en="no survey report yet"
        )


def skip_rule(session: Session, claim: Claim) -> str | None:
    """The rule text that lets this claim skip the survey, or None."""
    cfg = rules()
    amount = claim.estimated_amount
    if (
        claim.line in cfg.skip_survey_lines
        and not claim.is_major
        and amount is not None
        and amount <= cfg.skip_survey_max_amount
        and not missing_codes(session, claim)
    ):
        return (
            f"line in {sorted(cfg.skip_survey_lines)}, estimated amount {amount} <= "
            f"{cfg.skip_survey_max_amount}, materials complete, not major"
        )
    return None


def require_skippable(session: Session, claim: Claim) -> None:
    if skip_rule(session, claim) is None:
        raise TransitionGuardFailed(
            action="skip_survey",
            why_zh="不符合免查勘规则（小额健康险且材料齐全）",
            why_en="the survey-skip rule (small health claim, materials complete) does not apply",
        )


def skip_survey(session: Session, *, actor: Principal, claim: Claim) -> Claim:
    at = timeutil.now()
    workflow.transition(session, claim=claim, action="skip_survey", actor=actor, at=at)
    workflow.record_skip(
        session,
        claim=claim,
        step="survey",
        rule=skip_rule(session, claim) or "",
        actor=actor,
        at=at,
    )
    return claim


def _require_surveyor(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    is_surveyor = session.scalar(
        select(UserRole.id).where(UserRole.user_id == user_id, UserRole.role == Role.SURVEYOR.value)
    )
    if user is None or not user.is_active or is_surveyor is None:
        raise NotASurveyor(field="surveyor_id")
    return user


def assign(
    session: Session, *, actor: Principal, claim: Claim, surveyor_id: int
) -> SurveyAssignment:
    """CLM-S1: the 1-hour contact clock starts at assignment."""
    _require_surveyor(session, surveyor_id)
    at = timeutil.now()
    assignment = SurveyAssignment(
        claim_id=claim.id, surveyor_id=surveyor_id, assigned_at=at, assigned_by_id=actor.user_id
    )
    session.add(assignment)
    claim.surveyor_id = surveyor_id
    session.flush()
    workflow.transition(
        session,
        claim=claim,
        action="assign_surveyor",
        actor=actor,
        at=at,
        details={"surveyor_id": surveyor_id, "assignment_id": assignment.id},
    )
    return assignment


def _own_assignment(session: Session, actor: Principal, claim: Claim) -> SurveyAssignment:
    assignment = current_assignment(session, claim)
    if assignment is None:
        raise SurveyNotAssigned()
    if assignment.surveyor_id != actor.user_id:
        raise NotAssignedSurveyor()
    return assignment


def record_contact(
    session: Session, *, actor: Principal, claim: Claim, note: str
) -> SurveyAssignment:
    assignment = _own_assignment(session, actor, claim)
    at = timeutil.now()
    assignment.contacted_at = at
    assignment.contact_note = note
    workflow.transition(
        session, claim=claim, action="record_contact", actor=actor, at=at, reason=note
    )
    return assignment


def _files_on_claim(
    session: Session, claim: Claim, ids: list[int], field: str
) -> list[MaterialFile]:
    files = []
    for index, file_id in enumerate(ids):
        found = session.get(MaterialFile, file_id)
        if found is None or found.claim_id != claim.id:
            raise FileNotOnClaim(field=f"{field}.{index}", file_id=file_id)
        files.append(found)
    return files


def content_hash(fields: dict[str, object]) -> str:
    canonical = json.dumps(
        fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def submit_report(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    surveyed_at: dt.datetime,
    place: str,
    people: str,
    actions: str,
    conclusion: str,
    covered: bool,
    cause: str,
    extent: str,
    evidence_file_ids: list[int],
    certificate_file_id: int | None,
) -> SurveyReport:
    """CLM-S3: the report is signed (signer, time, hash of its content); the 24-hour
    report clock runs from the survey to the submission. CLM-S4: fire and theft need
    the official certificate."""
    assignment = _own_assignment(session, actor, claim)
    _files_on_claim(session, claim, evidence_file_ids, "evidence_file_ids")
    if claim.loss_cause in rules().certificate_causes and certificate_file_id is None:
        raise CertificateRequired(field="certificate_file_id")
    if certificate_file_id is not None:
        _files_on_claim(session, claim, [certificate_file_id], "certificate_file_id")
    at = timeutil.now()
    body = {
        "claim": claim.number,
        "surveyed_at": surveyed_at.isoformat(),
        "place": place,
        "people": people,
        "actions": actions,
        "conclusion": conclusion,
        "covered": covered,
        "cause": cause,
        "extent": extent,
        "evidence": sorted(evidence_file_ids),
        "certificate": certificate_file_id,
        "signed_by": actor.username,
        "signed_at": at.isoformat(),
    }
    report = SurveyReport(
        claim_id=claim.id,
        assignment_id=assignment.id,
        surveyed_at=surveyed_at,
        place=place,
        people=people,
        actions=actions,
        conclusion=conclusion,
        covered=covered,
        cause=cause,
        extent=extent,
        evidence_file_ids=evidence_file_ids,
        certificate_file_id=certificate_file_id,
        signed_by_id=actor.user_id,
        signed_by=actor.username,
        signed_at=at,
        content_hash=content_hash(body),
    )
    assignment.surveyed_at = surveyed_at
    if assignment.contacted_at is None:
        assignment.contacted_at = min(surveyed_at, at)
    session.add(report)
    session.flush()
    workflow.transition(
        session,
        claim=claim,
        action="submit_survey",
        actor=actor,
        at=at,
        clock_times={
            "claim.survey_report": surveyed_at,
            "claim.survey_contact:stop": assignment.contacted_at,
        },
        details={"report_id": report.id, "content_hash": report.content_hash},
    )
    return report


def report_of(session: Session, claim_id: int) -> SurveyReport | None:
    return session.scalars(
        select(SurveyReport)
        .where(SurveyReport.claim_id == claim_id)
        .order_by(SurveyReport.id.desc())
        .limit(1)
    ).first()
