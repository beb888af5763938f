"""The automatic path's API (CLM-T2, CLM-T3): what it decided on a claim, the rule
sets, and the quality sample's queue and verdicts. Claims are loaded through the
row-filtered claims repository (CLM-F2, SEC-4)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims.automatic import service
from claimdesk.claims.automatic.schemas import (
    AutomaticDecisionOut,
    ReferredItemOut,
    RuleSetAgreementOut,
    RuleSetOut,
    SampleItemOut,
    SampleVerdictOut,
    VerdictIn,
)
from claimdesk.claims.read import claim_for
from claimdesk.deps import DB, require
from claimdesk.paging import Page, Paging

router = APIRouter(tags=["automatic claims"])

Reader = Annotated[Principal, Depends(require(Permission.CLAIMS_READ))]
Reviewer = Annotated[Principal, Depends(require(Permission.CLAIMS_REVIEW))]
Handler = Annotated[Principal, Depends(require(Permission.CLAIMS_ACCEPT))]
RulesReader = Annotated[Principal, Depends(require(Permission.THRESHOLDS_READ))]


@router.get("/claims/{claim_id}/automatic", response_model=AutomaticDecisionOut | None)
def automatic_decision(claim_id: int, db: DB, principal: Reader) -> AutomaticDecisionOut | None:
    """What the automatic path did with the claim: paid, or referred with the reasons;
    null when it never looked (no bills as data, or a person took the claim first)."""
    claim = claim_for(db, principal, claim_id)
    found = service.decision_of(db, claim_id=claim.id)
    if found is not None and principal.is_customer:
        # The reasons are for staff: a check's hit is not told to the claimant.
        found = found.model_copy(update={"reasons": [], "verdict": None})
    return found


@router.post(
    "/claims/{claim_id}/automatic/verdict", status_code=201, response_model=SampleVerdictOut
)
def give_verdict(claim_id: int, body: VerdictIn, db: DB, principal: Reviewer) -> SampleVerdictOut:
    """A tier-1 reviewer's verdict on a sampled automatic payment (CLM-T3)."""
    claim = claim_for(db, principal, claim_id, for_update=True)
    return service.give_verdict(db, actor=principal, claim=claim, data=body)


@router.get("/automatic/sample", response_model=Page[SampleItemOut])
def sample_queue(db: DB, principal: Reviewer, paging: Paging) -> Page[SampleItemOut]:
    """The sampled automatic payments waiting for a tier-1 verdict (CLM-T3)."""
    return service.sample_queue(db, principal=principal, page=paging)


@router.get("/automatic/referred", response_model=Page[ReferredItemOut])
def referred_queue(db: DB, principal: Handler, paging: Paging) -> Page[ReferredItemOut]:
    """Claims the automatic path sent to a person, with the reasons (CLM-T2)."""
    return service.referred_queue(db, principal=principal, page=paging)


@router.get("/automatic/rule-set", response_model=RuleSetOut)
def current_rule_set(db: DB, principal: RulesReader) -> RuleSetOut:
    """The rule set that decides now: automatic settings and checks' configuration."""
    return service.rule_set_now(db)


@router.get("/automatic/rule-sets/{version}", response_model=RuleSetOut)
def rule_set(version: str, db: DB, principal: RulesReader) -> RuleSetOut:
    return service.rule_set_of(db, version=version)


@router.get("/automatic/agreement", response_model=list[RuleSetAgreementOut])
def agreement(db: DB, principal: RulesReader) -> list[RuleSetAgreementOut]:
    """The sample's verdicts per rule set version (CLM-T3, CLM-T4)."""
    return service.agreement(db)
