"""Log in, resolve a token or session cookie to a principal, log out."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth import repository
from claimdesk.auth.passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from claimdesk.auth.principal import Principal
from claimdesk.config import get_settings
from claimdesk.errors import InvalidCredentials, TooManyLoginAttempts
from claimdesk.models.base import utcnow
from claimdesk.models.user import AuthSession, LoginThrottle, User


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedSession:
    token: str
    csrf_token: str | None
    expires_at: dt.datetime
    principal: Principal


def principal_for(user: User, *, ip: str | None, kind: str, auth_method: str = "password") -> Principal:
    return Principal.build(
        user_id=user.id,
        username=user.username,
        roles=frozenset(r.role for r in user.roles),
        org_unit_id=user.org_unit_id,
        person_id=user.person_id,
        ip=ip,
        language=user.language,
        session_kind=kind,
        auth_method=auth_method,
    )


def _check_throttle(session: Session, username: str, now: dt.datetime) -> None:
    throttle = repository.get_throttle(session, username)
    if throttle and throttle.locked_until and throttle.locked_until > now:
        wait = int((throttle.locked_until - now).total_seconds()) + 1
        raise TooManyLoginAttempts(field="username", retry_after=wait)


def _register_failure(session: Session, username: str, now: dt.datetime) -> None:
    settings = get_settings()
    throttle = repository.get_throttle(session, username)
    if throttle is None:
        throttle = LoginThrottle(username=username, failures=0)
        session.add(throttle)
    throttle.failures += 1
    throttle.last_failure_at = now
    over = throttle.failures - settings.login_max_failures
    if over >= 0:
        # Lockout doubles with every further failure, capped at one hour.
        seconds = min(settings.login_lockout_seconds * (2**over), 3600)
        throttle.locked_until = now + dt.timedelta(seconds=seconds)


def login(
    session: Session,
    *,
    username: str,
    password: str,
    ip: str | None,
    kind: str = "api",
    auth_method: str = "password",
) -> IssuedSession:
    """Check the password and open a session. Failures are counted per username in the
    database (so every process sees them) and slow further attempts down."""
    now = utcnow()
    _check_throttle(session, username, now)
    user = repository.get_user_by_username(session, username)
    valid = verify_password(user.password_hash if user else DUMMY_HASH, password)
    if user is None or not valid or not user.is_active:
        _register_failure(session, username, now)
        anon = Principal(user_id=None, username=username, roles=frozenset(), ip=ip)
        record(session, actor=anon, action="auth.login_failed", entity_type="user", entity_id=username)
        # The failure must be stored even though the request fails: the edge commits
        # it because InvalidCredentials is marked commit-worthy.
        raise InvalidCredentials(field="password")
    throttle = repository.get_throttle(session, username)
    if throttle:
        session.delete(throttle)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    issued = open_session(session, user=user, ip=ip, kind=kind, auth_method=auth_method, now=now)
    record(session, actor=issued.principal, action="auth.login", entity_type="user", entity_id=user.id,
           details={"kind": kind, "method": auth_method})
    return issued


def open_session(
    session: Session, *, user: User, ip: str | None, kind: str, auth_method: str, now: dt.datetime
) -> IssuedSession:
    settings = get_settings()
    ttl = settings.api_token_ttl_minutes if kind == "api" else settings.session_ttl_minutes
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24) if kind == "web" else None
    expires = now + dt.timedelta(minutes=ttl)
    session.add(
        AuthSession(
            token_hash=token_hash(token), kind=kind, user_id=user.id, csrf_token=csrf,
            expires_at=expires, last_seen_at=now, ip=ip, auth_method=auth_method,
        )
    )
    session.flush()
    return IssuedSession(token=token, csrf_token=csrf, expires_at=expires,
                         principal=principal_for(user, ip=ip, kind=kind, auth_method=auth_method))


@dataclass(frozen=True)
class ResolvedSession:
    principal: Principal
    csrf_token: str | None
    auth_session_id: int


def resolve(session: Session, *, token: str, kind: str, ip: str | None) -> ResolvedSession | None:
    """The principal behind a live token or cookie; None when unknown, revoked or expired.

    Web sessions slide: each use extends them by the configured idle time.
    """
    now = utcnow()
    auth = repository.get_live_session(session, token_hash(token), kind, now)
    if auth is None:
        return None
    user = repository.get_user(session, auth.user_id)
    if user is None or not user.is_active:
        return None
    if kind == "web" and (now - auth.last_seen_at) > dt.timedelta(minutes=1):
        auth.last_seen_at = now
        auth.expires_at = now + dt.timedelta(minutes=get_settings().session_ttl_minutes)
    return ResolvedSession(
        principal=principal_for(user, ip=ip, kind=kind, auth_method=auth.auth_method),
        csrf_token=auth.csrf_token,
        auth_session_id=auth.id,
    )


def logout(session: Session, *, token: str, kind: str, actor: Principal) -> None:
    auth = repository.get_live_session(session, token_hash(token), kind, utcnow())
    if auth is not None:
        auth.revoked = True
        record(session, actor=actor, action="auth.logout", entity_type="user", entity_id=auth.user_id)
