"""Builders with explicit defaults: tests say what matters and nothing random."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.auth.passwords import hash_password
from claimdesk.models.org import OrgUnit
from claimdesk.models.user import User, UserRole

DEFAULT_PASSWORD = "Correct-Horse-9"
# argon2 is deliberately slow; hash the shared test password once.
_HASHES: dict[str, str] = {}


def _hash(password: str) -> str:
    if password not in _HASHES:
        _HASHES[password] = hash_password(password)
    return _HASHES[password]


def make_org_unit(session: Session, *, code: str = "HQ", name: str = "总公司", kind: str = "head_office",
                  parent: OrgUnit | None = None, region_code: str | None = "110000") -> OrgUnit:
    unit = OrgUnit(code=code, name=name, kind=kind, region_code=region_code,
                   parent_id=parent.id if parent else None)
    session.add(unit)
    session.flush()
    return unit


def make_user(
    session: Session,
    *,
    username: str = "handler1",
    roles: Iterable[str] = ("claims_handler",),
    password: str = DEFAULT_PASSWORD,
    display_name: str | None = None,
    org_unit: OrgUnit | None = None,
    person_id: int | None = None,
    is_active: bool = True,
) -> User:
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=_hash(password),
        org_unit_id=org_unit.id if org_unit else None,
        person_id=person_id,
        is_active=is_active,
    )
    user.roles = [UserRole(role=str(r)) for r in roles]
    session.add(user)
    session.flush()
    return user


def login_headers(client: TestClient, username: str, password: str = DEFAULT_PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


# --- calendar (GEN-3) ---------------------------------------------------------------------


def seed_calendar(session: Session, *, years: Iterable[int] = (2025, 2026)) -> list[int]:
    """Store the holidays package's arrangement for ``years`` (as ``claimdesk calendar seed``)."""
    from claimdesk.auth.principal import Principal
    from claimdesk.calendar.service import seed_from_package

    return seed_from_package(session, years=years, actor=Principal.system("test"))
