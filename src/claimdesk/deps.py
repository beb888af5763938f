"""FastAPI dependencies: the request's transaction, the principal, permissions.

``get_db`` is the edge: it commits once after the endpoint returns and before the
response leaves (``scope="function"``), or rolls back on any error.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from anyio import CancelScope
from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

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


async def get_db(request: Request) -> AsyncIterator[Session]:
    # A Session does no I/O until its first statement: it is made here, on the event loop,
    # and only a request that ran a statement pays a trip through the thread pool to end
    # its transaction (one sync chain per request: issue 14 item 2).
    session = _sessionmaker(request)()
    # An idempotent request (claimdesk.idempotency) commits its work together with the
    # response recorded on its key: the middleware takes the open session over.
    holder = request.scope.get(IDEMPOTENCY_SCOPE_KEY)
    try:
        yield session
    except BaseException as error:
        with CancelScope(shield=True):
            await _in_pool_if_used(session, _end_failed, session, holder, error)
        raise
    if holder is not None and holder.get("row_id") is not None:
        holder["session"] = session
        return
    with CancelScope(shield=True):
        await _in_pool_if_used(session, _end_done, session)


async def _in_pool_if_used(session: Session, end: Callable[..., None], *args: object) -> None:
    """Run ``end`` (commit or roll back, then close) in the thread pool when the session
    holds a connection; a session that never ran a statement closes on the event loop."""
    if session.in_transaction():
        await run_in_threadpool(end, *args)
    else:
        session.close()


def _end_done(session: Session) -> None:
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _end_failed(session: Session, holder: dict[str, object] | None, error: BaseException) -> None:
    try:
        if isinstance(error, ClaimdeskError) and error.commit_anyway:
            _drop_idempotency_key(session, holder)
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
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


def _credentials(request: Request) -> tuple[str, str] | None:
    """(kind, token) the request presents: a bearer token, else the session cookie."""
    token = bearer_token(request)
    if token:
        return "api", token
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return "web", cookie
    return None


def resolve_principal(request: Request, db: Session) -> Principal | None:
    """The request's principal, resolved once per request (blocking: call it from the
    thread pool). The idempotency guard resolves it early, in its own trip."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    credentials = _credentials(request)
    if credentials is None:
        return None
    kind, token = credentials
    resolved = auth_service.resolve(db, token=token, kind=kind, ip=client_ip(request))
    if resolved is None:
        return None
    if kind == "web":
        request.state.csrf_token = resolved.csrf_token
    principal = resolved.principal
    request.state.principal = principal
    request.state.language = request_language(request, principal.language)
    return principal


async def get_principal_optional(request: Request, db: DB) -> Principal | None:
    # async: a request without credentials costs no trip through the thread pool, and one
    # with them makes exactly one (the token check). Also called as a plain function by
    # the guards below (one dependency less to solve on every request, issue 14): the
    # outcome is kept on the request, refused credentials included, so that it is checked
    # once however many of them ask.
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    if _credentials(request) is None or getattr(request.state, _REFUSED, False):
        return None
    principal = await run_in_threadpool(_resolve_for_route, request, db)
    if principal is None:
        setattr(request.state, _REFUSED, True)
    return principal


# Set on request.state when the request's credentials were checked and opened nothing.
_REFUSED = "credentials_refused"


def _resolve_for_route(request: Request, db: Session) -> Principal | None:
    principal = resolve_principal(request, db)
    # An ``async def`` endpoint does no database work of its own (tests/web/
    # test_sync_routes.py): end the token check's transaction in this same trip, so that
    # the request's edge has nothing left to commit and needs no trip of its own. A
    # route that does use the session later simply begins a new transaction.
    route = request.scope.get("route")
    endpoint = getattr(route, "endpoint", None)
    if endpoint is not None and inspect.iscoroutinefunction(endpoint) and db.in_transaction():
        db.commit()
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

    # async: a check on the principal the request's guard resolved already (no trip
    # through the thread pool). It takes the session, not CurrentPrincipal, so FastAPI
    # solves one dependency here instead of three on every request (issue 14).
    async def dependency(request: Request, db: DB) -> Principal:
        principal = await get_principal_optional(request, db)
        if principal is None:
            raise NotAuthenticated()
        if not principal.has(permission):
            raise PermissionDenied()
        return principal

    dependency.required_permission = permission  # type: ignore[attr-defined]
    return dependency
