"""Policies API (POL-1..POL-6): thin routes over policies.service."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.deps import DB, require
from claimdesk.i18n import request_language
from claimdesk.paging import Page, Paging
from claimdesk.policies import documents, service
from claimdesk.policies.schemas import (
    ChangeIn,
    ChangeOut,
    DisputeIn,
    DisputeOut,
    DisputeStepIn,
    PolicyIssueIn,
    PolicyOut,
    PolicySummary,
    RenewIn,
    ReviewIn,
    StepIn,
)

# The route permissions (require() tags each dependency with its permission).
NeedsPoliciesIssue = Annotated[Principal, Depends(require(Permission.POLICIES_ISSUE))]
NeedsPoliciesRead = Annotated[Principal, Depends(require(Permission.POLICIES_READ))]
NeedsPoliciesService = Annotated[Principal, Depends(require(Permission.POLICIES_SERVICE))]
NeedsPoliciesApprove = Annotated[Principal, Depends(require(Permission.POLICIES_APPROVE))]

router = APIRouter(prefix="/policies", tags=["policies"])


def _lang(request: Request) -> str:
    return getattr(request.state, "language", None) or request_language(request)


@router.get("", response_model=Page[PolicySummary])
def list_policies(db: DB, actor: NeedsPoliciesRead, paging: Paging) -> Page[PolicySummary]:
    # One page, then two queries for its summaries (issue 6's N+1 fix).
    found = service.policies_page(db, actor=actor, paging=paging)
    return found.page_of(service.policy_summaries(db, policies=found.rows))


@router.post("", response_model=PolicyOut, status_code=201)
def issue_policy(
    body: PolicyIssueIn, request: Request, db: DB, actor: NeedsPoliciesIssue
) -> PolicyOut:
    policy = service.issue_policy(db, actor=actor, data=body)
    shown = service.get_policy(db, actor=actor, policy_id=policy.id)
    return service.policy_out(db, policy=shown, language=_lang(request), viewer=actor)


@router.get("/lookup", response_model=list[PolicySummary])
def lookup(
    db: DB,
    actor: NeedsPoliciesRead,
    number: str | None = None,
    id_number: str | None = None,
    date_of_loss: dt.date | None = None,
) -> list[PolicySummary]:
    found = service.find_for_claim(
        db, actor=actor, policy_number=number, id_number=id_number, date_of_loss=date_of_loss
    )
    return service.policy_summaries(db, policies=found)


@router.get("/{policy_id}", response_model=PolicyOut)
def get_policy(policy_id: int, request: Request, db: DB, actor: NeedsPoliciesRead) -> PolicyOut:
    policy = service.get_policy(db, actor=actor, policy_id=policy_id)
    return service.policy_out(db, policy=policy, language=_lang(request), viewer=actor)


@router.get("/{policy_id}/contract.pdf")
def contract(policy_id: int, db: DB, actor: NeedsPoliciesRead) -> Response:
    pdf = documents.contract_pdf(db, actor=actor, policy_id=policy_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="policy-{policy_id}.pdf"'},
    )


@router.post("/{policy_id}/renew", response_model=PolicyOut, status_code=201)
def renew(
    policy_id: int,
    request: Request,
    db: DB,
    actor: NeedsPoliciesService,
    body: RenewIn | None = None,
) -> PolicyOut:
    body = body or RenewIn()
    policy = service.renew_policy(
        db,
        actor=actor,
        policy_id=policy_id,
        product_version_id=body.product_version_id,
        premium=body.premium,
    )
    shown = service.get_policy(db, actor=actor, policy_id=policy.id)
    return service.policy_out(db, policy=shown, language=_lang(request), viewer=actor)


@router.post("/{policy_id}/changes", response_model=ChangeOut, status_code=201)
def request_change(
    policy_id: int, body: ChangeIn, request: Request, db: DB, actor: NeedsPoliciesService
) -> ChangeOut:
    change = service.request_change(db, actor=actor, policy_id=policy_id, data=body)
    return service.change_out(db, change=change, language=_lang(request))


@router.post("/changes/{change_id}/review", response_model=ChangeOut)
def review_change(
    change_id: int, body: ReviewIn, request: Request, db: DB, actor: NeedsPoliciesService
) -> ChangeOut:
    change = service.review_change(
        db, actor=actor, change_id=change_id, lawful=body.lawful, note=body.note
    )
    return service.change_out(db, change=change, language=_lang(request))


@router.post("/changes/{change_id}/approve", response_model=ChangeOut)
def approve_change(
    change_id: int, request: Request, db: DB, actor: NeedsPoliciesApprove
) -> ChangeOut:
    change = service.approve_change(db, actor=actor, change_id=change_id)
    return service.change_out(db, change=change, language=_lang(request))


@router.post("/changes/{change_id}/complete", response_model=ChangeOut)
def complete_change(
    change_id: int, request: Request, db: DB, actor: NeedsPoliciesService
) -> ChangeOut:
    change = service.complete_change(db, actor=actor, change_id=change_id)
    return service.change_out(db, change=change, language=_lang(request))


@router.post("/changes/{change_id}/reject", response_model=ChangeOut)
def reject_change(
    change_id: int, body: StepIn, request: Request, db: DB, actor: NeedsPoliciesApprove
) -> ChangeOut:
    change = service.reject_change(
        db, actor=actor, change_id=change_id, reason=body.note or "rejected"
    )
    return service.change_out(db, change=change, language=_lang(request))


@router.post("/{policy_id}/disputes", response_model=DisputeOut, status_code=201)
def open_dispute(
    policy_id: int, body: DisputeIn, request: Request, db: DB, actor: NeedsPoliciesService
) -> DisputeOut:
    dispute = service.open_dispute(
        db, actor=actor, policy_id=policy_id, applicant=body.applicant, description=body.description
    )
    return service.dispute_out(db, dispute=dispute, language=_lang(request))


@router.post("/disputes/{dispute_id}/steps", response_model=DisputeOut)
def dispute_step(
    dispute_id: int, body: DisputeStepIn, request: Request, db: DB, actor: NeedsPoliciesService
) -> DisputeOut:
    dispute = service.dispute_step(
        db,
        actor=actor,
        dispute_id=dispute_id,
        action=body.action,
        text=body.text,
        route=body.route,
        at=body.at,
    )
    return service.dispute_out(db, dispute=dispute, language=_lang(request))
