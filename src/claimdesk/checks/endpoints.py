"""Checks API (CLM-F3): administrators configure the checks; investigators and reviewers
read a claim's hits; investigators read the network around a claim (audited, GEN-5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.checks import (
    hooks,  # noqa: F401  (queues the runs when data arrive)
    service,
)
from claimdesk.checks.errors import UnknownCheck
from claimdesk.checks.schemas import (
    CheckConfigIn,
    CheckConfigOut,
    CheckHitOut,
    NetworkOut,
    ParamOut,
)
from claimdesk.claims.read import claim_for
from claimdesk.deps import DB, get_principal, require
from claimdesk.errors import PermissionDenied
from claimdesk.formatting import dates_as_written
from claimdesk.models.check import CheckConfigVersion, CheckHit
from claimdesk.rules.checks.params import to_json
from claimdesk.rules.checks.rules import RULES

router = APIRouter(tags=["checks"])

Reader = Annotated[Principal, Depends(require(Permission.CHECKS_READ))]
Manager = Annotated[Principal, Depends(require(Permission.CHECKS_MANAGE))]
Investigator = Annotated[Principal, Depends(require(Permission.FRAUD_INVESTIGATE))]

# A claim's hits are for the people who decide on holds and reviews (CLM-F2).
_HIT_READERS = (Permission.FRAUD_INVESTIGATE, Permission.CLAIMS_REVIEW)


async def _hit_reader(request: Request) -> Principal:
    # async and on the request (as deps.require): a plain def costs a trip through the
    # thread pool of its own on every request (issue 14).
    principal = await get_principal(request)
    if not any(principal.has(p) for p in _HIT_READERS):
        raise PermissionDenied()
    return principal


# Read by the role × endpoint check: any one of these permissions opens the route.
_hit_reader.required_permission = _HIT_READERS[0]  # type: ignore[attr-defined]
_hit_reader.alternative_permissions = _HIT_READERS[1:]  # type: ignore[attr-defined]
HitReader = Annotated[Principal, Depends(_hit_reader)]


def _config_out(row: CheckConfigVersion) -> CheckConfigOut:
    rule = RULES[row.code]
    return CheckConfigOut(
        code=row.code,
        title_zh=rule.title_zh,
        title_en=rule.title_en,
        version=row.version,
        enabled=row.enabled,
        action=row.action,
        parameters=row.parameters,
        parameter_specs=[
            ParamOut(
                name=s.name,
                kind=s.kind,
                default=to_json({s.name: s.default})[s.name],
                minimum=str(s.minimum),
                maximum=str(s.maximum),
                label_zh=s.label_zh,
                label_en=s.label_en,
            )
            for s in rule.params
        ],
        changed_at=row.created_at,
        changed_by_id=row.created_by_id,
        reason=row.reason,
    )


def _hit_out(row: CheckHit) -> CheckHitOut:
    return CheckHitOut(
        id=row.id,
        claim_id=row.claim_id,
        check_code=row.check_code,
        config_version=row.config_version,
        action=row.action,
        # The texts for people, their days as people write them even where the hit was
        # stored before b2d155a (GEN-2); the evidence stays ISO, for programs.
        reason_zh=dates_as_written(row.reason_zh, "zh-CN"),
        reason_en=dates_as_written(row.reason_en, "en"),
        evidence=row.evidence,
        found_at=row.found_at,
        fraud_flag_id=row.fraud_flag_id,
        outcome=row.outcome,
    )


@router.get("/checks", response_model=list[CheckConfigOut])
def list_checks(db: DB, principal: Reader) -> list[CheckConfigOut]:
    return [_config_out(row) for row in service.configs(db)]


@router.put("/checks/{code}", response_model=CheckConfigOut)
def change_check(code: str, body: CheckConfigIn, db: DB, principal: Manager) -> CheckConfigOut:
    if code not in RULES:
        raise UnknownCheck(check=code)
    return _config_out(service.update_config(db, actor=principal, code=code, data=body))


@router.get("/claims/{claim_id}/check-hits", response_model=list[CheckHitOut])
def claim_hits(claim_id: int, db: DB, principal: HitReader) -> list[CheckHitOut]:
    claim = claim_for(db, principal, claim_id)
    return [_hit_out(row) for row in service.hits_for(db, claim_id=claim.id)]


@router.get("/claims/{claim_id}/network", response_model=NetworkOut)
def claim_network(
    claim_id: int,
    db: DB,
    principal: Investigator,
    hops: Annotated[int, Query(ge=1, le=3)] = 2,
) -> NetworkOut:
    claim = claim_for(db, principal, claim_id)
    return service.read_network(db, actor=principal, claim=claim, hops=hops)
