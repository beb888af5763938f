"""Queries for accounts and sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Select, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from claimdesk.db import driver_engine, read_on_driver
from claimdesk.models.org import OrgUnit
from claimdesk.models.user import AuthSession, LoginThrottle, UsedSmsChallenge, User, UserRole

if TYPE_CHECKING:
    from claimdesk.loop_driver import LoopDriver


# No principal filter on users: the look-ups serve the login and the token check (no
# principal yet), and the user lists the administrators and auditors read whole (their
# route's permission, USERS_MANAGE / USERS_READ, is the rule: SEC-4).
def get_user_by_username(session: Session, *, username: str) -> User | None:
    return session.scalars(
        select(User).where(User.username == username).options(selectinload(User.roles))
    ).one_or_none()


def get_user(session: Session, *, user_id: int) -> User | None:
    # One round trip: every authenticated request runs this.
    return (
        session.scalars(select(User).where(User.id == user_id).options(joinedload(User.roles)))
        .unique()
        .one_or_none()
    )


def users_query(
    *,
    role: str | None = None,
    org_unit_id: int | None = None,
    active: bool | None = None,
) -> Select[Any]:
    """Users with their roles, by id (a unique order, so claimdesk.paging can page it)."""
    query = select(User).options(selectinload(User.roles)).order_by(User.id)
    if role:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if org_unit_id:
        query = query.where(User.org_unit_id == org_unit_id)
    if active is not None:
        query = query.where(User.is_active.is_(active))
    return query


def list_users(
    session: Session,
    *,
    role: str | None = None,
    org_unit_id: int | None = None,
    active: bool | None = None,
) -> list[User]:
    query = users_query(role=role, org_unit_id=org_unit_id, active=active)
    return list(session.scalars(query))


def get_live_session(
    session: Session, *, token_hash: str, kind: str, now: dt.datetime
) -> AuthSession | None:
    return session.scalars(
        select(AuthSession).where(
            AuthSession.token_hash == token_hash,
            AuthSession.kind == kind,
            AuthSession.revoked.is_(False),
            AuthSession.expires_at > now,
        )
    ).one_or_none()


def _live_login_statement() -> Select[Any]:
    sessions, users, roles = AuthSession.__table__.c, User.__table__.c, UserRole.__table__.c
    joined = AuthSession.__table__.join(User.__table__, users.id == sessions.user_id).outerjoin(
        UserRole.__table__, roles.user_id == users.id
    )
    return (
        select(
            sessions.id,
            sessions.user_id,
            sessions.last_seen_at,
            sessions.csrf_token,
            sessions.auth_method,
            users.username,
            users.display_name,
            users.is_active,
            users.org_unit_id,
            users.person_id,
            users.language,
            roles.role,
        )
        .select_from(joined)
        .where(
            sessions.token_hash == bindparam("token_hash"),
            sessions.kind == bindparam("kind"),
            sessions.revoked.is_(False),
            sessions.expires_at > bindparam("now"),
        )
    )


# Built once per process: constructing this select (columns, joins, criteria) cost more CPU
# than running it; plain table columns keep it off the ORM's execution path (issue 14).
_LIVE_LOGIN = _live_login_statement()


class LoginRow(NamedTuple):
    """One row of the token check, in _LIVE_LOGIN's column order."""

    id: int
    user_id: int
    last_seen_at: dt.datetime
    csrf_token: str | None
    auth_method: str
    username: str
    display_name: str
    is_active: bool
    org_unit_id: int | None
    person_id: int | None
    language: str
    role: str | None


assert tuple(_LIVE_LOGIN.selected_columns.keys()) == LoginRow._fields


def live_login_rows(
    session: Session, *, token_hash: str, kind: str, now: dt.datetime
) -> Sequence[Any]:
    """The live session behind a token with its user and roles, in ONE statement (every
    authenticated request runs it): one row per role, plain columns, no ORM objects.

    Before the request has begun a transaction (the usual case) it runs on the pooled
    driver connection in autocommit (db.read_on_driver: a quarter of the CPU of the same
    select through the session, issue 14); inside a transaction, or in a test's session,
    through the session."""
    params = {"token_hash": token_hash, "kind": kind, "now": now}
    engine = driver_engine(session)
    if engine is not None:
        return [LoginRow._make(row) for row in read_on_driver(engine, _LIVE_LOGIN, params)]
    return session.connection().execute(_LIVE_LOGIN, params).all()


async def live_login_rows_on_loop(
    driver: LoopDriver, *, token_hash: str, kind: str, now: dt.datetime
) -> list[LoginRow]:
    """:func:`live_login_rows` on the event loop (claimdesk.loop_driver, PostgreSQL)."""
    params = {"token_hash": token_hash, "kind": kind, "now": now}
    return [LoginRow._make(row) for row in await driver.run(_LIVE_LOGIN, params)]


def touch_session(session: Session, *, auth_session_id: int, now: dt.datetime) -> None:
    session.execute(
        update(AuthSession).where(AuthSession.id == auth_session_id).values(last_seen_at=now)
    )


# Plain table columns and named parameters: the loop driver runs it with no type
# processing (an aware datetime goes to timestamptz as it is).
_SESSIONS = AuthSession.__table__.c
_TOUCH = (
    update(AuthSession)
    .where(_SESSIONS.id == bindparam("id"))
    .values({_SESSIONS.last_seen_at: bindparam("now")})
)


async def touch_session_on_loop(
    driver: LoopDriver, *, auth_session_id: int, now: dt.datetime
) -> None:
    await driver.run(_TOUCH, {"id": auth_session_id, "now": now}, rows=False)


def get_throttle(session: Session, *, key: str) -> LoginThrottle | None:
    # The login's own bookkeeping (SEC-8): no principal exists yet.
    return session.get(LoginThrottle, key)


def user_id_by_username(session: Session, *, username: str) -> int | None:
    return session.scalar(select(User.id).where(User.username == username))


def users_by_ids(session: Session, *, user_ids: Sequence[int] | set[int]) -> Sequence[User]:
    if not user_ids:
        return []
    return session.scalars(select(User).where(User.id.in_(list(user_ids)))).all()


def display_names_by_username(session: Session, *, usernames: set[str]) -> dict[str, str]:
    """Who is who by login name (an audit entry names its actor by username)."""
    if not usernames:
        return {}
    rows = session.execute(
        select(User.username, User.display_name).where(User.username.in_(list(usernames)))
    ).all()
    return {username: name for username, name in rows if name}


def display_names(session: Session, *, user_ids: Sequence[int] | set[int]) -> dict[int, str]:
    """Who is who, for lists that show people by name (user id → display name)."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(User.id, User.display_name).where(User.id.in_(list(user_ids)))
    ).all()
    return {user_id: name for user_id, name in rows}


def active_staff(session: Session) -> list[User]:
    # Active staff accounts (customers' logins have a person behind them).
    query = select(User).where(User.is_active.is_(True), User.person_id.is_(None))
    return list(session.scalars(query.order_by(User.username)))


def staff_with_roles(
    session: Session, *, roles: Sequence[str]
) -> list[tuple[int, str, str | None, str | None]]:
    """(id, display name, unit name, unit English name) of the active users holding any
    of ``roles``, by id: whom a claim can be given to (a surveyor, chosen by region; a
    dispute's responder), with where they work."""
    rows = session.execute(
        select(User.id, User.display_name, OrgUnit.name, OrgUnit.name_en)
        .join(UserRole, UserRole.user_id == User.id)
        .outerjoin(OrgUnit, OrgUnit.id == User.org_unit_id)
        .where(UserRole.role.in_(list(roles)), User.is_active.is_(True))
        .distinct()
        .order_by(User.id)
    ).all()
    return [(user_id, name, unit, unit_en) for user_id, name, unit, unit_en in rows]


def holds_role(session: Session, *, user_id: int, roles: Sequence[str] | None = None) -> bool:
    """The user holds one of ``roles`` (any staff role, i.e. not only customer, when
    none are named)."""
    query = select(UserRole.id).where(UserRole.user_id == user_id)
    query = query.where(UserRole.role.in_(list(roles)) if roles else UserRole.role != "customer")
    return session.scalars(query).first() is not None


def spend_challenge(session: Session, *, nonce: str, user_id: int, now: dt.datetime) -> bool:
    """Record a second-factor challenge as used; False when it already was (its primary
    key decides, also between two racing requests)."""
    try:
        with session.begin_nested():
            session.add(UsedSmsChallenge(nonce=nonce[:32], user_id=user_id, used_at=now))
    except IntegrityError:
        return False
    return True


def forget_spent_challenges(session: Session, *, before: dt.datetime) -> None:
    session.execute(delete(UsedSmsChallenge).where(UsedSmsChallenge.used_at < before))


def revoke_live_sessions(session: Session, *, user_id: int, keep_token_hash: str | None) -> int:
    """Revoke every live session of a user but the one of ``keep_token_hash``; how many."""
    query = update(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked.is_(False)
    )
    if keep_token_hash:
        query = query.where(AuthSession.token_hash != keep_token_hash)
    result = session.execute(
        query.values(revoked=True).execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
