"""Login, logout and the start page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from claimdesk.auth import service
from claimdesk.auth.permissions import ROLE_LABELS, Role
from claimdesk.auth.principal import Principal
from claimdesk.config import get_settings
from claimdesk.deps import DB, SESSION_COOKIE, get_principal_optional, client_ip
from claimdesk.errors import ClaimdeskError
from claimdesk.web import check_csrf, language_of, render

router = APIRouter()

OptionalPrincipal = Annotated[Principal | None, Depends(get_principal_optional)]


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths: never redirect to another host after login.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:  # noqa: A002
    return render(request, "login.html", next=_safe_next(next))


@router.post("/login")
def login_submit(
    request: Request,
    db: DB,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",  # noqa: A002
) -> Response:
    try:
        issued = service.login(
            db, username=username, password=password, ip=client_ip(request), kind="web"
        )
    except ClaimdeskError as error:
        if error.commit_anyway:
            db.commit()
        status = error.status_code
        return render(
            request, "login.html", status_code=status, error=error.message(language_of(request)),
            username=username, next=_safe_next(next),
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, issued.token, httponly=True, samesite="lax",
        secure=get_settings().secure_cookies, expires=issued.expires_at,
    )
    return response


@router.post("/logout")
def logout(
    request: Request, db: DB, principal: OptionalPrincipal,
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if principal is not None and cookie:
        check_csrf(request, csrf_token)
        service.logout(db, token=cookie, kind="web", actor=principal)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(request: Request, principal: OptionalPrincipal) -> Response:
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    zh = language_of(request) == "zh-CN"
    labels = [ROLE_LABELS[Role(r)][0 if zh else 1] for r in sorted(principal.roles)]
    response = render(request, "home.html", role_labels=labels)
    if "lang" in request.query_params:
        response.set_cookie("lang", language_of(request), samesite="lax")
    return response
