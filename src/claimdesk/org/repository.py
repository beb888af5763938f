"""Queries for organisation units. No principal filter: the head office and branches
are the company's structure, no personal data; every member of staff reads them
(ORG_READ), administrators change them (ORG_MANAGE)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.org import OrgUnit


def get(session: Session, *, unit_id: int) -> OrgUnit | None:
    return session.get(OrgUnit, unit_id)


def get_by_code(session: Session, *, code: str) -> OrgUnit | None:
    return session.scalars(select(OrgUnit).where(OrgUnit.code == code)).one_or_none()


def head_office(session: Session) -> OrgUnit | None:
    return session.scalars(
        select(OrgUnit).where(OrgUnit.kind == "head_office").order_by(OrgUnit.id).limit(1)
    ).first()


def list_units(session: Session, *, kind: str | None = None) -> list[OrgUnit]:
    query = select(OrgUnit).order_by(OrgUnit.kind.desc(), OrgUnit.code)
    if kind:
        query = query.where(OrgUnit.kind == kind)
    return list(session.scalars(query))
