"""The page kit: templates, rendering, language, navigation and the CSRF rule for forms.

Pages call the same services as the API. Every state-changing form carries the
session's CSRF token (SEC-8); ``check_csrf`` compares it in constant time.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from claimdesk.auth.permissions import Permission
from claimdesk.config import get_settings
from claimdesk.errors import CsrfFailed
from claimdesk.i18n import current_language, gettext, ngettext, request_language

# The templates stay beside the package root (src/claimdesk/templates), shared by every area.
templates = Jinja2Templates(
    directory=str(__import__("pathlib").Path(__file__).parent.parent / "templates")
)
# {{ _("English msgid") }} and {% trans %} in every template, translated through the
# merged Babel catalogues in the language render() sets for the request.
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    lambda message: gettext(message),
    lambda singular, plural, n: ngettext(singular, plural, n),
    newstyle=True,
)


def local_time(value: Any) -> str:
    """An instant shown in local time (GEN-2, the ``timezone`` setting): '2026-11-22 09:30'."""
    import datetime as dt

    from claimdesk.timeutil import local_zone

    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return str(value.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M"))
    return str(value)


templates.env.filters["local_time"] = local_time


@dataclass(frozen=True)
class NavItem:
    """One entry of the layout's navigation, shown to whoever holds ``permission``."""

    permission: Permission
    href: str
    msgid: str  # English; translated in base.html
    staff_only: bool = True  # customers get the portal's own navigation


# Domains append their entries (surgical one-line additions); order is display order.
NAV_ITEMS: list[NavItem] = [
    NavItem(Permission.CLAIMS_READ, "/workbench", "Workbench"),
    NavItem(Permission.CLAIMS_REPORT, "/claims/new", "Report a claim for a customer"),
    NavItem(Permission.CLAIMS_READ, "/portal", "My claims", staff_only=False),
    NavItem(Permission.CLAIMS_REPORT, "/portal/report", "Report a claim", staff_only=False),
    NavItem(Permission.POLICIES_READ, "/portal/policies", "My policies", staff_only=False),
    NavItem(Permission.SERVICE_OWN, "/portal/service", "Complaints and requests", staff_only=False),
    NavItem(Permission.SERVICE_DESK, "/desk/complaints", "Complaints"),
    NavItem(Permission.CLAIMS_REPORTS, "/dashboards/claims", "Claims dashboard"),
    NavItem(Permission.SERVICE_REPORTS, "/dashboards/service", "Service dashboard"),
    NavItem(Permission.PRODUCTS_READ, "/admin/products", "Products"),
    NavItem(Permission.POLICIES_READ, "/admin/policies", "Policies"),
    NavItem(Permission.SALES_READ, "/admin/sales", "Sales"),
    NavItem(Permission.FRAUD_INVESTIGATE, "/admin/fraud-holds", "Fraud holds"),
    NavItem(Permission.CLAIM_EVENTS_MANAGE, "/admin/events", "Mass events"),
    NavItem(Permission.USERS_READ, "/admin/users", "Users and roles"),
    NavItem(Permission.CALENDAR_MANAGE, "/admin/calendar", "Holiday calendar"),
    NavItem(Permission.CLAIMS_REPORTS, "/admin/thresholds", "Thresholds"),
    NavItem(Permission.SECURITY_INCIDENT_REPORT, "/admin/security-incidents", "Security incidents"),
]


def nav_for(principal: Any) -> list[NavItem]:
    if principal is None:
        return []
    customer = bool(getattr(principal, "is_customer", False))
    return [
        item
        for item in NAV_ITEMS
        if principal.has(item.permission) and (item.staff_only != customer)
    ]


def language_of(request: Request) -> str:
    return getattr(request.state, "language", None) or request_language(request)


def t(request: Request, zh: str, en: str) -> str:
    """Inline bilingual label; Babel catalogues replace these as pages grow."""
    return zh if language_of(request) == "zh-CN" else en


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    language = language_of(request)
    # The template's _() and any _() in code called from here use this language.
    current_language.set(language)
    context.setdefault("principal", getattr(request.state, "principal", None))
    context.setdefault("csrf_token", getattr(request.state, "csrf_token", None))
    context.setdefault("nav_items", nav_for(context["principal"]))
    context.setdefault("current_path", request.url.path)
    response = templates.TemplateResponse(
        request,
        template,
        {"lang": language, "zh": language == "zh-CN", **context},
        status_code=status_code,
    )
    if "lang" in request.query_params:
        # ?lang=en (the switch in the layout) is remembered for the next pages.
        response.set_cookie(
            "lang",
            language,
            samesite="lax",
            max_age=365 * 24 * 3600,
            secure=get_settings().secure_cookies,
        )
    return response


def render_error(request: Request, status: int, error: dict[str, Any]) -> Response:
    if status == 401 and request.method == "GET":
        from fastapi.responses import RedirectResponse

        if request.url.path.startswith("/portal"):
            # Customers log in with the SMS code on the portal's own page (SEC-9).
            return RedirectResponse("/portal/login", status_code=303)
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return render(request, "error.html", status_code=status, error=error)


async def submitted_form(request: Request) -> FormData:
    """The submitted form, read on the event loop. A page route that touches the database
    is a plain ``def`` (run in the thread pool) and takes the form from here: blocking
    database work inside an ``async def`` route would stall every request of its worker
    (docs/architecture.md, "sync routes")."""
    return await request.form()


SubmittedForm = Annotated[FormData, Depends(submitted_form)]


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = getattr(request.state, "csrf_token", None)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise CsrfFailed(field="csrf_token")
