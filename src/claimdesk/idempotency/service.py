"""Idempotency-Key for every creating POST under /api/v1 (CLM-P5, GEN-6).

A client that retries after a lost answer sends the same ``Idempotency-Key``; it gets
the first response (status and body) and nothing is created twice. How:

1. :class:`IdempotencyMiddleware` marks a POST to the API that carries the header.
2. :func:`guard` (an app-wide dependency, after authentication) looks the key up for
   this principal: a finished request → :class:`Replay` (the stored response); the same
   key with another path or body → 422 naming the header; otherwise it inserts the key
   row in the request's own transaction. A concurrent duplicate's insert waits on the
   unique (principal, key) until the first commits, then answers with its response.
3. ``get_db`` hands its open session over instead of committing; the middleware, once
   the response is complete, writes status and body into the key row and commits the
   work and the key together — a crash leaves neither. An error rolls back both, so a
   retry after an error runs again.

Endpoints with their own key semantics (a payment request: any key for the same
approval answers with the same payment) are left to them (:data:`OWN_SEMANTICS`).
Keys expire after :data:`TTL` (``idempotency.purge_expired`` in tasks.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from claimdesk.auth.principal import Principal
from claimdesk.deps import get_principal_optional, request_session
from claimdesk.idempotency import SCOPE_KEY, repository
from claimdesk.idempotency.errors import (
    IdempotencyKeyInProgress,
    IdempotencyKeyMalformed,
    IdempotencyKeyMismatch,
)
from claimdesk.models.base import utcnow
from claimdesk.models.idempotency import IdempotencyKey

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
API_PREFIX = "/api/v1"
TTL = dt.timedelta(hours=24)
_VISIBLE_ASCII = re.compile(r"^[\x21-\x7e]{1,255}$")
# Paths whose endpoint gives the header its own meaning (payments.service.request_payment).
OWN_SEMANTICS = (re.compile(r"^/api/v1/claims/[^/]+/payments$"),)


def applies(scope: Scope) -> bool:
    if scope.get("type") != "http" or scope.get("method") != "POST":
        return False
    path = str(scope.get("path", ""))
    if not path.startswith(API_PREFIX + "/") or any(p.match(path) for p in OWN_SEMANTICS):
        return False
    return any(name.lower() == b"idempotency-key" for name, _ in scope.get("headers", []))


class Replay(Exception):  # not an error: the stored answer
    """Raised by the guard to answer with the first response; the edge rolls back."""

    def __init__(self, row: IdempotencyKey) -> None:
        super().__init__(row.key)
        self.status = int(row.response_status or 200)
        self.body = bytes(row.response_body or b"")
        self.media_type = row.response_media_type or "application/json"


async def replay_response(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Replay)
    response = Response(exc.body, status_code=exc.status, media_type=exc.media_type)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def request_hash(*, method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _canonical_body(request: Request, body: bytes) -> bytes:
    """A retried upload is encoded again with a new multipart boundary: the boundary is
    not part of what the request asks for."""
    content_type = request.headers.get("content-type", "")
    found = re.search(r"boundary=\"?([^\";]+)\"?", content_type)
    if content_type.startswith("multipart/form-data") and found:
        return body.replace(found.group(1).encode("latin-1"), b"<boundary>")
    return body


def _find(session: Session, owner: str, key: str) -> IdempotencyKey | None:
    return repository.find_key(session, owner=owner, key=key)


def _answer(row: IdempotencyKey, *, method: str, path: str, digest: str) -> None:
    """A key seen before: the same request gets its answer, another one a 422."""
    if row.method != method or row.path != path or row.request_hash != digest:
        raise IdempotencyKeyMismatch(field=HEADER)
    if row.response_status is None:
        raise IdempotencyKeyInProgress(field=HEADER)
    raise Replay(row)


async def guard(request: Request) -> None:
    """App-wide dependency: claim the key in the request's transaction, or answer. Most
    requests carry no key and return at once on the event loop; the database work runs
    in the thread pool (the middleware read the body), in the session the route's ``DB``
    gets (every creating POST of the API takes one: tests/test_deps.py)."""
    holder: dict[str, Any] | None = request.scope.get(SCOPE_KEY)
    if holder is None:
        return  # not an idempotent request (or no middleware in this app)
    key = request.headers.get(HEADER, "").strip()
    if not _VISIBLE_ASCII.match(key):
        raise IdempotencyKeyMalformed(field=HEADER)
    principal = await get_principal_optional(request)
    if principal is None or principal.user_id is None:
        return  # the endpoint refuses or serves anonymous callers; no replay for them
    # Ended by the route's edge (deps.get_db), or by the middleware when the route never
    # took it over (a replay, a refusal before the route).
    holder["opened"] = db = request_session(request)
    await run_in_threadpool(_claim_key, request, db, holder, key, principal)


def _claim_key(
    request: Request, db: Session, holder: dict[str, Any], key: str, principal: Principal
) -> None:
    owner = f"user:{principal.user_id}"
    body = _canonical_body(request, holder.get("body", b""))
    # The language asked for (?lang=) does not change the request.
    query = urlencode(sorted((k, v) for k, v in request.query_params.multi_items() if k != "lang"))
    digest = request_hash(method=request.method, path=request.url.path, query=query, body=body)
    now = utcnow()
    found = _live(db, owner, key, now=now)
    if found is not None:
        _answer(found, method=request.method, path=request.url.path, digest=digest)
    row = IdempotencyKey(
        principal=owner,
        user_id=principal.user_id,
        key=key,
        method=request.method,
        path=request.url.path,
        request_hash=digest,
        created_at=now,
    )
    winner = _take(db, row, field=HEADER)
    if winner is not None:
        _answer(winner, method=request.method, path=request.url.path, digest=digest)
    holder["row_id"] = row.id


def _live(session: Session, owner: str, key: str, *, now: dt.datetime) -> IdempotencyKey | None:
    """The owner's row for the key, unless expired: an expired one is deleted, so the key
    may be used afresh."""
    found = _find(session, owner, key)
    if found is not None and found.created_at < now - TTL:
        session.delete(found)
        session.flush()
        return None
    return found


def _take(session: Session, row: IdempotencyKey, *, field: str) -> IdempotencyKey | None:
    """Insert the key's row: None when it is ours, else the row of the request that took
    the key first (on PostgreSQL a concurrent duplicate waits here until that commits)."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        winner = _find(session, row.principal, row.key)
        if winner is None:
            raise IdempotencyKeyInProgress(field=field) from None
        return winner
    return None


def _finish(holder: dict[str, Any], status: int, body: bytes, media_type: str | None) -> bool:
    """Record the response on the key row and commit the work with it."""
    session: Session = holder["session"]
    try:
        row = session.get(IdempotencyKey, holder["row_id"])
        assert row is not None
        row.response_status, row.response_body = status, body
        row.response_media_type = media_type
        session.commit()
        return True
    except Exception:
        log.exception("idempotency: the work and its key could not be committed")
        session.rollback()
        return False
    finally:
        session.close()


def _abandon(holder: dict[str, Any]) -> None:
    session: Session | None = holder.get("session") or holder.get("opened")
    if session is not None:
        session.rollback()
        session.close()


async def _close_unused(session: Session) -> None:
    if session.in_transaction():
        await run_in_threadpool(_abandon, {"session": session})
    else:
        session.close()


class IdempotencyMiddleware:
    """Holds an idempotent request's response until the work and the key row are
    committed together (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not applies(scope):
            await self.app(scope, receive, send)
            return
        # The body is read here, on the event loop, and given to the app unchanged.
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before sending its request
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        holder: dict[str, Any] = {"body": b"".join(chunks)}
        scope[SCOPE_KEY] = holder
        delivered = False

        async def replay_body() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": holder["body"], "more_body": False}

        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        try:
            await self.app(scope, replay_body, keep)
        except BaseException:
            await run_in_threadpool(_abandon, holder)
            raise
        if "session" not in holder and "opened" in holder:
            # The guard's session, never handed to a route (a replay, a refusal).
            await _close_unused(holder["opened"])
        if "session" in holder:
            status, body, media = _response_of(messages)
            if not await run_in_threadpool(_finish, holder, status, body, media):
                await _NOTHING_SAVED(scope, receive, send)
                return
        for message in messages:
            await send(message)


# The answer when the work and its key could not be committed together.
_NOTHING_SAVED = JSONResponse(
    {
        "error": {
            "code": "internal_error",
            "message": "Internal error; nothing was saved",
            "field": None,
        }
    },
    status_code=500,
)


def _response_of(messages: list[Message]) -> tuple[int, bytes, str | None]:
    """The status, body and media type of a response held as its ASGI messages."""
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    media = next(
        (v.decode("latin-1") for k, v in start.get("headers", []) if k.lower() == b"content-type"),
        None,
    )
    return int(start["status"]), body, media


# --- a page form sent twice (a double tap on a phone, a resubmit) ----------------------

FORM_KEY = "form_key"
_FORM_HASH = "page-form"


def _form_answer(row: IdempotencyKey, path: str) -> str:
    if row.path != path or row.request_hash != _FORM_HASH:
        raise IdempotencyKeyMismatch(field=FORM_KEY)
    if row.response_status is None or row.response_body is None:
        raise IdempotencyKeyInProgress(field=FORM_KEY)
    return row.response_body.decode()


def claim_form_key(session: Session, *, principal: Principal, key: str, path: str) -> str | None:
    """A creating page form carries a one-time key rendered with the form: None when this
    is the form's first sending (the key is taken in the request's own transaction, so a
    refusal's rollback frees it again), else the address the first sending was answered
    with — a double submit lands on the record it made instead of making a second one.
    As for the API's header, a concurrent duplicate waits on the unique key."""
    if not _VISIBLE_ASCII.match(key) or principal.user_id is None:
        raise IdempotencyKeyMalformed(field=FORM_KEY)
    owner = f"user:{principal.user_id}"
    now = utcnow()
    found = _live(session, owner, key, now=now)
    if found is not None:
        return _form_answer(found, path)
    row = IdempotencyKey(
        principal=owner,
        user_id=principal.user_id,
        key=key,
        method="POST",
        path=path,
        request_hash=_FORM_HASH,
        created_at=now,
    )
    winner = _take(session, row, field=FORM_KEY)
    return None if winner is None else _form_answer(winner, path)


def answer_form_key(session: Session, *, principal: Principal, key: str, location: str) -> None:
    """The address the form's first sending was answered with (303 See Other)."""
    row = _find(session, f"user:{principal.user_id}", key)
    if row is not None:
        row.response_status = 303
        row.response_body = location.encode()
        row.response_media_type = "text/uri-list"
        session.flush()


def purge_expired(session: Session, *, now: dt.datetime) -> int:
    """Delete keys older than TTL; returns how many."""
    return repository.delete_created_before(session, before=now - TTL)


def install(app: Any) -> None:
    """Wire the middleware and the replay answer into the app (the guard is an app-wide
    dependency declared with the app)."""
    app.add_middleware(IdempotencyMiddleware)
    app.add_exception_handler(Replay, replay_response)
