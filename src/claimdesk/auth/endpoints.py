"""Auth API: obtain and revoke bearer tokens, see who you are."""

from __future__ import annotations

from fastapi import APIRouter, Request

from claimdesk.auth import service
from claimdesk.auth.permissions import Permission
from claimdesk.auth.schemas import Me, TokenRequest, TokenResponse
from claimdesk.deps import DB, Requires, _bearer, client_ip

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=TokenResponse)
def issue_token(body: TokenRequest, request: Request, db: DB) -> TokenResponse:
    issued = service.login(
        db, username=body.username, password=body.password, ip=client_ip(request), kind="api"
    )
    return TokenResponse(access_token=issued.token, expires_at=issued.expires_at)


@router.post("/logout", status_code=204)
def revoke_token(request: Request, db: DB, principal: Requires(Permission.SELF)) -> None:
    token = _bearer(request)
    if token:
        service.logout(db, token=token, kind="api", actor=principal)


@router.get("/me", response_model=Me)
def me(principal: Requires(Permission.SELF)) -> Me:
    return Me(
        user_id=principal.user_id,
        username=principal.username,
        roles=sorted(principal.roles),
        permissions=sorted(p.value for p in principal.permissions),
        org_unit_id=principal.org_unit_id,
        person_id=principal.person_id,
        language=principal.language,
    )
