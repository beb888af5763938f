"""Survey (查勘, CLM-S1..S4) and the configured survey skip."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from claimdesk.auth import repository as users
from claimdesk.auth.permissions import Role
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil, workflow
from claimdesk.claims.config import rules
from claimdesk.claims.errors import (
    CertificateRequired,
    FileNotOnClaim,
    NotAssignedSurveyor,
    NotASurveyor,
    SurveyNotAssigned,
    SurveyorAlreadyAssigned,
    SurveyTimeBeforeLoss,
    SurveyTimeInFuture,
    TransitionGuardFailed,
)
from claimdesk.claims.fraud import service as fraud
from claimdesk.claims.intake import repository
from claimdesk.claims.intake.acceptance import missing_codes
from claimdesk.claims.schemas import SurveyReportIn
from claimdesk.claims.settlement import reserves
from claimdesk.formatting import local_date, local_datetime
from claimdesk.models.claim import Claim, MaterialFile, SurveyAssignment, SurveyReport
from claimdesk.models.states import ClockClosedReason
from claimdesk.models.user import User
from claimdesk.rules import survey_plan
from claimdesk.rules.deadlines import to_local
from claimdesk.rules.survey_plan import PlanAnswer, PlanItem, PlanResult
from claimdesk.thresholds import service as thresholds


def current_assignment(session: Session, claim: Claim) -> SurveyAssignment | None:
    return repository.current_assignment(session, claim_id=claim.id)


def require_assigned(session: Session, claim: Claim) -> None:
    if claim.surveyor_id is None or current_assignment(session, claim) is None:
        raise SurveyNotAssigned()


def require_report(session: Session, claim: Claim) -> None:
    require_assigned(session, claim)
    if not repository.has_survey_report(session, claim_id=claim.id):
        raise TransitionGuardFailed(
            action="submit_survey", why_zh="尚无查勘报告", why_en="no survey report yet"
        )


def skip_rule(session: Session, claim: Claim) -> str | None:
    """The rule text that lets this claim skip the survey, or None (the rule in force
    now, when the skip is decided)."""
    cfg = thresholds.in_force(session, at=timeutil.now())
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


# -- the survey plan (CLM-S2) -------------------------------------------------------------


def derive_plan(claim: Claim) -> tuple[PlanItem, ...]:
    return survey_plan.plan_for(
        line=claim.line,
        loss_cause=claim.loss_cause,
        certificate_causes=rules().certificate_causes,
    )


def plan_of(session: Session, claim: Claim) -> tuple[PlanItem, ...]:
    """The plan given with the current assignment, in today's words; derived before any
    assignment (and for assignments made before plans were stored)."""
    assignment = current_assignment(session, claim)
    if assignment is not None and assignment.plan is not None:
        return tuple(
            survey_plan.in_current_words(PlanItem.from_dict(item)) for item in assignment.plan
        )
    return derive_plan(claim)


@dataclass(frozen=True)
class PlanView:
    family: str
    items: tuple[PlanItem, ...]
    assignment: SurveyAssignment | None
    report: SurveyReport | None
    results: dict[str, PlanResult]


def plan_view(session: Session, claim: Claim) -> PlanView:
    """The plan with the latest report's results (for the API and the pages)."""
    report = report_of(session, claim.id)
    results = [PlanResult.from_dict(r) for r in (report.plan_results or [])] if report else []
    return PlanView(
        family=survey_plan.family(claim.line),
        items=plan_of(session, claim),
        assignment=current_assignment(session, claim),
        report=report,
        results={r.code: r for r in results},
    )


def _flag_inconsistencies(
    session: Session, *, actor: Principal, claim: Claim, results: tuple[PlanResult, ...]
) -> None:
    """An inconsistent account, timeline, identity or cause-versus-damage is a data
    cross-check pointing at a false report or an inflated loss, which CLM-F1 says
    flags the claim: through the one fraud service, so the hold (suspend), its audit
    entry and the investigator's queue work as for any other flag."""
    found = survey_plan.inconsistencies(results)
    if not found:
        return
    plan = {item.code: item for item in plan_of(session, claim)}
    # Stored "中文 / English" (reserves.system_reason), so a page shows the reader's half:
    # each half names the items in its own language (the surveyor's notes as written).
    zh = "；".join(f"{plan[r.code].name_zh if r.code in plan else r.code}：{r.note}" for r in found)
    en = "; ".join(f"{plan[r.code].name_en if r.code in plan else r.code}: {r.note}" for r in found)
    fraud.flag(
        session,
        actor=actor,
        claim=claim,
        description=reserves.system_reason(
            f"查勘发现不一致：{zh}", f"survey found an inconsistency — {en}"
        ),
        rule_code="CLM-S2.survey_inconsistent",
    )


def _require_surveyor(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    is_surveyor = users.holds_role(session, user_id=user_id, roles=[Role.SURVEYOR.value])
    if user is None or not user.is_active or not is_surveyor:
        raise NotASurveyor(field="surveyor_id")
    return user


def assign(
    session: Session, *, actor: Principal, claim: Claim, surveyor_id: int
) -> SurveyAssignment:
    """CLM-S1: the 1-hour contact clock starts at assignment.

    The limit runs from *assignment* (CLM-S1), so a reassignment does not carry the old
    clock over: the previous surveyor's contact clock, if still running, is closed at
    the reassignment with the reason on its audit entry, and the move starts the new
    surveyor's own 1-hour clock."""
    _require_surveyor(session, surveyor_id)
    plan = derive_plan(claim)
    at = timeutil.now()
    previous = current_assignment(session, claim)
    if previous is not None and previous.surveyor_id == surveyor_id:
        # Not a reassignment: letting it through would close a running contact clock and
        # start a fresh hour — a deadline about to be missed reset without anyone new.
        raise SurveyorAlreadyAssigned(field="surveyor_id")
    if previous is not None:
        workflow.close_running_clock(
            session,
            claim,
            "claim.survey_contact",
            at=at,
            actor=actor,
            closed_reason=ClockClosedReason.REASSIGNED,
            reason=reserves.system_reason(
                f"CLM-S1：查勘改派（查勘员 {previous.surveyor_id} → {surveyor_id}），"
                "原指派的联系时限关闭，新查勘员自指派起重新计时",
                f"CLM-S1: surveyor reassigned ({previous.surveyor_id} → {surveyor_id}); "
                "the previous assignment's contact limit is closed and the new surveyor's "
                "runs from this assignment",
            ),
        )
    # CLM-S2: the plan is fixed when the surveyor is given the claim, so a later change
    # of the rules cannot move the goalposts of a survey under way.
    assignment = SurveyAssignment(
        claim_id=claim.id,
        surveyor_id=surveyor_id,
        assigned_at=at,
        assigned_by_id=actor.user_id,
        plan=[item.as_dict() for item in plan],
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
        details={
            "surveyor_id": surveyor_id,
            "assignment_id": assignment.id,
            "survey_plan": [item.code for item in plan],
        },
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


@dataclass(frozen=True)
class SurveyFacts:
    """What the surveyor found, as the report states it."""

    surveyed_at: dt.datetime
    place: str
    people: str
    actions: str
    conclusion: str
    covered: bool
    cause: str
    extent: str
    evidence_file_ids: list[int]
    certificate_file_id: int | None


def submit_report(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    facts: SurveyFacts,
    plan: Mapping[str, PlanAnswer],
) -> SurveyReport:
    """CLM-S3: the report is signed (signer, time, hash of its content, the plan results
    included); the 24-hour report clock runs from the survey to the submission. CLM-S4:
    fire and theft need the official certificate. CLM-S2: every item of the claim's
    survey plan has a result; an inconsistency flags the claim (CLM-F1)."""
    assignment = _own_assignment(session, actor, claim)
    evidence, certificate = facts.evidence_file_ids, facts.certificate_file_id
    _check_files(session, claim=claim, evidence=evidence, certificate=certificate)
    results = survey_plan.check_results(
        plan_of(session, claim),
        plan,
        evidence_count=len(evidence),
        certificate_attached=certificate is not None,
    )
    at = timeutil.now()
    _check_survey_time(claim=claim, surveyed_at=facts.surveyed_at, at=at)
    report = _signed_report(
        claim=claim, assignment=assignment, actor=actor, facts=facts, results=results, at=at
    )
    assignment.surveyed_at = facts.surveyed_at
    if assignment.contacted_at is None:
        assignment.contacted_at = min(facts.surveyed_at, at)
    session.add(report)
    session.flush()
    workflow.transition(
        session,
        claim=claim,
        action="submit_survey",
        actor=actor,
        at=at,
        clock_times={
            "claim.survey_report": facts.surveyed_at,
            "claim.survey_contact:stop": assignment.contacted_at,
        },
        details={
            "report_id": report.id,
            "content_hash": report.content_hash,
            "inconsistent": [r.code for r in survey_plan.inconsistencies(results)],
        },
    )
    # After the move: the claim is surveyed, and the hold resumes it there when cleared.
    _flag_inconsistencies(session, actor=actor, claim=claim, results=results)
    return report


def _check_files(
    session: Session, *, claim: Claim, evidence: list[int], certificate: int | None
) -> None:
    """The files are the claim's own; fire and theft need the certificate (CLM-S4)."""
    _files_on_claim(session, claim, evidence, "evidence_file_ids")
    if claim.loss_cause in rules().certificate_causes and certificate is None:
        raise CertificateRequired(field="certificate_file_id")
    if certificate is not None:
        _files_on_claim(session, claim, [certificate], "certificate_file_id")


def _check_survey_time(*, claim: Claim, surveyed_at: dt.datetime, at: dt.datetime) -> None:
    if surveyed_at > at:
        raise SurveyTimeInFuture(
            field="surveyed_at",
            now_zh=local_datetime(at, "zh-CN"),
            now_en=local_datetime(at, "en"),
        )
    if to_local(surveyed_at).date() < claim.loss_date:  # GEN-2: the loss date is local
        raise SurveyTimeBeforeLoss(
            field="surveyed_at",
            loss_zh=local_date(claim.loss_date, "zh-CN"),
            loss_en=local_date(claim.loss_date, "en"),
        )


def _signed_report(
    *,
    claim: Claim,
    assignment: SurveyAssignment,
    actor: Principal,
    facts: SurveyFacts,
    results: tuple[PlanResult, ...],
    at: dt.datetime,
) -> SurveyReport:
    """The report signed by ``actor`` at ``at``: its content hash covers every fact, the
    plan's results and the signature (CLM-S3); the hashed body's shape is fixed, as
    stored hashes are checked against it."""
    body = {
        "claim": claim.number,
        "surveyed_at": facts.surveyed_at.isoformat(),
        "place": facts.place,
        "people": facts.people,
        "actions": facts.actions,
        "conclusion": facts.conclusion,
        "covered": facts.covered,
        "cause": facts.cause,
        "extent": facts.extent,
        "evidence": sorted(facts.evidence_file_ids),
        "certificate": facts.certificate_file_id,
        "plan": [r.as_dict() for r in results],
        "signed_by": actor.username,
        "signed_at": at.isoformat(),
    }
    return SurveyReport(
        claim_id=claim.id,
        assignment_id=assignment.id,
        **asdict(facts),
        plan_results=[r.as_dict() for r in results],
        signed_by_id=actor.user_id,
        signed_by=actor.username,
        signed_at=at,
        content_hash=content_hash(body),
    )


def submit(
    session: Session, *, actor: Principal, claim: Claim, data: SurveyReportIn
) -> SurveyReport:
    """The survey report as the API and the claim page take it (``SurveyReportIn``)."""
    return submit_report(
        session,
        actor=actor,
        claim=claim,
        facts=SurveyFacts(**data.model_dump(exclude={"plan"})),
        plan={code: PlanAnswer(status=r.status, note=r.note) for code, r in data.plan.items()},
    )


def report_of(session: Session, claim_id: int) -> SurveyReport | None:
    return repository.report_of(session, claim_id=claim_id)
