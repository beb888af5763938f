"""Login, logout and the start page of each role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from claimdesk.auth import service
from claimdesk.auth.csrf import PRE_SESSION_COOKIE, pre_session_token, set_pre_session_cookie
from claimdesk.auth.permissions import ROLE_LABELS, Permission, Role
from claimdesk.auth.principal import Principal
from claimdesk.config import get_settings
from claimdesk.deps import DB, SESSION_COOKIE, client_ip, get_principal_optional
from claimdesk.errors import ClaimdeskError
from claimdesk.web.admin.calendar import admin_warning
from claimdesk.web.claims.workbench import workbench_page
from claimdesk.web.kit import language_of, render, undo_refused
from claimdesk.web.portal.pages import portal_home

router = APIRouter()

OptionalPrincipal = Annotated[Principal | None, Depends(get_principal_optional)]

# Where each role's start page points (English msgids, translated in home.html). Claims
# staff and the service desk land straight on their queue in the workbench; customers on
# the portal.
START_ITEMS: dict[Role, list[tuple[str, str | None]]] = {
    Role.SERVICE_AGENT: [("Consultations to answer", "/workbench"), ("Complaints", "/workbench")],
    Role.COMPLIANCE_AUDITOR: [("Audit trail", None), ("Standards scorecard", None)],
    # The administrator's work: each item opens its page (they were plain words).
    Role.ADMINISTRATOR: [
        ("Users and roles", "/admin/users"),
        ("Holiday calendar", "/admin/calendar"),
        ("Products", "/admin/products"),
        ("Automatic checks", "/admin/checks"),
        ("Thresholds", "/admin/thresholds"),
    ],
}
# Roles whose work is a queue in the workbench.
QUEUE_PERMISSIONS = (
    Permission.CLAIMS_ACCEPT,
    Permission.CLAIMS_SURVEY,
    Permission.CLAIMS_ASSESS,
    Permission.CLAIMS_ADJUST,
    Permission.CLAIMS_REVIEW,
    Permission.CLAIMS_PAY,
    Permission.FRAUD_INVESTIGATE,
    Permission.SERVICE_DESK,
)


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths: never redirect to another host after login.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _login_page(
    request: Request, *, principal: Principal | None, status_code: int = 200, **context: object
) -> Response:
    # A signed-in user re-posting the form is checked against the session's token.
    token = getattr(request.state, "csrf_token", None) if principal else pre_session_token(request)
    response = render(request, "login.html", status_code=status_code, csrf_token=token, **context)
    set_pre_session_cookie(request, response)
    return response


@router.get("/login")
def login_form(request: Request, principal: OptionalPrincipal, next: str | None = None) -> Response:
    return _login_page(request, principal=principal, next=_safe_next(next))


@router.post("/login")
def login_submit(
    request: Request,
    db: DB,
    principal: OptionalPrincipal,
    username: Annotated[str, Form(max_length=256)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    try:
        issued = service.login(
            db, username=username.strip(), password=password, ip=client_ip(request), kind="web"
        )
    except ClaimdeskError as error:
        undo_refused(db, error)
        response = _login_page(
            request,
            principal=principal,
            status_code=error.status_code,
            error=error.message(language_of(request)),
            username=username,
            next=_safe_next(next),
        )
        if "retry_after" in error.params:
            response.headers["Retry-After"] = str(error.params["retry_after"])
        return response
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
        expires=issued.expires_at,
    )
    # The pre-session token has done its job; a new one is issued at the next login.
    response.delete_cookie(PRE_SESSION_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, db: DB, principal: OptionalPrincipal) -> Response:
    # The CSRF token was checked by the pages router's guard before we got here.
    cookie = request.cookies.get(SESSION_COOKIE)
    if principal is not None and cookie:
        service.logout(db, token=cookie, kind="web", actor=principal)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(request: Request, db: DB, principal: OptionalPrincipal) -> Response:
    """Each role lands on its own work: customers on the portal, claims staff and the
    service desk on their queue, the others on their start page."""
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    if principal.is_customer:
        return portal_home(request, db, principal)
    if any(principal.has(p) for p in QUEUE_PERMISSIONS):
        return workbench_page(request, db, principal)
    zh = language_of(request) == "zh-CN"
    roles = [Role(r) for r in sorted(principal.roles) if r in Role.__members__.values()]
    sections = [
        {
            "label": ROLE_LABELS[role][0 if zh else 1],
            "items": [{"msgid": m, "href": h} for m, h in START_ITEMS.get(role, [])],
        }
        for role in roles
    ]

    return render(
        request,
        "home.html",
        role_labels=[s["label"] for s in sections],
        sections=sections,
        calendar_warning=admin_warning(request, db, principal),
    )
