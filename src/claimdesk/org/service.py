"""Create, rename and list organisation units.

The structure is deliberately two-level — one head office (总公司) and its branches
(分公司) — which is what remote-claim routing (CLM-Z1) and the per-branch scorecard
(GEN-7) need.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.models.org import OrgUnit
from claimdesk.org import repository
from claimdesk.org.errors import (
    BranchNeedsHeadOffice,
    HeadOfficeExists,
    HeadOfficeHasNoParent,
    InvalidOrgCode,
    InvalidRegionCode,
    OrgCodeTaken,
    OrgUnitNotFound,
)


class Unchanged:
    """The value of an update's argument that was not given (None means "remove")."""


UNCHANGED = Unchanged()

CODE_RULE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
REGION_RULE = re.compile(r"^\d{6}$")


def _check_region(region_code: str | None) -> None:
    if region_code is not None and not REGION_RULE.match(region_code):
        raise InvalidRegionCode(field="region_code")


def create_unit(
    session: Session,
    *,
    actor: Principal,
    code: str,
    name: str,
    kind: str,
    region_code: str | None = None,
    parent_id: int | None = None,
    name_en: str | None = None,
) -> OrgUnit:
    if not CODE_RULE.match(code):
        raise InvalidOrgCode(field="code")
    _check_region(region_code)
    if repository.get_by_code(session, code=code) is not None:
        raise OrgCodeTaken(field="code", org_code=code)
    if kind == "head_office":
        if parent_id is not None:
            raise HeadOfficeHasNoParent(field="parent_id")
        existing = repository.head_office(session)
        if existing is not None:
            raise HeadOfficeExists(field="kind", org_code=existing.code)
    else:
        parent = repository.get(session, unit_id=parent_id) if parent_id is not None else None
        if parent is None or parent.kind != "head_office":
            raise BranchNeedsHeadOffice(field="parent_id")
    unit = OrgUnit(
        code=code,
        name=name.strip(),
        name_en=name_en.strip() if name_en and name_en.strip() else None,
        kind=kind,
        region_code=region_code,
        parent_id=parent_id,
    )
    session.add(unit)
    session.flush()
    record(
        session,
        actor=actor,
        action="org_unit.create",
        entity_type="org_unit",
        entity_id=unit.id,
        details={"code": code, "kind": kind, "parent_id": parent_id, "name_en": unit.name_en},
    )
    return unit


def update_unit(
    session: Session,
    *,
    actor: Principal,
    unit_id: int,
    reason: str,
    name: str | None = None,
    region_code: str | None = None,
    name_en: str | Unchanged | None = UNCHANGED,
) -> OrgUnit:
    """Rename a unit, in Chinese and/or English (``name_en``: left UNCHANGED unless
    given; None removes it, English pages then show the Chinese name)."""
    unit = get_unit(session, unit_id=unit_id)
    _check_region(region_code)
    before = {"name": unit.name, "name_en": unit.name_en, "region_code": unit.region_code}
    if name is not None:
        unit.name = name.strip()
    if not isinstance(name_en, Unchanged):
        unit.name_en = name_en.strip() if name_en and name_en.strip() else None
    if region_code is not None:
        unit.region_code = region_code
    session.flush()
    record(
        session,
        actor=actor,
        action="org_unit.update",
        entity_type="org_unit",
        entity_id=unit.id,
        reason=reason,
        details={
            "before": before,
            "after": {"name": unit.name, "name_en": unit.name_en, "region_code": unit.region_code},
        },
    )
    return unit


def get_unit(session: Session, *, unit_id: int) -> OrgUnit:
    unit = repository.get(session, unit_id=unit_id)
    if unit is None:
        raise OrgUnitNotFound(unit=unit_id)
    return unit


def get_unit_by_code(session: Session, *, code: str) -> OrgUnit:
    unit = repository.get_by_code(session, code=code)
    if unit is None:
        raise OrgUnitNotFound(unit=code)
    return unit


def list_units(session: Session, *, kind: str | None = None) -> list[OrgUnit]:
    return repository.list_units(session, kind=kind)
