"""Queries for accounts and sessions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from claimdesk.models.user import AuthSession, LoginThrottle, User, UserRole


def get_user_by_username(session: Session, username: str) -> User | None:
    return session.scalars(
        select(User).where(User.username == username).options(selectinload(User.roles))
    ).one_or_none()


def get_user(session: Session, user_id: int) -> User | None:
    # One round trip: every authenticated request runs this.
    return (
        session.scalars(select(User).where(User.id == user_id).options(joinedload(User.roles)))
        .unique()
        .one_or_none()
    )


def list_users(
    session: Session,
    *,
    role: str | None = None,
    org_unit_id: int | None = None,
    active: bool | None = None,
) -> list[User]:
    query = select(User).options(selectinload(User.roles)).order_by(User.id)
    if role:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if org_unit_id:
        query = query.where(User.org_unit_id == org_unit_id)
    if active is not None:
        query = query.where(User.is_active.is_(active))
    return list(session.scalars(query))


def get_live_session(
    session: Session, token_hash: str, kind: str, now: dt.datetime
) -> AuthSession | None:
    return session.scalars(
        select(AuthSession).where(
            AuthSession.token_hash == token_hash,
            AuthSession.kind == kind,
            AuthSession.revoked.is_(False),
            AuthSession.expires_at > now,
        )
    ).one_or_none()


def get_throttle(session: Session, key: str) -> LoginThrottle | None:
    return session.get(LoginThrottle, key)
