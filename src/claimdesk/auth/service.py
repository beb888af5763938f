"""Log in, resolve a token or session cookie to a principal, log out; manage accounts.

Sessions (SEC-8): a web session dies after ``session_idle_minutes`` without use or, at the
latest, ``session_ttl_minutes`` after login (absolute); an API token lives
``api_token_ttl_minutes``. Failed logins are counted per username and per client
address in the database, so every process sees them, and lock further attempts out
for a time that doubles with every failure past the limit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from claimdesk import formatting
from claimdesk.audit.service import record
from claimdesk.auth import repository
from claimdesk.auth.errors import (
    CannotDeactivateSelf,
    CustomerNeedsPerson,
    CustomerRoleExclusive,
    InvalidUsername,
    LastAdministrator,
    NoRoles,
    PasswordUnchanged,
    SecondFactorRequired,
    UnknownOrgUnit,
    UnknownPerson,
    UnknownRole,
    UnsupportedLanguage,
    UserAlreadyInState,
    UsernameTaken,
    UserNotFound,
    WeakPassword,
    WrongCurrentPassword,
)
from claimdesk.auth.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from claimdesk.auth.permissions import Permission, Role, permissions_for
from claimdesk.auth.principal import Principal
from claimdesk.config import get_settings
from claimdesk.errors import InvalidCredentials, TooManyLoginAttempts
from claimdesk.i18n import SUPPORTED
from claimdesk.models.base import utcnow
from claimdesk.models.org import OrgUnit
from claimdesk.models.person import Person
from claimdesk.models.user import AuthSession, LoginThrottle, User, UserRole
from claimdesk.paging import PageRequest, Slice, fetch

if TYPE_CHECKING:
    from claimdesk.loop_driver import LoopDriver

# Offices share one address behind NAT: the per-address limit is several times the
# per-username one, so it stops sprays across many usernames without locking a branch out.
IP_FAILURE_FACTOR = 4
# Failures older than this are forgotten: an occasional typo never adds up to a lockout.
FAILURE_MEMORY = dt.timedelta(hours=1)
MAX_LOCKOUT_SECONDS = 3600

USERNAME_RULE = re.compile(r"^[a-z][a-z0-9._-]{2,31}$")
PASSWORD_MIN_LENGTH = 10


def token_hash(*, token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedSession:
    token: str
    csrf_token: str | None
    expires_at: dt.datetime
    principal: Principal


def principal_for(
    *, user: User, ip: str | None, kind: str, auth_method: str = "password"
) -> Principal:
    return Principal.build(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=frozenset(r.role for r in user.roles),
        org_unit_id=user.org_unit_id,
        person_id=user.person_id,
        ip=ip,
        language=user.language,
        session_kind=kind,
        auth_method=auth_method,
    )


# --- login throttling ---------------------------------------------------------------


def _ip_key(ip: str) -> str:
    # Usernames cannot contain ":" (USERNAME_RULE), so address keys never collide with them.
    return f"ip:{ip}"[:64]


def _throttle_keys(username: str, ip: str | None) -> list[tuple[str, int]]:
    limit = get_settings().login_max_failures
    keys: list[tuple[str, int]] = []
    if USERNAME_RULE.match(username):
        keys.append((username, limit))
    if ip:
        keys.append((_ip_key(ip), limit * IP_FAILURE_FACTOR))
    return keys


def check_throttle(session: Session, *, username: str, ip: str | None, now: dt.datetime) -> None:
    """Refuse while the username or the address is locked out. Every credential check
    goes through here (password and SMS code alike, SEC-8), so the count is server-side
    and shared by every process."""
    waits = []
    for key, _limit in _throttle_keys(username, ip):
        throttle = repository.get_throttle(session, key=key)
        if throttle and throttle.locked_until and throttle.locked_until > now:
            waits.append(int((throttle.locked_until - now).total_seconds()) + 1)
    if waits:
        raise TooManyLoginAttempts(field="username", retry_after=max(waits))


def register_failure(session: Session, *, username: str, ip: str | None, now: dt.datetime) -> None:
    """Count one failed credential (a wrong password or a wrong SMS code)."""
    base = get_settings().login_lockout_seconds
    for key, limit in _throttle_keys(username, ip):
        throttle = repository.get_throttle(session, key=key)
        if throttle is None:
            throttle = LoginThrottle(username=key, failures=0)
            session.add(throttle)
        elif throttle.last_failure_at and now - throttle.last_failure_at > FAILURE_MEMORY:
            throttle.failures = 0
        throttle.failures += 1
        throttle.last_failure_at = now
        over = throttle.failures - limit
        if over >= 0:
            # Lockout doubles with every further failure, capped at one hour.
            seconds = min(base * (2 ** min(over, 20)), MAX_LOCKOUT_SECONDS)
            throttle.locked_until = now + dt.timedelta(seconds=seconds)
    session.flush()


def forget_failures(session: Session, *, username: str) -> None:
    throttle = repository.get_throttle(session, key=username)
    if throttle:
        session.delete(throttle)


# --- sessions -----------------------------------------------------------------------

# The auth_method of a session whose user passed the SMS code after the password.
SECOND_FACTOR_METHOD = "password+sms"


def needs_second_factor(*, roles: Iterable[str]) -> bool:
    """A customer acting for themself passes the second factor on every channel (SEC-9,
    CLM-A2); staff log in with their password (the customer role is exclusive)."""
    return Role.CUSTOMER.value in set(roles)


def authenticate(
    session: Session, *, username: str, password: str, ip: str | None, now: dt.datetime
) -> User:
    """Check the password (throttled); a failure is counted and audited. Opens nothing:
    the caller decides whether a second factor must follow."""
    check_throttle(session, username=username, ip=ip, now=now)
    user = repository.get_user_by_username(session, username=username)
    valid = verify_password(user.password_hash if user else dummy_hash(), password)
    if user is None or not valid or not user.is_active:
        register_failure(session, username=username, ip=ip, now=now)
        anon = Principal(user_id=None, username=username[:64], roles=frozenset(), ip=ip)
        record(
            session,
            actor=anon,
            action="auth.login_failed",
            entity_type="user",
            entity_id=username[:64],
        )
        # The failure must be stored even though the request fails: the edge commits
        # it because InvalidCredentials is marked commit-worthy.
        raise InvalidCredentials(field="password")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def complete_login(
    session: Session, *, user: User, ip: str | None, kind: str, auth_method: str, now: dt.datetime
) -> IssuedSession:
    """Every factor has been checked: forget the failures, open the session, audit."""
    forget_failures(session, username=user.username)
    issued = open_session(session, user=user, ip=ip, kind=kind, auth_method=auth_method, now=now)
    record(
        session,
        actor=issued.principal,
        action="auth.login",
        entity_type="user",
        entity_id=user.id,
        details={"kind": kind, "method": auth_method},
    )
    return issued


def login(
    session: Session, *, username: str, password: str, ip: str | None, kind: str = "api"
) -> IssuedSession:
    """Password login for staff. A customer's password alone opens no session (SEC-9):
    the caller sends them to the SMS-code step (``second_factor``)."""
    now = utcnow()
    user = authenticate(session, username=username, password=password, ip=ip, now=now)
    if needs_second_factor(roles=(r.role for r in user.roles)):
        raise SecondFactorRequired(field="password")
    return complete_login(session, user=user, ip=ip, kind=kind, auth_method="password", now=now)


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
            token_hash=token_hash(token=token),
            kind=kind,
            user_id=user.id,
            csrf_token=csrf,
            expires_at=expires,
            last_seen_at=now,
            ip=ip,
            auth_method=auth_method,
        )
    )
    session.flush()
    return IssuedSession(
        token=token,
        csrf_token=csrf,
        expires_at=expires,
        principal=principal_for(user=user, ip=ip, kind=kind, auth_method=auth_method),
    )


@dataclass(frozen=True)
class ResolvedSession:
    principal: Principal
    csrf_token: str | None
    auth_session_id: int
    # A browser session last marked as seen more than a minute ago: mark it now.
    touch: bool = False


def idle_timeout() -> dt.timedelta:
    """How long a browser session may go unused (SEC-8, setting ``session_idle_minutes``)."""
    return dt.timedelta(minutes=get_settings().session_idle_minutes)


def resolve(session: Session, *, token: str, kind: str, ip: str | None) -> ResolvedSession | None:
    """The principal behind a live token or cookie; None when unknown, revoked, expired
    (absolute ``expires_at``), idle too long (web) or the account is deactivated. One
    statement: every authenticated request runs it."""
    now = utcnow()
    rows = repository.live_login_rows(
        session, token_hash=token_hash(token=token), kind=kind, now=now
    )
    resolved = resolved_from_rows(rows=rows, kind=kind, now=now, ip=ip)
    if resolved is not None and resolved.touch:
        repository.touch_session(session, auth_session_id=resolved.auth_session_id, now=now)
    return resolved


async def resolve_on_loop(
    driver: LoopDriver, *, token: str, kind: str, ip: str | None
) -> ResolvedSession | None:
    """:func:`resolve` on the event loop (PostgreSQL, claimdesk.loop_driver): the same
    statement and the same rules, each statement in autocommit — a browser session's
    "last seen" is marked whatever becomes of the request."""
    now = utcnow()
    rows = await repository.live_login_rows_on_loop(
        driver, token_hash=token_hash(token=token), kind=kind, now=now
    )
    resolved = resolved_from_rows(rows=rows, kind=kind, now=now, ip=ip)
    if resolved is not None and resolved.touch:
        await repository.touch_session_on_loop(
            driver, auth_session_id=resolved.auth_session_id, now=now
        )
    return resolved


def resolved_from_rows(
    *, rows: Sequence[Any], kind: str, now: dt.datetime, ip: str | None
) -> ResolvedSession | None:
    """What the token check's rows (repository.live_login_rows) open, by the rules of
    :func:`resolve`; no I/O."""
    if not rows:
        return None
    first = rows[0]
    last_seen = first.last_seen_at
    # A browser session left alone this long is over, whatever its absolute expiry.
    if kind == "web" and now - last_seen > idle_timeout():
        return None
    roles = frozenset(row.role for row in rows if row.role is not None)
    if not first.is_active:
        return None
    if needs_second_factor(roles=roles) and first.auth_method != SECOND_FACTOR_METHOD:
        # SPEC SEC-9: a customer session or token opened on the password alone (one
        # issued before the rule, or by any other path) opens nothing.
        return None
    principal = Principal.build(
        user_id=first.user_id,
        username=first.username,
        display_name=first.display_name,
        roles=roles,
        org_unit_id=first.org_unit_id,
        person_id=first.person_id,
        ip=ip,
        language=first.language,
        session_kind=kind,
        auth_method=first.auth_method,
    )
    return ResolvedSession(
        principal=principal,
        csrf_token=first.csrf_token,
        auth_session_id=first.id,
        # Writing on every request would serialise a user's parallel requests; a
        # minute's precision is plenty for an idle timeout of half an hour.
        touch=kind == "web" and (now - last_seen) > dt.timedelta(minutes=1),
    )


def logout(session: Session, *, token: str, kind: str, actor: Principal) -> None:
    auth = repository.get_live_session(
        session, token_hash=token_hash(token=token), kind=kind, now=utcnow()
    )
    if auth is not None:
        auth.revoked = True
        record(
            session, actor=actor, action="auth.logout", entity_type="user", entity_id=auth.user_id
        )


def revoke_sessions(session: Session, *, user_id: int, keep_token: str | None = None) -> int:
    """Revoke every live session of a user, except the one presenting ``keep_token``."""
    keep = token_hash(token=keep_token) if keep_token else None
    return repository.revoke_live_sessions(session, user_id=user_id, keep_token_hash=keep)


# --- account rules ------------------------------------------------------------------


def check_username(*, username: str) -> str:
    if not USERNAME_RULE.match(username):
        raise InvalidUsername(field="username")
    return username


def check_password(*, password: str, field: str = "password") -> str:
    strong = (
        len(password) >= PASSWORD_MIN_LENGTH
        and any(c.isalpha() for c in password)
        and any(c.isdigit() for c in password)
    )
    if not strong:
        raise WeakPassword(field=field, min_length=PASSWORD_MIN_LENGTH)
    return password


def check_roles(*, roles: Iterable[str], field: str = "roles") -> list[Role]:
    checked: list[Role] = []
    for name in roles:
        try:
            role = Role(name)
        except ValueError:
            raise UnknownRole(field=field, role=name) from None
        if role not in checked:
            checked.append(role)
    if not checked:
        raise NoRoles(field=field)
    if Role.CUSTOMER in checked and len(checked) > 1:
        raise CustomerRoleExclusive(field=field)
    return checked


def _check_links(
    session: Session, roles: list[Role], org_unit_id: int | None, person_id: int | None
) -> None:
    if org_unit_id is not None and session.get(OrgUnit, org_unit_id) is None:
        raise UnknownOrgUnit(field="org_unit_id", org_unit=org_unit_id)
    if Role.CUSTOMER in roles and person_id is None:
        raise CustomerNeedsPerson(field="person_id")
    if person_id is not None and session.get(Person, person_id) is None:
        raise UnknownPerson(field="person_id", person_id=person_id)


def _load(session: Session, user_id: int) -> User:
    user = repository.get_user(session, user_id=user_id)
    if user is None:
        raise UserNotFound(user=user_id)
    return user


def _active_admins_other_than(session: Session, user_id: int) -> int:
    return sum(
        1
        for u in repository.list_users(session, role=Role.ADMINISTRATOR.value, active=True)
        if u.id != user_id
    )


def role_names(*, user: User) -> list[str]:
    return sorted(r.role for r in user.roles)


# --- account administration ---------------------------------------------------------


def create_user(
    session: Session,
    *,
    actor: Principal,
    username: str,
    password: str,
    roles: Iterable[str],
    display_name: str | None = None,
    org_unit_id: int | None = None,
    person_id: int | None = None,
    language: str = "zh-CN",
    password_hash: str | None = None,
) -> User:
    """Create an account. ``password_hash`` lets a bulk load (the demo) hash a shared
    password once — argon2 is deliberately slow; it must be the hash of ``password``."""
    check_username(username=username)
    check_password(password=password)
    checked = check_roles(roles=roles)
    if language not in SUPPORTED:
        raise UnsupportedLanguage(field="language")
    _check_links(session, checked, org_unit_id, person_id)
    if repository.get_user_by_username(session, username=username) is not None:
        raise UsernameTaken(field="username", username=username)
    user = User(
        username=username,
        display_name=(display_name or username).strip() or username,
        password_hash=password_hash or hash_password(password),
        org_unit_id=org_unit_id,
        person_id=person_id,
        language=language,
        is_active=True,
    )
    user.roles = [UserRole(role=r.value) for r in checked]
    session.add(user)
    session.flush()
    record(
        session,
        actor=actor,
        action="user.create",
        entity_type="user",
        entity_id=user.id,
        details={
            "username": username,
            "roles": sorted(r.value for r in checked),
            "org_unit_id": org_unit_id,
            "person_linked": person_id is not None,
        },
    )
    return user


def set_roles(
    session: Session, *, actor: Principal, user_id: int, roles: Iterable[str], reason: str
) -> User:
    user = _load(session, user_id)
    checked = check_roles(roles=roles)
    _check_links(session, checked, user.org_unit_id, user.person_id)
    before = role_names(user=user)
    after = sorted(r.value for r in checked)
    if (
        Role.ADMINISTRATOR.value in before
        and Role.ADMINISTRATOR.value not in after
        and user.is_active
        and _active_admins_other_than(session, user.id) == 0
    ):
        raise LastAdministrator()
    if before != after:
        # Keep the rows of roles that stay: replacing them would insert a duplicate
        # (user_id, role) before the old row is deleted.
        kept = [r for r in user.roles if r.role in after]
        user.roles = kept + [UserRole(role=r) for r in after if r not in before]
        session.flush()
        # Sessions carry the old permissions in nobody's memory (they are re-read each
        # request), but a role change is a moment to make the user log in again.
        revoke_sessions(session, user_id=user.id)
    record(
        session,
        actor=actor,
        action="user.roles_change",
        entity_type="user",
        entity_id=user.id,
        reason=reason,
        details={"before": before, "after": after},
    )
    return user


def deactivate_user(session: Session, *, actor: Principal, user_id: int, reason: str) -> User:
    user = _load(session, user_id)
    if user.id == actor.user_id:
        raise CannotDeactivateSelf()
    if not user.is_active:
        raise UserAlreadyInState(state_zh="停用", state_en="deactivated")
    if (
        Role.ADMINISTRATOR.value in role_names(user=user)
        and _active_admins_other_than(session, user.id) == 0
    ):
        raise LastAdministrator()
    user.is_active = False
    revoked = revoke_sessions(session, user_id=user.id)
    record(
        session,
        actor=actor,
        action="user.deactivate",
        entity_type="user",
        entity_id=user.id,
        reason=reason,
        details={"sessions_revoked": revoked},
    )
    return user


def reactivate_user(session: Session, *, actor: Principal, user_id: int, reason: str) -> User:
    user = _load(session, user_id)
    if user.is_active:
        raise UserAlreadyInState(state_zh="启用", state_en="active")
    user.is_active = True
    # Forget old failures so the returning user is not locked out by history.
    throttle = repository.get_throttle(session, key=user.username)
    if throttle:
        session.delete(throttle)
    record(
        session,
        actor=actor,
        action="user.reactivate",
        entity_type="user",
        entity_id=user.id,
        reason=reason,
    )
    return user


def reset_password(
    session: Session, *, actor: Principal, user_id: int, new_password: str, reason: str
) -> User:
    """An administrator sets a new password; every session of the user ends."""
    user = _load(session, user_id)
    check_password(password=new_password, field="new_password")
    user.password_hash = hash_password(new_password)
    revoked = revoke_sessions(session, user_id=user.id)
    record(
        session,
        actor=actor,
        action="user.password_reset",
        entity_type="user",
        entity_id=user.id,
        reason=reason,
        details={"sessions_revoked": revoked},
    )
    return user


def change_own_password(
    session: Session,
    *,
    actor: Principal,
    current_password: str,
    new_password: str,
    keep_token: str | None,
) -> User:
    """A user changes their own password; their other sessions end, this one stays."""
    if actor.user_id is None:
        raise UserNotFound(user=actor.username)
    user = _load(session, actor.user_id)
    if not verify_password(user.password_hash, current_password):
        raise WrongCurrentPassword(field="current_password")
    check_password(password=new_password, field="new_password")
    if new_password == current_password:
        raise PasswordUnchanged(field="new_password")
    user.password_hash = hash_password(new_password)
    revoked = revoke_sessions(session, user_id=user.id, keep_token=keep_token)
    record(
        session,
        actor=actor,
        action="user.password_change",
        entity_type="user",
        entity_id=user.id,
        details={"sessions_revoked": revoked},
    )
    return user


def get_user(session: Session, *, user_id: int) -> User:
    return _load(session, user_id)


def list_users(
    session: Session,
    *,
    role: str | None = None,
    org_unit_id: int | None = None,
    active: bool | None = None,
) -> list[User]:
    if role is not None:
        check_roles(roles=[role], field="role")
    return repository.list_users(session, role=role, org_unit_id=org_unit_id, active=active)


def users_page(session: Session, *, paging: PageRequest) -> Slice[User]:
    """One page of all users, by id, with the total (the users page)."""
    return fetch(session, repository.users_query(), paging)


def display_names(session: Session, *, user_ids: Sequence[int] | set[int]) -> dict[int, str]:
    """Who is who, for pages that show people by name (user id → display name)."""
    return repository.display_names(session, user_ids=user_ids)


def display_names_by_username(session: Session, *, usernames: set[str]) -> dict[str, str]:
    """Who is who by login name (user name → display name): an audit entry names its
    actor by user name, and a timeline shows the person."""
    return repository.display_names_by_username(session, usernames=usernames)


def active_staff(session: Session) -> list[User]:
    """Active staff accounts (not customers' logins), by user name: whom work such as a
    security incident's corrective action can be given to."""
    return repository.active_staff(session)


def staff_with_roles(
    session: Session, *, roles: Sequence[str], language: str | None = None
) -> list[tuple[int, str, str | None]]:
    """(id, display name, unit name) of the active users holding any of ``roles``: whom
    a claim or a dispute can be given to, with where they work — the unit named in
    ``language`` (the page's when None): its English name for an English reader when it
    has one, its Chinese name otherwise (formatting.name_in, GEN-6)."""
    return [
        (
            user_id,
            display,
            formatting.name_in({"name": unit, "name_en": unit_en}, language) if unit else None,
        )
        for user_id, display, unit, unit_en in repository.staff_with_roles(session, roles=roles)
    ]


def may_act(session: Session, *, user_id: int, permission: Permission) -> bool:
    """Whether ``user_id`` is an active account whose roles grant ``permission``: whom
    work needing it (a complaint needs the service desk's) may be given to."""
    user = repository.get_user(session, user_id=user_id)
    if user is None or not user.is_active:
        return False
    return permission in permissions_for({r.role for r in user.roles})


def user_id_by_username(session: Session, *, username: str) -> int | None:
    """The id of the account with this user name, or None."""
    return repository.user_id_by_username(session, username=username)
