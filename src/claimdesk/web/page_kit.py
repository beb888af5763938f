"""Small helpers shared by the management pages (web engineer B's domains).

``page`` renders through web.render and makes sure a ``_`` exists in templates even
before the Babel loader is installed (msgids are English, so untranslated text still
reads). Form helpers turn a ClaimdeskError into the in-place message of a field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from claimdesk.dashboards.errors import InvalidFilterDate, InvalidFilterNumber
from claimdesk.errors import ClaimdeskError

PAGE_SIZE = 200


def _identity(message: str, **params: Any) -> str:
    return message % params if params else message


def translator(request: Request) -> Callable[..., str]:
    """The request's gettext over the merged Babel catalogues (claimdesk.i18n), bound to
    the request's language so it also works before render() sets the context."""
    from claimdesk import i18n
    from claimdesk.web.kit import language_of

    language = language_of(request)
    found = getattr(i18n, "gettext", None)
    if not callable(found):
        return _identity

    def gettext(message: str, **params: Any) -> str:
        text: str = found(message, language)
        return text % params if params else text

    return gettext


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    from claimdesk.web.kit import render, templates

    if "_" not in templates.env.globals:
        context.setdefault("_", translator(request))
    return render(request, template, status_code=status_code, **context)


def error_of(request: Request, error: ClaimdeskError) -> dict[str, Any]:
    """What a form shows beside the field: the message in the user's language."""
    from claimdesk.web.kit import language_of

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
    from claimdesk.rules.deadlines import to_local

    return to_local(dt.datetime.now(dt.UTC)).date()


def urgency(due: dt.datetime | None, now: dt.datetime, *, done: bool = False) -> str:
    """CSS class of a countdown: amber in the last quarter-day, red once breached."""
    if done or due is None:
        return "done"
    left = (due - now).total_seconds()
    if left < 0:
        return "breached"
    return "near" if left < 6 * 3600 else "ok"
