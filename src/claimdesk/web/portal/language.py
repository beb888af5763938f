"""The portal's language switch (GEN-6): the page is shown in the language chosen, and a
signed-in customer's choice is recorded as the language of their SMS and portal messages.

Showing and recording are two things. A GET with ``?lang=en`` (any link, a bookmark, a
crawler, a prefetch) only changes what this browser shows: the cookie remembers it
(``kit.render``) and nothing is written — a safe method changes nothing. Recording is the
explicit switch: the layout's button posts ``lang`` here with the session's CSRF token
(SEC-8), the people service records it (audited; the request's transaction commits it
with the answer), and the customer is sent back to the page they were on, in the new
language. The app records it the same way with ``PUT /api/v1/me/language``. A language
the portal does not know changes nothing, as the pages ignore it.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from claimdesk.auth.principal import Principal
from claimdesk.config import get_settings
from claimdesk.deps import DB, get_principal_optional
from claimdesk.i18n import normalise
from claimdesk.people import service as people

router = APIRouter(prefix="/portal")

Short = Annotated[str, Form(max_length=16)]


def _back_to(next_page: str) -> str:
    """Where the switch came from: a portal page of this site, never elsewhere."""
    parts = urlsplit(next_page)
    if parts.scheme or parts.netloc or not parts.path.startswith("/portal"):
        return "/portal"
    return parts.path + (f"?{parts.query}" if parts.query else "")


@router.post("/language")
def switch_language(
    request: Request,
    db: DB,
    principal: Principal | None = Depends(get_principal_optional),
    lang: Short = "",
    next_page: Annotated[str, Form(alias="next", max_length=2000)] = "/portal",
    # (The CSRF token is checked by the pages' guard before this runs, SEC-8.)
) -> Response:
    chosen = normalise(lang)
    if (
        chosen is not None
        and principal is not None
        and principal.is_customer
        and principal.person_id is not None
    ):
        people.set_preferred_language(
            db, actor=principal, person_id=principal.person_id, language=chosen, field="lang"
        )
    response = RedirectResponse(_back_to(next_page), status_code=303)
    if chosen is not None:
        response.set_cookie(
            "lang",
            chosen,
            samesite="lax",
            max_age=365 * 24 * 3600,
            secure=get_settings().secure_cookies,
        )
    return response
