"""Auth API: bearer tokens, who am I, and user administration (SEC-4, SEC-8)."""

from __future__ import annotations

import functools
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from claimdesk.auth import second_factor, service
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.auth.schemas import (
    Me,
    PasswordChange,
    PasswordReset,
    RolesUpdate,
    SecondFactorChallenge,
    StatusChange,
    TokenRequest,
    TokenResponse,
    TokenVerify,
    UserCreate,
    UserOut,
)
from claimdesk.deps import DB, SESSION_COOKIE, bearer_token, client_ip, require
from claimdesk.models.base import utcnow
from claimdesk.models.user import User

router = APIRouter(prefix="/auth", tags=["auth"])
users_router = APIRouter(prefix="/users", tags=["users"])

# Route permissions (SEC-4) as type aliases, so mypy sees a Principal.
NeedsSelf = Annotated[Principal, Depends(require(Permission.SELF))]
NeedsUsersManage = Annotated[Principal, Depends(require(Permission.USERS_MANAGE))]
NeedsUsersRead = Annotated[Principal, Depends(require(Permission.USERS_READ))]


@router.post(
    "/token",
    response_model=TokenResponse | SecondFactorChallenge,
    responses={202: {"model": SecondFactorChallenge, "description": "SMS code sent"}},
)
def issue_token(
    body: TokenRequest, request: Request, response: Response, db: DB
) -> TokenResponse | SecondFactorChallenge:
    """Staff get a token for their password. A customer gets 202 and a challenge: the
    token comes from ``/auth/token/verify`` with the SMS code (SEC-9, CLM-A2)."""
    ip = client_ip(request)
    now = utcnow()
    user = service.authenticate(db, username=body.username, password=body.password, ip=ip, now=now)
    if service.needs_second_factor(roles=(r.role for r in user.roles)):
        challenge = second_factor.send_code(db, user=user, ip=ip, now=now)
        response.status_code = 202
        return SecondFactorChallenge(challenge=challenge.token, expires_at=challenge.expires_at)
    issued = service.complete_login(
        db, user=user, ip=ip, kind="api", auth_method="password", now=now
    )
    return TokenResponse(access_token=issued.token, expires_at=issued.expires_at)


@router.post("/token/verify", response_model=TokenResponse)
def verify_token_code(body: TokenVerify, request: Request, db: DB) -> TokenResponse:
    """The SMS code for a challenge from ``/auth/token``; wrong codes are counted in the
    login throttle (SEC-8) and the token records auth_method "password+sms" (CLM-A2)."""
    issued = second_factor.verify(
        db, challenge=body.challenge, code=body.code, ip=client_ip(request), kind="api"
    )
    return TokenResponse(access_token=issued.token, expires_at=issued.expires_at)


@router.post("/logout", status_code=204)
def revoke_token(request: Request, db: DB, principal: NeedsSelf) -> None:
    token = bearer_token(request)
    if token:
        service.logout(db, token=token, kind="api", actor=principal)


@router.get("/me", response_model=Me)
async def me(principal: NeedsSelf) -> Me:
    # async: built from the resolved principal alone, no database work of its own.
    return Me(
        user_id=principal.user_id,
        username=principal.username,
        roles=list(_sorted_names(principal.roles)),
        permissions=list(_sorted_names(principal.permissions)),
        org_unit_id=principal.org_unit_id,
        person_id=principal.person_id,
        language=principal.language,
    )


@functools.lru_cache(maxsize=256)
def _sorted_names(names: frozenset[str]) -> tuple[str, ...]:
    # A principal's roles and permissions are one of a few sets: sorted once per set
    # (permissions are StrEnum members, str() is their value).
    return tuple(sorted(str(name) for name in names))


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=service.role_names(user=user),
        org_unit_id=user.org_unit_id,
        person_id=user.person_id,
        language=user.language,
        is_active=user.is_active,
        created_at=user.created_at,
    )


# Declared before /{user_id} routes so that "me" is never read as an id.
@users_router.post("/me/password", status_code=204)
def change_own_password(
    body: PasswordChange, request: Request, db: DB, principal: NeedsSelf
) -> None:
    current = bearer_token(request) or request.cookies.get(SESSION_COOKIE)
    service.change_own_password(
        db,
        actor=principal,
        current_password=body.current_password,
        new_password=body.new_password,
        keep_token=current,
    )


@users_router.post("", status_code=201, response_model=UserOut)
def create_user(body: UserCreate, db: DB, principal: NeedsUsersManage) -> UserOut:
    user = service.create_user(
        db,
        actor=principal,
        username=body.username,
        password=body.password,
        roles=body.roles,
        display_name=body.display_name,
        org_unit_id=body.org_unit_id,
        person_id=body.person_id,
        language=body.language,
    )
    return user_out(user)


@users_router.get("", response_model=list[UserOut])
def list_users(
    db: DB,
    principal: NeedsUsersRead,
    role: Annotated[str | None, Query(max_length=32)] = None,
    org_unit_id: int | None = None,
    active: bool | None = None,
) -> list[UserOut]:
    users = service.list_users(db, role=role, org_unit_id=org_unit_id, active=active)
    return [user_out(u) for u in users]


@users_router.get("/{user_id}", response_model=UserOut)
def get_user(user_id: int, db: DB, principal: NeedsUsersRead) -> UserOut:
    return user_out(service.get_user(db, user_id=user_id))


@users_router.put("/{user_id}/roles", response_model=UserOut)
def set_roles(user_id: int, body: RolesUpdate, db: DB, principal: NeedsUsersManage) -> UserOut:
    user = service.set_roles(
        db, actor=principal, user_id=user_id, roles=body.roles, reason=body.reason
    )
    return user_out(user)


@users_router.post("/{user_id}/deactivate", response_model=UserOut)
def deactivate(user_id: int, body: StatusChange, db: DB, principal: NeedsUsersManage) -> UserOut:
    return user_out(
        service.deactivate_user(db, actor=principal, user_id=user_id, reason=body.reason)
    )


@users_router.post("/{user_id}/reactivate", response_model=UserOut)
def reactivate(user_id: int, body: StatusChange, db: DB, principal: NeedsUsersManage) -> UserOut:
    return user_out(
        service.reactivate_user(db, actor=principal, user_id=user_id, reason=body.reason)
    )


@users_router.post("/{user_id}/password-reset", status_code=204)
def reset_password(user_id: int, body: PasswordReset, db: DB, principal: NeedsUsersManage) -> None:
    service.reset_password(
        db, actor=principal, user_id=user_id, new_password=body.new_password, reason=body.reason
    )
