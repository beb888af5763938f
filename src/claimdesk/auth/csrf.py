"""Cross-site request forgery protection for every state-changing request (SEC-8).

Applied once, as a router dependency, to all pages and to the whole JSON API, so a
form added later is protected without its author doing anything:

* a browser session (cookie) must send the session's CSRF token, as the ``csrf_token``
  form field or the ``X-CSRF-Token`` header (htmx sends the header, see base.html);
* a request without a session (the login form) must echo the pre-session cookie
  ``claimdesk_csrf`` in the form field — the double-submit pattern, which stops
  login CSRF (a foreign site logging the victim into the attacker's account);
* bearer-token API calls carry no ambient credential, so they need no token.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from starlette.responses import Response

from claimdesk.config import get_settings
from claimdesk.deps import get_principal_optional
from claimdesk.errors import CsrfFailed

PRE_SESSION_COOKIE = "claimdesk_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def _submitted_token(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(_FORM_TYPES):
        # Starlette caches the parsed form, so the endpoint's Form() fields still work.
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def _matches(expected: str | None, submitted: str | None) -> bool:
    return bool(expected and submitted and hmac.compare_digest(expected, submitted))


# The guards take only the request and resolve the principal themselves (kept on the
# request for the route's own dependencies): no dependency of their own for FastAPI to
# solve on every request, and no session (issue 14). They resolve it on every method, as the route's error messages
# speak the principal's language.


async def page_csrf_guard(request: Request) -> None:
    principal = await get_principal_optional(request)
    if request.method in SAFE_METHODS:
        return
    submitted = await _submitted_token(request)
    if principal is not None and principal.session_kind == "web":
        expected = getattr(request.state, "csrf_token", None)
    elif principal is not None:
        return  # a bearer token: nothing ambient to forge
    else:
        expected = request.cookies.get(PRE_SESSION_COOKIE)
    if not _matches(expected, submitted):
        raise CsrfFailed(field=CSRF_FIELD)


async def api_csrf_guard(request: Request) -> None:
    principal = await get_principal_optional(request)
    # Only a cookie-authenticated call can be forged; anonymous calls (token issue)
    # and bearer calls pass.
    if request.method in SAFE_METHODS or principal is None or principal.session_kind != "web":
        return
    if not _matches(getattr(request.state, "csrf_token", None), await _submitted_token(request)):
        raise CsrfFailed(field=CSRF_FIELD)


def pre_session_token(request: Request) -> str:
    """The double-submit token for forms shown before login (reused while it lasts)."""
    existing = request.cookies.get(PRE_SESSION_COOKIE)
    if existing and 20 <= len(existing) <= 64:
        return existing
    token = secrets.token_urlsafe(24)
    request.state.new_pre_session_token = token
    return token


def set_pre_session_cookie(request: Request, response: Response) -> None:
    token = getattr(request.state, "new_pre_session_token", None)
    if token:
        response.set_cookie(
            PRE_SESSION_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=get_settings().secure_cookies,
        )
