"""The page kit: templates, rendering, language, navigation and the CSRF rule for forms.

Pages call the same services as the API. Every state-changing form carries the
session's CSRF token (SEC-8); ``check_csrf`` compares it in constant time.
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import importlib
import typing
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, TypeVar
from urllib.parse import urlencode, urlsplit

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from claimdesk import formatting, i18n
from claimdesk.auth.permissions import REVIEW_TIER_ROLES, ROLE_LABELS, Permission
from claimdesk.claims import timeutil
from claimdesk.claims.deadline_names import name_of
from claimdesk.code_labels import catalog_class as class_words
from claimdesk.code_labels import loss_cause_msgid, major_reasons, state_label
from claimdesk.config import get_settings
from claimdesk.dashboards.errors import InvalidFilterDate, InvalidFilterNumber
from claimdesk.errors import ClaimdeskError, CsrfFailed
from claimdesk.i18n import current_language, gettext, ngettext, request_language
from claimdesk.models.base import utcnow
from claimdesk.paging import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    Page,
    PageLimitOutOfRange,
    PageOffsetNegative,
    PageRequest,
)
from claimdesk.products.coverage_types import MATERIALS
from claimdesk.rules.deadlines import to_local
from claimdesk.validation import describe_validation_error
from claimdesk.web.labels import KIND_LABELS, LABELS, MORE_LABELS

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

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
    """An instant shown in local time (GEN-2, the ``timezone`` setting), as people read
    it in the page's language: '2026年11月22日 09:30' / '22 Nov 2026 09:30'."""
    return formatting.local_datetime(value)


# One formatter each for what pages show (claimdesk.formatting, also used by the PDFs):
# {{ x | money }} ¥9,000.00, {{ t | local_time }}, {{ d | local_date }},
# {{ seconds | duration }} "3 天 18 小时", {{ text | readable }} without SPEC IDs.
templates.env.filters["local_time"] = local_time
templates.env.filters["local_date"] = formatting.local_date
templates.env.filters["money"] = formatting.money
templates.env.filters["amount"] = formatting.amount
templates.env.filters["duration"] = formatting.duration
templates.env.filters["file_size"] = formatting.file_size
templates.env.filters["readable"] = formatting.without_spec_refs
# {{ product | name_in }}: a product's or coverage's name in the page's language, its
# English name on an English page when it has one (formatting.name_in).
templates.env.filters["name_in"] = formatting.name_in
templates.env.globals["name_in"] = formatting.name_in
templates.env.globals["name_language"] = formatting.name_language
# {% for term, text, lang in terms_in(version) %}: a version's explained terms in the
# page's language, the Chinese where it gives no English (formatting.terms_in, PRD-5).
templates.env.globals["terms_in"] = formatting.terms_in
# {% set text, lang = text_in(version, "exclusions") %}: a version's liabilities or
# exclusions in the page's language, the Chinese where it gives no English (GEN-6).
templates.env.globals["text_in"] = formatting.text_in


def label(code: object) -> str:
    """A stored code (state, channel, cause ...) in the words of the page's language;
    the default ``label`` of every template (a page may pass its own)."""
    text = str(code) if code is not None else ""
    msgid = MORE_LABELS.get(text) or LABELS.get(text)
    return gettext(msgid) if msgid else text


templates.env.globals["label"] = label


def catalog_class(code: object) -> str:
    """An expense line's catalogue class in words — 甲类 / Class A (甲) — or — for none
    (code_labels.catalog_class, the one label of a class)."""
    return class_words(code)


def expense_kind(code: object) -> str:
    """An expense line's excluded-item category (PRD-3) in words, not its code."""
    msgid = KIND_LABELS.get(str(code or ""))
    return gettext(msgid) if msgid else str(code or "")


templates.env.globals["catalog_class"] = catalog_class
templates.env.globals["expense_kind"] = expense_kind
templates.env.filters["label"] = label


def coverage(code: object, names: Mapping[str, str] | None = None) -> str:
    """A claim's coverage code as its product names it, in the page's language:
    ``{{ a.coverage_code | coverage(coverage_names) }}`` with the names the page read
    (``reserves.coverage_names``: the English name on an English page when the product
    gives one); a code the product does not name is shown by its label."""
    text = str(code) if code is not None else ""
    return (names or {}).get(text) or label(text)


templates.env.globals["coverage"] = coverage
templates.env.filters["coverage"] = coverage


def state(kind: str, code: object) -> str:
    """A record's state in the words of its own list, in the page's language:
    ``{{ state("complaint", c.status) }}`` (``code_labels.STATE_TABLES``; ``label`` would
    read "decided" or "approved" as another list says them)."""
    return state_label(kind, code, current_language.get())


templates.env.globals["state"] = state


def loss_cause(code: object) -> str:
    """A claim's cause of loss in the page's language: "accident" is 意外事故, what
    happened, where ``label`` reads the accident line (意外险), a product."""
    text = str(code) if code is not None else ""
    return gettext(loss_cause_msgid(text)) if text else ""


templates.env.globals["loss_cause"] = loss_cause
templates.env.globals["major_reasons"] = lambda reasons: major_reasons(
    reasons, current_language.get()
)


def deadline_basis(clock: Any) -> str:
    """The rule that made a clock's deadline, in the page's language (GEN-4): the article
    of law, the service standard or the claims manual and what it asks, as the claim page
    says it (``claims.deadline_names``). A clock row keeps the Chinese basis it was started
    with; an English page never shows it."""
    return name_of(str(clock.name), clock.basis).basis(current_language.get())


templates.env.globals["deadline_basis"] = deadline_basis


def review_tier(tier: object) -> str:
    """A review tier (CLM-V1) named by the role that decides it, in the reader's
    language — the role's own label (理赔主管（一级核赔） / Claims supervisor (review
    tier 1)); a tier outside the three reads as its number."""
    role = REVIEW_TIER_ROLES.get(tier) if isinstance(tier, int) else None
    if role is None:
        return f"{gettext('Tier')} {tier}"
    zh, en = ROLE_LABELS[role]
    return zh if current_language.get().lower().startswith("zh") else en


templates.env.globals["review_tier"] = review_tier


def colon() -> str:
    """The colon after a label as the page's language writes it: full width in Chinese
    (身份核验：密码), ``: `` in English."""
    return "：" if current_language.get().lower().startswith("zh") else ": "


templates.env.globals["colon"] = colon


def paren(text: object) -> str:
    """A parenthesis after a label as the page's language writes it: 电子票据（2） /
    Electronic bills (2)."""
    if current_language.get().lower().startswith("zh"):
        return f"（{text}）"
    return f" ({text})"


templates.env.globals["paren"] = paren


def material(code: object) -> str:
    """A claim material's code (claim_form, repair_quote …) in the page's language, as the
    checklist names it: a sent missing-materials notice lists them so on the claim page, not
    as the code it is stored as (GEN-2). A code no product knows is shown as it is."""
    text = str(code) if code is not None else ""
    zh, en = MATERIALS.get(text, (text, text))
    return zh if current_language.get() == "zh-CN" else en


templates.env.globals["material"] = material
templates.env.filters["material"] = material


def _longest(schema: Mapping[str, Any]) -> int | None:
    """``maxLength`` of a JSON schema property, through ``anyOf`` (an optional text)."""
    if "maxLength" in schema:
        return int(schema["maxLength"])
    for part in schema.get("anyOf", ()):
        found = _longest(part)
        if found is not None:
            return found
    return None


@functools.cache
def max_length(ref: str) -> int:
    """The longest text a form field takes, from where the limit is set, for a textarea's
    ``maxlength`` (the browser stops the typing there, rather than the server refusing
    the whole form): ``"service.schemas:AcknowledgeIn.progress_note"`` — the API schema's
    ``max_length`` of the field the text goes to; ``"web.admin.products:Text"`` — a page's
    own form limit, for a text the page parses into a list (beneficiaries, coverages).
    An unknown reference or one with no limit is an error: tests/web/test_textareas.py
    renders every form that has a textarea."""
    module_name, _, dotted = ref.partition(":")
    owner_name, _, field = dotted.partition(".")
    owner = getattr(importlib.import_module(f"claimdesk.{module_name}"), owner_name)
    if field:
        found = _longest(owner.model_json_schema()["properties"][field])
    else:  # Annotated[str, Form(max_length=...)]
        found = next(
            (
                int(meta.max_length)
                for info in typing.get_args(owner)[1:]
                for meta in getattr(info, "metadata", ())
                if getattr(meta, "max_length", None) is not None
            ),
            None,
        )
    if found is None:
        raise LookupError(f"{ref} sets no max_length")
    return found


templates.env.globals["max_length"] = max_length


def words(value: object) -> str:
    """A stored value (a product parameter: a code, a list of codes, a small table) in
    words: labels for codes, 'Yes'/'No', lists joined, no Python brackets or quotes."""
    zh = current_language.get() == "zh-CN"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, dict):
        return ("；" if zh else "; ").join(
            f"{label(k)}{'：' if zh else ': '}{words(v)}" for k, v in value.items()
        )
    if isinstance(value, list | tuple | set | frozenset):
        return ("、" if zh else ", ").join(words(v) for v in value)
    return label(value)


templates.env.filters["words"] = words


def listed(items: Iterable[object]) -> str:
    """Items listed as the page's language lists them: 直销、银行 / Direct, Bank
    (``{{ codes | map("label") | listed }}``; code_labels.code_list for codes)."""
    separator = "、" if current_language.get() == "zh-CN" else ", "
    return separator.join(str(item) for item in items)


templates.env.filters["listed"] = listed


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
    NavItem(Permission.CLAIMS_READ, "/portal/messages", "Messages", staff_only=False),
    NavItem(Permission.OWN_PROFILE, "/portal/accounts", "Payout accounts", staff_only=False),
    NavItem(Permission.OWN_PROFILE, "/portal/consents", "My consents", staff_only=False),
    NavItem(Permission.CLAIMS_PAY, "/payments/batches", "Payment batches"),
    NavItem(Permission.SERVICE_DESK, "/desk/complaints", "Complaints"),
    NavItem(Permission.SERVICE_DESK, "/desk/consultations", "Consultations"),
    NavItem(Permission.CLAIMS_REPORTS, "/dashboards/claims", "Claims dashboard"),
    NavItem(Permission.SERVICE_REPORTS, "/dashboards/service", "Service dashboard"),
    NavItem(Permission.PRODUCTS_READ, "/admin/products", "Products"),
    NavItem(Permission.POLICIES_READ, "/admin/policies", "Policies"),
    NavItem(Permission.SALES_READ, "/admin/sales", "Sales"),
    NavItem(Permission.SALES_OWN, "/admin/sales/me", "My qualification and training"),
    NavItem(Permission.FRAUD_INVESTIGATE, "/admin/fraud-holds", "Fraud holds"),
    NavItem(Permission.CLAIM_EVENTS_MANAGE, "/admin/events", "Mass events"),
    NavItem(Permission.USERS_READ, "/admin/users", "Users and roles"),
    NavItem(Permission.CALENDAR_MANAGE, "/admin/calendar", "Holiday calendar"),
    NavItem(Permission.CLAIMS_REPORTS, "/admin/thresholds", "Thresholds"),
    NavItem(Permission.CHECKS_READ, "/admin/checks", "Automatic checks"),
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


def language_switch(request: Request, language: str) -> str:
    """The layout's language switch: this page in the other language, its query string
    kept (the list's page and filters) but for the language asked before."""
    other = "en" if language == "zh-CN" else "zh-CN"
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return "?" + urlencode([*kept, ("lang", other)])


def language_back(request: Request) -> str:
    """This page's address without ``lang``: where the posted switch sends the reader."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return request.url.path + (f"?{urlencode(kept)}" if kept else "")


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    language = language_of(request)
    # The template's _() and any _() in code called from here use this language.
    current_language.set(language)
    context.setdefault("principal", getattr(request.state, "principal", None))
    context.setdefault("csrf_token", getattr(request.state, "csrf_token", None))
    context.setdefault("nav_items", nav_for(context["principal"]))
    context.setdefault("current_path", request.url.path)
    context.setdefault("language_switch", language_switch(request, language))
    # A signed-in customer's switch is a form that records their choice (POST with the
    # CSRF token, web/portal/language.py); a link (a GET) only changes what is shown.
    principal = context["principal"]
    context.setdefault(
        "language_post",
        principal is not None
        and principal.is_customer
        and bool(context["csrf_token"])
        and request.url.path.startswith("/portal"),
    )
    context.setdefault("language_back", language_back(request))
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
    if request.headers.get("HX-Request") == "true":
        return _htmx_error(request, status, error)
    if status == 401 and request.method == "GET":
        if request.url.path.startswith("/portal"):
            # Customers log in with the SMS code on the portal's own page (SEC-9).
            return RedirectResponse("/portal/login", status_code=303)
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return render(request, "error.html", status_code=status, error=error)


def _htmx_error(request: Request, status: int, error: dict[str, Any]) -> Response:
    """A refusal of a part of a page (a claim action's form, its trial run): the message
    and a link to reload the page the user is on, swapped where the answer was awaited
    (base.html lets htmx swap a 4xx/5xx answer). A whole error page there would put a
    page inside the page, and an unswapped one left the click doing nothing at all (a
    stale form, an expired session's form)."""
    page = urlsplit(request.headers.get("HX-Current-URL", ""))
    # Only a path of this site: the header is the browser's, but never trusted further.
    path = page.path if page.path.startswith("/") and not page.path.startswith("//") else "/"
    here = path + (f"?{page.query}" if page.query and path != "/" else "")
    response = render(request, "_htmx_error.html", status_code=status, error=error, reload=here)
    if status == 401:
        # The session is over: to the login page, and back here after it.
        response.headers["HX-Redirect"] = f"/login?next={path}"
    return response


# --- paging of list pages (issue 12: no list stops silently at a fixed cap) ------------


@dataclass(frozen=True)
class Pager:
    """What a list page shows under its table: which items these are, of how many, and
    the links to the previous and next pages (the query string kept, offset moved)."""

    first: int
    last: int
    total: int | None
    prev_href: str | None
    next_href: str | None

    @property
    def needed(self) -> bool:
        return self.prev_href is not None or self.next_href is not None


def page_request_of(request: Request, *, limit: int = DEFAULT_LIMIT) -> PageRequest:
    """``?limit=&offset=`` of a list page through ``claimdesk.paging`` (limit 1..200);
    a value that is not a number is refused like an out-of-range one, naming the field."""
    params = request.query_params

    def number(name: str, default: int) -> int:
        text = (params.get(name) or "").strip()
        if not text:
            return default
        try:
            return int(text)
        except ValueError:
            if name == "limit":
                raise PageLimitOutOfRange(field="limit", maximum=MAX_LIMIT) from None
            raise PageOffsetNegative(field="offset") from None

    return PageRequest(limit=number("limit", limit), offset=number("offset", 0))


def pager(request: Request, page: Page[Any]) -> Pager:
    def href(offset: int) -> str:
        query = {k: v for k, v in request.query_params.items() if k != "offset"}
        if offset:
            query["offset"] = str(offset)
        encoded = urlencode(query)
        return f"{request.url.path}?{encoded}" if encoded else request.url.path

    previous = max(page.offset - page.limit, 0)
    return Pager(
        first=page.offset + 1 if page.items else page.offset,
        last=page.offset + len(page.items),
        total=page.total,
        prev_href=href(previous) if page.offset > 0 else None,
        next_href=href(page.next_offset) if page.next_offset is not None else None,
    )


def shown_pager(request: Request, page: Page[Any]) -> Pager | None:
    """The pager under a list, or None when the whole list fits on one page (the
    template then shows no paging line at all)."""
    shown = pager(request, page)
    return shown if shown.needed else None


def list_filter(value: str | None, known: Collection[str]) -> str | None:
    """A list page's filter from its query string (``?status=``, ``?assigned=``): the
    value when it is one the page knows, else None — the whole list. Filters come from
    links, so an unknown one shows every row rather than an error."""
    return value if value in known else None


# --- pages and their forms (was dashboards/kit.py and settings_pages) ---------------

PAGE_SIZE = 200


def _identity(message: str, **params: Any) -> str:
    return message % params if params else message


def translator(request: Request) -> Callable[..., str]:
    """The request's gettext over the merged Babel catalogues (claimdesk.i18n), bound to
    the request's language so it also works before render() sets the context."""

    language = language_of(request)
    found = getattr(i18n, "gettext", None)
    if not callable(found):
        return _identity

    def gettext(message: str, **params: Any) -> str:
        text: str = found(message, language)
        return text % params if params else text

    return gettext


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    if "_" not in templates.env.globals:
        context.setdefault("_", translator(request))
    return render(request, template, status_code=status_code, **context)


def error_of(request: Request, error: ClaimdeskError) -> dict[str, Any]:
    """What a form shows beside the field: the message in the user's language."""
    return error.to_dict(language_of(request))


def parse_date(value: str | None, field: str, default: dt.date) -> dt.date:
    if value is None or not value.strip():
        return default
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidFilterDate(field=field) from None


def parse_id(value: str | None, field: str) -> int | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not text.isdigit() or len(text) > 12 or int(text) <= 0:
        raise InvalidFilterNumber(field=field)
    return int(text)


def local_today() -> dt.date:
    """Today in Shanghai by the app's clock (the seam tests freeze)."""
    return to_local(timeutil.now()).date()


def urgency(due: dt.datetime | None, now: dt.datetime, *, done: bool = False) -> str:
    """CSS class of a countdown: amber in the last quarter-day, red once breached."""
    if done or due is None:
        return "done"
    left = (due - now).total_seconds()
    if left < 0:
        return "breached"
    return "near" if left < 6 * 3600 else "ok"


def label_for(request: Request) -> Callable[[object], str]:
    gettext = translator(request)

    def label(code: object) -> str:
        text = str(code) if code is not None else ""
        msgid = MORE_LABELS.get(text) or LABELS.get(text)
        return gettext(msgid) if msgid else text

    return label


def common(request: Request) -> dict[str, Any]:

    return {"label": label_for(request), "now": utcnow(), "urgency": urgency}


@dataclass
class Refusal:
    """What a refused form shows: the message (and every problem, if several)."""

    error: dict[str, Any]
    status_code: int


def undo_refused(db: Session, error: BaseException | None = None) -> None:
    """The one place a page rolls back: a refused attempt (or a trial run, ``error`` None)
    leaves nothing written, since the request edge (deps.get_db) commits whatever a page
    returns. An error that must be kept (``commit_anyway``: a counted failed login) is
    left for the edge to commit, as the API does."""
    if isinstance(error, ClaimdeskError) and error.commit_anyway:
        return
    db.rollback()


def refusal_of(request: Request, error: ClaimdeskError | ValidationError) -> Refusal:
    """What a refused form shows beside its field, in the user's language (GEN-6)."""
    if isinstance(error, ValidationError):
        # A schema's own field words (its field_context), as the API's refusal says them.
        context = _field_context(error.title)
        return Refusal(
            describe_validation_error(error.errors(), language_of(request), context), 422
        )
    return Refusal(error_of(request, error), error.status_code)


def _field_context(title: str) -> str | None:
    """The field_context (field_labels.CONTEXT_LABELS) of the schema a pydantic refusal
    is titled by: the refusal carries its schema's name, not the schema, so the schema
    is found among pydantic's models by that name."""
    models: list[type[BaseModel]] = [BaseModel]
    while models:
        model = models.pop()
        context = getattr(model, "field_context", None)
        if model.__name__ == title and isinstance(context, str):
            return context
        models.extend(model.__subclasses__())
    return None


def checked(
    schema: type[M], values: Mapping[str, Any], *, named: Mapping[str, str] | None = None
) -> M:
    """The API's own in-schema built from a page's form (GEN-6): a page takes no longer
    text and no other value than the API does, and is refused with the same words. A form
    field posted under another name than the schema's (``named``: schema field → form
    field, e.g. an extension's ``reason`` typed as ``extension_reason``) is named as the
    form names it, so the refusal stands beside it. A key may be a nested field's dotted
    path (``"limits.regions": "regions"``: a list the form takes as one text)."""
    try:
        return schema.model_validate(dict(values))
    except ValidationError as error:
        if not named:
            raise
        details: list[Any] = [
            {
                "type": e["type"],
                "loc": _renamed(e["loc"], named),
                "input": e["input"],
                **({"ctx": e["ctx"]} if "ctx" in e else {}),
            }
            for e in error.errors()
        ]
        raise ValidationError.from_exception_data(error.title, details) from None


def _renamed(loc: tuple[Any, ...], named: Mapping[str, str]) -> tuple[Any, ...]:
    """A refusal's location as the form names it: the longest dotted path of its leading
    parts that ``named`` knows, else each part by itself."""
    for n in range(len(loc), 1, -1):
        head = loc[:n]
        if all(isinstance(part, str) for part in head) and ".".join(head) in named:
            return (named[".".join(head)], *loc[n:])
    return tuple(named.get(part, part) if isinstance(part, str) else part for part in loc)


def attempt(request: Request, db: Session, call: Callable[[], T]) -> T | Refusal:
    """Run a service call for a form: its result, or the refusal — a business error or a
    form that fails the API's own pydantic schema — with nothing written (GEN-6)."""
    try:
        return call()
    except (ClaimdeskError, ValidationError) as error:
        undo_refused(db, error)
        return refusal_of(request, error)


def answer(
    done: T | Refusal,
    *,
    refused: Callable[[Refusal], Response],
    redirect: str | Callable[[T], str],
) -> Response:
    """A page form's answer once its service call has run (``attempt``): refused, the
    page's own ``refused(refusal)`` — the same page again with the message beside its
    field, what was typed and the refusal's status (GEN-6); accepted, ``303 See Other`` to
    ``redirect``, or to the address ``redirect(result)`` makes of the service's result (the
    record just created, say)."""
    if isinstance(done, Refusal):
        return refused(done)
    return RedirectResponse(redirect(done) if callable(redirect) else redirect, status_code=303)


def form_action(
    request: Request,
    db: Session,
    call: Callable[[], T],
    *,
    refused: Callable[[Refusal], Response],
    redirect: str | Callable[[T], str],
) -> Response:
    """A page form's POST from the service call on: ``attempt`` it (a refusal writes
    nothing) and ``answer`` — re-rendered by ``refused`` or redirected (303) to
    ``redirect``."""
    return answer(attempt(request, db, call), refused=refused, redirect=redirect)


def form_context(
    refusal: Refusal | None = None,
    *,
    action: str | None = None,
    values: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What a page with forms is rendered with, shown afresh or again after a refusal
    (GEN-6): ``status_code`` (200, or the refusal's), ``error`` (the refusal shown beside
    its field, or None), ``action`` (which of the page's forms was refused) and ``values``
    (what was typed; {} for fresh forms). Spread it into the page:
    ``page(request, template, **form_context(refusal, action=action, values=values), ...)``."""
    return {
        "status_code": refusal.status_code if refusal else 200,
        "error": refusal.error if refusal else None,
        "action": action,
        "values": values or {},
    }


class ShowsForms(Protocol):
    """A page's renderer that shows it afresh or again after a refusal: beside the form
    ``action`` (which of the page's forms), with the ``values`` as typed."""

    def __call__(
        self,
        *,
        refusal: Refusal | None = ...,
        action: str | None = ...,
        values: dict[str, Any] | None = ...,
    ) -> Response: ...


@dataclass(frozen=True)
class FormPage:
    """A page holding several forms that each post to a route of their own and are all
    answered alike (GEN-6): refused, ``show`` the page again with the refusal beside the
    form; accepted, 303 back to ``address``. A page module makes one per request, e.g.
    ``FormPage(request, db, partial(_detail, request, db, actor, incident_id), url)``."""

    request: Request
    db: Session
    show: ShowsForms
    address: str

    def act(
        self,
        action: str,
        values: dict[str, Any],
        call: Callable[[], T],
        *,
        redirect: str | Callable[[T], str] | None = None,
    ) -> Response:
        """The form ``action`` posted with ``values``: ``call`` through ``form_action``;
        accepted, 303 to the page (or to ``redirect``, e.g. a renewal's new policy)."""
        return form_action(
            self.request,
            self.db,
            call,
            refused=lambda refusal: self.show(refusal=refusal, action=action, values=values),
            redirect=self.address if redirect is None else redirect,
        )


def split_lines(text: str) -> list[str]:
    """One item per line or between commas — the Chinese comma and 顿号 too, as a
    Chinese page lists them (110000，310000、440000)."""
    for mark in (",", "，", "、"):
        text = text.replace(mark, "\n")
    return [line.strip() for line in text.splitlines() if line.strip()]


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
