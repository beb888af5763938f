"""FastAPI dependencies: the request's transaction, the principal, permissions.

``get_db`` is the edge: it commits once after the endpoint returns and before the
response leaves (``scope="function"``), or rolls back on any error.
"""

from __future__ import annotations

import dataclasses
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
from claimdesk.idempotency import repository as idempotency_keys
from claimdesk.loop_driver import LoopDriver, loop_driver_for
from claimdesk.rules.forwarded import client_address

SESSION_COOKIE = "claimdesk_session"


def _sessionmaker(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    return factory


# The ASGI scope entry holding the request's session once something asked for it.
SESSION_KEY = "claimdesk.session"


def request_session(request: Request) -> Session:
    """The request's session, made on first use (a Session does no I/O until its first
    statement: making it on the event loop is cheap). Only a route that takes ``DB`` (or
    an idempotent request's guard, whose key row commits with the route's work) has one:
    the token check does not need it (issue 14)."""
    session: Session | None = request.scope.get(SESSION_KEY)
    if session is None:
        session = request.scope[SESSION_KEY] = _sessionmaker(request)()
    return session


async def get_db(request: Request) -> AsyncIterator[Session]:
    # The edge of a route that takes the session: only a request that ran a statement
    # pays a trip through the thread pool to end its transaction.
    session = request_session(request)
    # An idempotent request (claimdesk.idempotency) commits its work together with the
    # response recorded on its key: the middleware takes the open session over.
    holder = request.scope.get(IDEMPOTENCY_SCOPE_KEY)
    if holder is None or holder.get("row_id") is None:
        session.info[_COMMIT_IN_TRIP] = True
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


# Set by get_db on a session its route's own trip may commit (commit_in_trip): not on an
# idempotent request's, which the middleware commits with the response on its key.
_COMMIT_IN_TRIP = "claimdesk.commit_in_trip"


def commit_in_trip(session: Session) -> None:
    """The edge's commit, run by a plain ``def`` route's trip through the thread pool
    right after the route returned and its response was validated (claimdesk.routing):
    the same commit as get_db's, and the edge then has nothing left to end but a
    close on the event loop — one trip per request instead of three (issue 14). A
    failed commit raises here, and the edge rolls back as for any error."""
    if not session.info.pop(_COMMIT_IN_TRIP, False) or not session.in_transaction():
        return
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise


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
    key_id = None if holder is None else holder.get("row_id")
    if isinstance(key_id, int):
        idempotency_keys.delete_key(session, key_id=key_id)


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


async def get_principal_optional(request: Request) -> Principal | None:
    """The request's principal, or None: no credentials, or credentials that open
    nothing. Checked once per request, the outcome kept on the request (refused
    credentials included), however many of the guards and the route ask; never across
    requests (a revoked session, a role taken away count from the very next request).

    PostgreSQL: on the event loop (claimdesk.loop_driver), no trip through the thread
    pool. Otherwise (SQLite, a test's connection) one trip, with a session of its own
    ended in that trip: the route's session, if it has one, is not the token check's."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    credentials = _credentials(request)
    if credentials is None or getattr(request.state, _REFUSED, False):
        return None
    kind, token = credentials
    ip = client_ip(request)
    driver = _loop_driver(request)
    if driver is not None:
        resolved = await auth_service.resolve_on_loop(driver, token=token, kind=kind, ip=ip)
    else:
        factory = _sessionmaker(request)
        resolved = await run_in_threadpool(_check_in_session, factory, token, kind, ip)
    if resolved is None:
        setattr(request.state, _REFUSED, True)
        return None
    if kind == "web":
        request.state.csrf_token = resolved.csrf_token
    principal = resolved.principal
    language = request_language(request, principal.language)
    if language != principal.language:
        # What a route writes in the principal's language (a clock's rule and basis, a
        # claim's flags) is in the request's, as its errors are: ?lang=, the cookie, then
        # the user's setting (GEN-4, GEN-6).
        principal = dataclasses.replace(principal, language=language)
    request.state.principal = principal
    request.state.language = language
    return principal


# Set on request.state when the request's credentials were checked and opened nothing.
_REFUSED = "credentials_refused"


def _loop_driver(request: Request) -> LoopDriver | None:
    state = request.app.state
    try:
        driver: LoopDriver | None = state.loop_driver
    except AttributeError:  # an app made without create_app
        driver = state.loop_driver = loop_driver_for(_sessionmaker(request))
    return driver


def _check_in_session(
    factory: sessionmaker[Session], token: str, kind: str, ip: str | None
) -> auth_service.ResolvedSession | None:
    with factory() as session:
        try:
            resolved = auth_service.resolve(session, token=token, kind=kind, ip=ip)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return resolved


async def get_principal(request: Request) -> Principal:
    # It takes the request, not Depends(get_principal_optional): one dependency for
    # FastAPI to solve instead of two on every request (issue 14), the same principal.
    principal = await get_principal_optional(request)
    if principal is None:
        raise NotAuthenticated()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    """Route-level permission check. The permission is attached to the dependency so
    the role × endpoint test can read which permission every route needs."""

    # async, and it takes only the request, not CurrentPrincipal: FastAPI solves one
    # dependency here instead of three on every request (issue 14), and the principal is
    # the one the request's guards resolved already.
    async def dependency(request: Request) -> Principal:
        principal = await get_principal_optional(request)
        if principal is None:
            raise NotAuthenticated()
        if not principal.has(permission):
            raise PermissionDenied()
        return principal

    dependency.required_permission = permission  # type: ignore[attr-defined]
    return dependency
