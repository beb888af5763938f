"""Organisation unit API: administrators write, every staff member may list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.deps import DB, require
from claimdesk.models.org import OrgUnit
from claimdesk.org import service
from claimdesk.org.schemas import OrgKind, OrgUnitCreate, OrgUnitOut, OrgUnitUpdate

router = APIRouter(prefix="/org-units", tags=["org"])

# Route permissions (SEC-4) as type aliases, so mypy sees a Principal.
NeedsOrgManage = Annotated[Principal, Depends(require(Permission.ORG_MANAGE))]
NeedsOrgRead = Annotated[Principal, Depends(require(Permission.ORG_READ))]


def unit_out(unit: OrgUnit) -> OrgUnitOut:
    return OrgUnitOut(
        id=unit.id,
        code=unit.code,
        name=unit.name,
        name_en=unit.name_en,
        kind=unit.kind,
        region_code=unit.region_code,
        parent_id=unit.parent_id,
    )


@router.post("", status_code=201, response_model=OrgUnitOut)
def create_unit(body: OrgUnitCreate, db: DB, principal: NeedsOrgManage) -> OrgUnitOut:
    unit = service.create_unit(
        db,
        actor=principal,
        code=body.code,
        name=body.name,
        name_en=body.name_en,
        kind=body.kind,
        region_code=body.region_code,
        parent_id=body.parent_id,
    )
    return unit_out(unit)


@router.get("", response_model=list[OrgUnitOut])
def list_units(
    db: DB,
    principal: NeedsOrgRead,
    kind: Annotated[OrgKind | None, Query()] = None,
) -> list[OrgUnitOut]:
    return [unit_out(u) for u in service.list_units(db, kind=kind)]


@router.get("/{unit_id}", response_model=OrgUnitOut)
def get_unit(unit_id: int, db: DB, principal: NeedsOrgRead) -> OrgUnitOut:
    return unit_out(service.get_unit(db, unit_id=unit_id))


@router.patch("/{unit_id}", response_model=OrgUnitOut)
def update_unit(unit_id: int, body: OrgUnitUpdate, db: DB, principal: NeedsOrgManage) -> OrgUnitOut:
    unit = service.update_unit(
        db,
        actor=principal,
        unit_id=unit_id,
        reason=body.reason,
        name=body.name,
        region_code=body.region_code,
        # Only when the body says it: null removes the English name.
        name_en=body.name_en if "name_en" in body.model_fields_set else service.UNCHANGED,
    )
    return unit_out(unit)
