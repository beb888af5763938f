"""The portal's language switch records the customer's choice (GEN-6): a signed-in
customer who switches the portal to English (``?lang=en``, the layout's link) reads
their SMS and portal messages in English from then on, and back to zh-CN the same way.

A router dependency of every portal page: the switch is one link on every page, so the
page the customer is on is where the choice is made. It calls the people service (the
page queries and commits nothing itself); the request's transaction commits it with the
page. A language the pages do not know is ignored here as the pages ignore it.
"""

from __future__ import annotations

from fastapi import Depends, Request

from claimdesk.auth.principal import Principal
from claimdesk.deps import DB, get_principal_optional
from claimdesk.i18n import normalise
from claimdesk.people import service as people


def remember_language(
    request: Request, db: DB, principal: Principal | None = Depends(get_principal_optional)
) -> None:
    if request.method != "GET" or "lang" not in request.query_params:
        return
    chosen = normalise(request.query_params.get("lang"))
    if chosen is None or principal is None or not principal.is_customer:
        return
    if principal.person_id is None:
        return
    people.set_preferred_language(
        db, actor=principal, person_id=principal.person_id, language=chosen, field="lang"
    )
