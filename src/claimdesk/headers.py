"""Security headers on every response: API, pages, static files and errors (SEC-9).

- Content-Security-Policy: scripts and styles only from this origin (htmx and ECharts
  are served from /static; templates carry no inline script, handler or style), no
  plugins, no framing, forms post only here. JSON data for the dashboards sits in
  ``<script type="application/json">``, which is data, not executed, so CSP allows it.
  htmx's own indicator ``<style>`` is switched off by the ``htmx-config`` meta tag.
- X-Frame-Options DENY (older browsers), X-Content-Type-Options nosniff (an uploaded
  file served back can never be run as HTML or script), Referrer-Policy no-referrer
  (claim ids in URLs do not leak to other sites).
- Cache-Control no-store on everything but /static: pages and API answers carry
  personal and medical data that must not stay in browser or proxy caches.

A pure ASGI middleware (not BaseHTTPMiddleware): it only rewrites the start message,
so streamed and file responses pass through unbuffered.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# FastAPI's interactive API docs load Swagger UI from a CDN and start it with an inline
# script; only that one page gets a policy allowing them.
DOCS_PATHS = frozenset({"/api/v1/docs", "/api/v1/docs/oauth2-redirect"})
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
STATIC_PREFIX = "/static/"


def apply_security_headers(headers: MutableHeaders, path: str) -> None:
    """Set the headers on one response (also used by the 500 handler, whose response is
    sent outside the middleware stack)."""
    docs = path in DOCS_PATHS
    headers["Content-Security-Policy"] = DOCS_POLICY if docs else CONTENT_SECURITY_POLICY
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    if not path.startswith(STATIC_PREFIX):
        headers["Cache-Control"] = "no-store"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                apply_security_headers(MutableHeaders(scope=message), path)
            await send(message)

        await self.app(scope, receive, send_with_headers)
