"""Remote claims (全国通赔, SPEC CLM-Z1).

A claim reported at a local branch for a policy of another unit: the local branch
surveys and assesses, head office adjusts and reviews. The split is enforced on the
acting person's org unit (``Principal.org_unit_id``) for every move of the workflow
(``require_org_for_move``, called by ``claims.workflow.transition``) and for the
data steps that are not moves (recording an assessment, running the adjustment), and
a surveyor assigned to the claim must belong to the local branch. Materials come
online (uploads) or by post with the case number: mailings are recorded with their
tracking number and received into the checklist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy.orm import Session

from claimdesk import formatting
from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil, workflow
from claimdesk.claims.fraud import service as fraud
from claimdesk.claims.intake import acceptance
from claimdesk.claims.repository import materials_of
from claimdesk.claims.special import repository
from claimdesk.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from claimdesk.models.claim import Claim
from claimdesk.models.event import MaterialMailing, RemoteClaim
from claimdesk.models.org import OrgUnit
from claimdesk.models.user import User
from claimdesk.org import repository as org_repository

# Moves of the table made by the local branch, and by head office.
LOCAL_MOVES = frozenset(
    {
        "assign_surveyor",
        "record_contact",
        "submit_survey",
        "skip_survey",
        "complete_assessment",
        "reassess",
    }
)
HEAD_OFFICE_MOVES = frozenset(
    {"complete_adjustment", "submit_review", "approve", "reject", "return_to_adjustment"}
)


class NotABranch(ValidationFailed):
    code = "remote_local_unit_not_branch"
    message_zh = "{field}：受理地机构须为分支机构"
    message_en = "{field}: the local unit must be a branch"


class SameUnitNotRemote(ValidationFailed):
    code = "remote_same_unit"
    message_zh = "{field}：受理地机构与保单归属机构相同，不是异地案件"
    message_en = "{field}: the local unit is the policy's own unit; the claim is not remote"


class NoHeadOffice(Conflict):
    code = "no_head_office"
    message_zh = "系统中没有总公司机构，无法办理全国通赔"
    message_en = "No head office unit is on record; remote claims need one"


class AlreadyRemote(Conflict):
    code = "claim_already_remote"
    message_zh = "该案件已登记为异地案件"
    message_en = "The claim is already designated remote"


class LocalBranchOnly(PermissionDenied):
    code = "remote_local_branch_only"
    message_zh = "异地案件的查勘、定损须由受理地分支机构 {unit} 的人员办理"
    message_en = (
        "Survey and assessment of a remote claim are done by staff of the local branch {unit_en}"
    )


class HeadOfficeOnly(PermissionDenied):
    code = "remote_head_office_only"
    message_zh = "异地案件的理算、核赔须由总公司人员办理"
    message_en = "Adjustment and review of a remote claim are done by head office staff"


class SurveyorNotLocal(ValidationFailed):
    code = "remote_surveyor_not_local"
    message_zh = "{field}：异地案件须指派受理地分支机构 {unit} 的查勘员"
    message_en = "{field}: a remote claim's surveyor must belong to the local branch {unit_en}"


class UnknownMailedItem(ValidationFailed):
    code = "unknown_mailed_item"
    message_zh = "{field}：{value} 不在本案材料清单中"
    message_en = "{field}: {value} is not on this claim's checklist"


class ClaimClosedForMailing(Conflict):
    """Posted originals are claim materials: a claim decided or ended takes none (the
    rule of uploads, acceptance.takes_upload), but a green-channel item deferred past
    payment (CLM-Z2)."""

    code = "claim_closed_for_mailing"
    message_zh = "{field}：案件当前状态为 {state}，不再登记邮寄的理赔材料"
    message_en = "{field}: the claim is {state}; no mailing of claim materials is recorded on it"


class MailingAlreadyReceived(Conflict):
    code = "mailing_already_received"
    message_zh = "该邮寄材料已于 {at} 签收"
    message_en = "This mailing was received at {at}"


def _unit(session: Session, unit_id: int) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotFound(what="org unit", field="local_org_unit_id")
    return unit


def _unit_names(session: Session, unit_id: int) -> dict[str, str]:
    """A unit named in each language an error is said in (``unit``, ``unit_en``: its
    English name where it has one, GEN-6)."""
    unit = _unit(session, unit_id)
    return {"unit": unit.name, "unit_en": formatting.name_in(unit, "en")}


def designate(
    session: Session, *, actor: Principal, claim: Claim, local_org_unit_id: int
) -> RemoteClaim:
    if repository.remote_of(session, claim_id=claim.id) is not None:
        raise AlreadyRemote()
    local = _unit(session, local_org_unit_id)
    if local.kind != "branch":
        raise NotABranch(field="local_org_unit_id")
    if local.id == claim.org_unit_id:
        raise SameUnitNotRemote(field="local_org_unit_id")
    head = org_repository.head_office(session)
    if head is None:
        raise NoHeadOffice()
    at = timeutil.now()
    remote = RemoteClaim(
        claim_id=claim.id,
        local_org_unit_id=local.id,
        policy_org_unit_id=claim.org_unit_id,
        head_office_org_unit_id=head.id,
        designated_at=at,
        designated_by_id=actor.user_id,
    )
    session.add(remote)
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.remote_designated",
        entity_type="claim",
        entity_id=claim.id,
        at=at,
        details={
            "local_org_unit_id": local.id,
            "policy_org_unit_id": claim.org_unit_id,
            "head_office_org_unit_id": head.id,
        },
    )
    return remote


def _require_local(session: Session, remote: RemoteClaim, actor: Principal) -> None:
    if actor.org_unit_id != remote.local_org_unit_id:
        raise LocalBranchOnly(**_unit_names(session, remote.local_org_unit_id))


def _require_head_office(remote: RemoteClaim, actor: Principal) -> None:
    if actor.org_unit_id != remote.head_office_org_unit_id:
        raise HeadOfficeOnly()


def require_org_for_move(
    session: Session,
    *,
    claim: Claim,
    action: str,
    actor: Principal,
    details: Mapping[str, object] | None,
) -> None:
    """CLM-Z1 for a move of the table; no-op for claims that are not remote and for
    the system (jobs act for everyone)."""
    if actor.session_kind == "system":
        return
    if (
        action != "assign_surveyor"
        and action not in LOCAL_MOVES
        and action not in HEAD_OFFICE_MOVES
    ):
        return  # no org rule for this move (the report itself, withdrawals ...): no look-up
    remote = repository.remote_of(session, claim_id=claim.id)
    if remote is None:
        return
    if action == "assign_surveyor":
        # Whoever dispatches (the handler who took the report), the surveyor is local.
        surveyor_id = (details or {}).get("surveyor_id")
        surveyor = session.get(User, surveyor_id) if isinstance(surveyor_id, int) else None
        if surveyor is None or surveyor.org_unit_id != remote.local_org_unit_id:
            raise SurveyorNotLocal(
                field="surveyor_id", **_unit_names(session, remote.local_org_unit_id)
            )
    elif action in LOCAL_MOVES:
        _require_local(session, remote, actor)
    elif action in HEAD_OFFICE_MOVES:
        _require_head_office(remote, actor)


def require_local_step(session: Session, *, claim: Claim, actor: Principal) -> None:
    """Recording an assessment of a remote claim (local branch)."""
    remote = repository.remote_of(session, claim_id=claim.id)
    if remote is not None and actor.session_kind != "system":
        _require_local(session, remote, actor)


def require_head_office_step(session: Session, *, claim: Claim, actor: Principal) -> None:
    """Running the adjustment of a remote claim (head office)."""
    remote = repository.remote_of(session, claim_id=claim.id)
    if remote is not None and actor.session_kind != "system":
        _require_head_office(remote, actor)


# -- mailed materials --------------------------------------------------------------------


def mailable_codes(session: Session, claim: Claim) -> list[str]:
    """The checklist items a parcel may still bring, in checklist order: on an open or
    held claim every item not yet received; on a decided or ended claim only the green
    channel's deferred items still to come (record_mailing refuses anything else). The
    claim page offers exactly these, so that what it offers is what the service takes."""
    if claim.state in workflow.FINAL_STATES:
        late = acceptance.late_material_codes(session, claim)
        return [m.code for m in materials_of(session, claim_id=claim.id) if m.code in late]
    return [m.code for m in materials_of(session, claim_id=claim.id) if not m.received]


def record_mailing(
    session: Session,
    *,
    actor: Principal,
    claim: Claim,
    carrier: str,
    tracking_number: str,
    items: list[str],
    sent_on: dt.date,
) -> MaterialMailing:
    """Materials posted with the case number (CLM-Z1), received later into the checklist.
    A claim decided or ended (workflow.FINAL_STATES) takes only the green channel's
    deferred items; open and held claims take any item of the checklist. A fraud
    investigator posts no claim materials (their files are evidence)."""
    refused = fraud.upload_refusal(actor=actor, claim=claim, purpose="material", field="items")
    if refused is not None:
        raise refused
    if claim.state in workflow.FINAL_STATES:
        late = acceptance.late_material_codes(session, claim)
        for index, code in enumerate(items):
            if code not in late:
                raise ClaimClosedForMailing(field=f"items.{index}", state=claim.state)
    codes = {m.code for m in materials_of(session, claim_id=claim.id)}
    for index, code in enumerate(items):
        if code not in codes:
            raise UnknownMailedItem(field=f"items.{index}", value=code)
    if repository.mailing_recorded(session, carrier=carrier, tracking_number=tracking_number):
        raise ValidationFailed(
            field="tracking_number",
            zh="tracking_number：该运单号已登记",
            en="tracking_number: this tracking number is already recorded",
        )
    at = timeutil.now()
    mailing = MaterialMailing(
        claim_id=claim.id,
        carrier=carrier,
        tracking_number=tracking_number,
        items=list(dict.fromkeys(items)),
        sent_on=sent_on,
        recorded_at=at,
        recorded_by_id=actor.user_id,
    )
    session.add(mailing)
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.materials_mailed",
        entity_type="claim",
        entity_id=claim.id,
        at=at,
        details={
            "mailing_id": mailing.id,
            "carrier": carrier,
            "tracking_number": tracking_number,
            "items": mailing.items,
            "case_number": claim.number,
        },
    )
    return mailing


def receive_mailing(
    session: Session, *, actor: Principal, claim: Claim, mailing_id: int
) -> MaterialMailing:
    """The parcel arrived: each mailed item is received into the checklist (paper)."""
    mailing = session.get(MaterialMailing, mailing_id)
    if mailing is None or mailing.claim_id != claim.id:
        raise NotFound(what="mailing", field="mailing_id")
    if mailing.received_at is not None:
        raise MailingAlreadyReceived(at=mailing.received_at.isoformat())
    for code in mailing.items:
        acceptance.receive_paper(
            session, actor=actor, claim=claim, code=code, count=1, original_checked=False
        )
    mailing.received_at = timeutil.now()
    mailing.received_by_id = actor.user_id
    session.flush()
    record(
        session,
        actor=actor,
        action="claim.mailing_received",
        entity_type="claim",
        entity_id=claim.id,
        details={"mailing_id": mailing.id, "items": mailing.items},
    )
    return mailing


def remote_of(session: Session, claim_id: int) -> RemoteClaim | None:
    """The claim's remote designation (CLM-Z1), or None."""
    return repository.remote_of(session, claim_id=claim_id)


def mailings_of(session: Session, claim_id: int) -> list[MaterialMailing]:
    """The materials mailed with the case number for the claim (CLM-Z1)."""
    return repository.mailings_of(session, claim_id=claim_id)
