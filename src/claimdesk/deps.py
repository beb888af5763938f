"""FastAPI dependencies: the request's transaction, the principal, permissions.

``get_db`` is the edge: it commits once after the endpoint returns and before the
response leaves (``scope="function"``), or rolls back on any error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.auth import service as auth_service
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.config import get_settings
from claimdesk.errors import ClaimdeskError, NotAuthenticated, PermissionDenied
from claimdesk.i18n import request_language
from claimdesk.idempotency import SCOPE_KEY as IDEMPOTENCY_SCOPE_KEY
from claimdesk.rules.forwarded import client_address

SESSION_COOKIE = "claimdesk_session"


def _sessionmaker(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    return factory


def get_db(request: Request) -> Iterator[Session]:
    session = _sessionmaker(request)()
    # An idempotent request (claimdesk.idempotency) commits its work together with the
    # response recorded on its key: the middleware takes the open session over.
    holder = request.scope.get(IDEMPOTENCY_SCOPE_KEY)
    handed_over = False
    try:
        yield session
        if holder is not None and holder.get("row_id") is not None:
            holder["session"] = session
            handed_over = True
        else:
            session.commit()
    except ClaimdeskError as error:
        if error.commit_anyway:
            _drop_idempotency_key(session, holder)
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        if not handed_over:
            session.close()


def _drop_idempotency_key(session: Session, holder: dict[str, object] | None) -> None:
    """An error that commits anyway keeps its record, not the key: a retry runs again."""
    if holder is None or holder.get("row_id") is None:
        return
    from sqlalchemy import delete

    from claimdesk.models.idempotency import IdempotencyKey

    session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == holder["row_id"]))


DB = Annotated[Session, Depends(get_db, scope="function")]


def client_ip(request: Request) -> str | None:
    """The address the login lockout and the audit trail record (SEC-8, SEC-9):
    X-Forwarded-For counts only when the peer is a configured trusted proxy."""
    peer = request.client.host if request.client else None
    return client_address(
        peer=peer,
        forwarded_for=request.headers.get("x-forwarded-for"),
        trusted=get_settings().trusted_proxy_networks,
    )


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        return token.strip()
    return None


def get_principal_optional(request: Request, db: DB) -> Principal | None:
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    ip = client_ip(request)
    resolved = None
    token = bearer_token(request)
    if token:
        resolved = auth_service.resolve(db, token=token, kind="api", ip=ip)
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            resolved = auth_service.resolve(db, token=cookie, kind="web", ip=ip)
            if resolved:
                request.state.csrf_token = resolved.csrf_token
    if resolved is None:
        return None
    principal = resolved.principal
    request.state.principal = principal
    request.state.language = request_language(request, principal.language)
    return principal


async def get_principal(
    principal: Annotated[Principal | None, Depends(get_principal_optional)],
) -> Principal:
    if principal is None:
        raise NotAuthenticated()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    """Route-level permission check. The permission is attached to the dependency so
    the role × endpoint test can read which permission every route needs."""

    # async: a pure check on the resolved principal, no trip through the thread pool.
    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.has(permission):
            raise PermissionDenied()
        return principal

    dependency.required_permission = permission  # type: ignore[attr-defined]
    return dependency
