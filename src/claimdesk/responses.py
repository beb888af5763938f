"""How an error answers, for the app's exception handlers and the middlewares before
them (input_guard): the JSON ``{"error": …}`` of the API, or the error page of the pages,
in the request's language. Its own module so a middleware needs not import the app."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from claimdesk.i18n import request_language

API_PREFIX = "/api/v1"


def language(request: Request) -> str:
    return getattr(request.state, "language", None) or request_language(request)


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith(API_PREFIX) and request.url.path != "/health"


def error_response(request: Request, status: int, error: dict[str, Any]) -> Response:
    if wants_html(request):
        # Imported here: the page kit pulls in the whole web layer (templates, every
        # domain's labels), which the API's error path and the middlewares never need.
        from claimdesk.web.kit import render_error

        return render_error(request, status, error)
    return JSONResponse({"error": error}, status_code=status)
