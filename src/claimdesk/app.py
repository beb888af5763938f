"""The FastAPI application: JSON API under /api/v1, server-rendered pages, /health."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from claimdesk import __version__
from claimdesk.api import api_router
from claimdesk.calendar.service import calendar_status, today
from claimdesk.db import get_sessionmaker, read_on_driver
from claimdesk.errors import ClaimdeskError, ConcurrentChange, ServiceBusy, ValueOutOfRange
from claimdesk.headers import SecurityHeadersMiddleware, apply_security_headers
from claimdesk.idempotency.service import guard as idempotency_guard
from claimdesk.idempotency.service import install as install_idempotency
from claimdesk.input_guard import InputGuardMiddleware, check_int_params
from claimdesk.loop_driver import LoopDriver, loop_driver_for
from claimdesk.responses import API_PREFIX, error_response, language
from claimdesk.routing import index_routes
from claimdesk.timing import ServerTimingMiddleware
from claimdesk.validation import describe_validation_error
from claimdesk.web.router import pages_router

log = logging.getLogger(__name__)

_SELECT_1 = text("SELECT 1")

# How long a client should wait when every database connection is busy.
POOL_RETRY_AFTER_SECONDS = 5


async def request_guards(request: Request) -> None:
    """The app-wide dependency of every route: every integer path/query parameter fits
    its column (GEN-6), then the Idempotency-Key of a creating POST of the API (CLM-P5,
    GEN-6). One dependency for both, and no session of its own: FastAPI solves each
    dependency of every request anew, about 0.015 ms of CPU apiece (issue 14)."""
    await check_int_params(request)
    await idempotency_guard(request)


def _pool_has_idle(factory: sessionmaker[Session]) -> bool:
    """Whether a connection sits idle in the engine's pool now: the next route's session
    gets it without waiting or connecting (QueuePool's count, no I/O). False for a pool
    that keeps none (a test's connection, SQLite's)."""
    bind = factory.kw.get("bind")
    counted = getattr(getattr(bind, "pool", None), "checkedin", None)
    return isinstance(bind, Engine) and counted is not None and counted() > 0


def _select_1(factory: sessionmaker[Session]) -> None:
    """/health's probe of the engine's pool, the one every route's session draws from.
    PostgreSQL: one SELECT 1 on a pooled connection in autocommit (db.read_on_driver:
    the pool's size, timeout and idle ping, a dead connection replaced; no Session, no
    BEGIN or ROLLBACK); SQLite and a test's connection: with a session."""
    bind = factory.kw.get("bind")
    if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        read_on_driver(bind, _SELECT_1, {})
        return
    with factory() as session:
        session.execute(_SELECT_1)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    # The token check's connections of this process's event loop (claimdesk.loop_driver).
    driver: LoopDriver | None = app.state.loop_driver
    if driver is not None:
        await driver.aclose()


def field_context_of(request: Request) -> str | None:
    """The route's body schema's ``field_context`` (field_labels.CONTEXT_LABELS): the
    bank's answer names its ``lines`` payment lines, not expense lines."""
    body = getattr(request.scope.get("route"), "body_field", None)
    schema = getattr(getattr(body, "field_info", None), "annotation", None)
    context = getattr(schema, "field_context", None)
    return context if isinstance(context, str) else None


def create_app(factory: sessionmaker[Session] | None = None) -> FastAPI:
    app = FastAPI(
        title="claimdesk",
        version=__version__,
        description="Claims and service operations (理赔与客户服务运营系统).",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        dependencies=[Depends(request_guards)],
        lifespan=_lifespan,
    )
    app.state.sessionmaker = factory or get_sessionmaker()
    # PostgreSQL: the token check runs on the event loop (None: in the thread pool).
    app.state.loop_driver = loop_driver_for(app.state.sessionmaker)
    _add_middleware(app)
    _add_error_handlers(app)
    # The health routes first, then the API and the pages, as they were always found.
    _add_health_routes(app)
    _add_routes(app)
    return app


def _add_middleware(app: FastAPI) -> None:
    """The middleware, innermost first: each one added wraps those before it."""
    # Server-Timing (app and SQL time, statement count) on every response (issue 6).
    app.add_middleware(ServerTimingMiddleware)
    # Holds an idempotent request's answer until work and key commit together.
    install_idempotency(app)
    # Text no database can store (NUL) is refused before any endpoint sees it (GEN-6).
    app.add_middleware(InputGuardMiddleware)
    # Added last, so outermost: CSP, nosniff, no-store, ... on every response, the
    # guard's refusals included (SEC-9).
    app.add_middleware(SecurityHeadersMiddleware)


def _add_error_handlers(app: FastAPI) -> None:
    """Every failure answers in the one error shape (code, message in the reader's
    language, field): the app's own refusals, FastAPI's and Starlette's, and the
    database's last lines of defence."""
    app.exception_handler(ClaimdeskError)(_claimdesk_error)
    app.exception_handler(RequestValidationError)(_validation_error)
    app.exception_handler(StarletteHTTPException)(_http_error)
    app.exception_handler(IntegrityError)(_integrity_error)
    app.exception_handler(PoolTimeout)(_pool_exhausted)
    app.exception_handler(DataError)(_data_error)
    app.exception_handler(Exception)(_unexpected)


async def _claimdesk_error(request: Request, exc: ClaimdeskError) -> Response:
    response = error_response(request, exc.status_code, exc.to_dict(language(request)))
    if exc.status_code == 429 and "retry_after" in exc.params:
        response.headers["Retry-After"] = str(exc.params["retry_after"])
    return response


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    error = describe_validation_error(exc.errors(), language(request), field_context_of(request))
    return error_response(request, 422, error)


# Starlette's own refusals, in the error shape: message by status and language.
_HTTP_MESSAGES_ZH = {
    404: "页面或资源不存在",
    405: "不支持该请求方法",
    400: "请求体无法解析（编码或格式错误）",
}
_HTTP_MESSAGES_EN = {
    404: "Not found",
    405: "Method not allowed",
    400: "The request body could not be parsed (encoding or format)",
}
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 400: "malformed_body"}


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    language_zh = language(request) == "zh-CN"
    message = (_HTTP_MESSAGES_ZH if language_zh else _HTTP_MESSAGES_EN).get(exc.status_code) or (
        "请求无效" if language_zh else str(exc.detail)
    )
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    field = "body" if exc.status_code == 400 else None
    return error_response(
        request, exc.status_code, {"code": code, "message": message, "field": field}
    )


async def _integrity_error(request: Request, exc: IntegrityError) -> Response:
    # The constraint is the last line of defence against duplicates (double submits,
    # concurrent processes); the transaction was rolled back by the edge.
    log.info("constraint refused a write on %s: %s", request.url.path, exc.orig)
    error = ConcurrentChange()
    return error_response(request, error.status_code, error.to_dict(language(request)))


async def _pool_exhausted(request: Request, exc: PoolTimeout) -> Response:
    # Every connection of the pool is busy: say so at once with 503 + Retry-After
    # instead of queueing until the clients give up (GEN-6; docs/operations.md).
    log.warning("database pool exhausted on %s %s", request.method, request.url.path)
    error = ServiceBusy(retry_after=POOL_RETRY_AFTER_SECONDS)
    response = error_response(request, error.status_code, error.to_dict(language(request)))
    response.headers["Retry-After"] = str(POOL_RETRY_AFTER_SECONDS)
    return response


async def _data_error(request: Request, exc: DataError) -> Response:
    # The last line of defence: a value the column cannot hold (a number out of
    # range, a text too long) that no schema bound refused first (GEN-6).
    log.warning("database refused a value on %s: %s", request.url.path, exc.orig)
    error = ValueOutOfRange(
        zh="数据超出可存储范围（数值过大或文本过长），本次操作未保存",
        en="A value is out of the range that can be stored (number too large or "
        "text too long); nothing was saved",
    )
    return error_response(request, error.status_code, error.to_dict(language(request)))


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    message = (
        "系统内部错误，已记录"
        if language(request) == "zh-CN"
        else "Internal error; it has been logged"
    )
    response = error_response(
        request, 500, {"code": "internal_error", "message": message, "field": None}
    )
    # Sent by Starlette's outermost error middleware, past SecurityHeadersMiddleware.
    apply_security_headers(response.headers, request.url.path)
    return response


def _add_health_routes(app: FastAPI) -> None:
    """/health for the load balancer, /health/detail for operators."""

    @app.get("/health", tags=["operations"])
    async def health() -> JSONResponse:
        # The database as requests reach it: the token check on the event loop
        # (claimdesk.loop_driver, PostgreSQL), then every route's session from the
        # engine's pool. The loop driver's SELECT 1 alone (issue 14: no trip) answered
        # from its own connections, open already, while the engine's pool could give
        # none — every connection taken, or the database refusing new ones — and every
        # route failed. So the pool is probed too, where a route would have to wait or
        # connect: when no connection sits idle in it, one SELECT 1 through it in one
        # trip (_select_1: it waits as a route would, then 503 busy; a refused connection
        # is 503). With one idle — a busy process's usual state — the next route gets it
        # at once, and the count is read without I/O: no trip (issue 14's /health CPU).
        driver: LoopDriver | None = app.state.loop_driver
        factory = app.state.sessionmaker
        try:
            if driver is not None:
                await driver.run(_SELECT_1, {})
            if driver is None or not _pool_has_idle(factory):
                await run_in_threadpool(_select_1, factory)
        except PoolTimeout:
            # Reachable, but no connection free: what a route answers then (503 busy).
            log.warning("health check: database pool exhausted")
            return JSONResponse(
                {"status": "error", "database": "busy"},
                status_code=503,
                headers={"Retry-After": str(POOL_RETRY_AFTER_SECONDS)},
            )
        except Exception:  # the check exists to report exactly this
            log.exception("health check: database unreachable")
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok", "version": __version__})

    @app.get("/health/detail", tags=["operations"])
    def health_detail() -> JSONResponse:
        """/health plus what operators must act on: the holiday calendar (GEN-3)."""
        with app.state.sessionmaker() as session:
            status = calendar_status(session, on=today())
        body = {"status": "ok", "database": "ok", "version": __version__}
        return JSONResponse({**body, "calendar": status.as_dict()})


def _add_routes(app: FastAPI) -> None:
    """The API under /api/v1, the pages, their static files and the favicon."""
    # Built out flat and found by their first path segments: FastAPI's lazy include
    # walked the whole tree on every request (issue 14, claimdesk.routing).
    index_routes(app, include=[(api_router, API_PREFIX), (pages_router, "")])
    app.mount("/static", StaticFiles(packages=[("claimdesk", "static")]), name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> HTMLResponse:
        return HTMLResponse(status_code=204)
