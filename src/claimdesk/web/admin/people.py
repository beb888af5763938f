"""A customer's page for staff (SEC-4, SEC-5): who they are, masked as the people API
shows them, and the language their SMS and portal notices are written in, which staff who
may edit the person change when the customer asks (the same audited service as
``PUT /api/v1/people/{id}/language``; the person's row rule applies through it)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.deps import DB, require
from claimdesk.people import service
from claimdesk.people.schemas import LanguageIn, person_out
from claimdesk.web.kit import FormPage, Refusal, checked, common, form_context, page

router = APIRouter(prefix="/admin/people")

Reader = Annotated[Principal, Depends(require(Permission.PEOPLE_READ))]
Writer = Annotated[Principal, Depends(require(Permission.PEOPLE_WRITE))]
Short = Annotated[str, Form(max_length=20)]

# The notice languages a customer can be given (people.service.CUSTOMER_LANGUAGES), each
# with its English msgid.
LANGUAGES = (("zh-CN", "Chinese"), ("en", "English"))


def _person(
    request: Request,
    db: Session,
    actor: Principal,
    person_id: int,
    *,
    refusal: Refusal | None = None,
    action: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    view = service.get_person(db, actor=actor, person_id=person_id)
    shown = person_out(
        view.person, revealed=False, bank_accounts=view.bank_accounts, consents=view.consents
    )
    return page(
        request,
        "admin/person.html",
        **form_context(refusal, action=action, values=values),
        person=shown,
        languages=LANGUAGES,
        may_edit=actor.has(Permission.PEOPLE_WRITE),
        **common(request),
    )


@router.get("/{person_id}")
def person_page(person_id: int, request: Request, db: DB, actor: Reader) -> Response:
    return _person(request, db, actor, person_id)


@router.post("/{person_id}/language")
def set_language(
    person_id: int, request: Request, db: DB, actor: Writer, language: Short = ""
) -> Response:
    """The customer asked for their notices in another language (an agent on the phone)."""

    def call() -> Any:
        body = checked(LanguageIn, {"language": language})
        return service.set_preferred_language(
            db, actor=actor, person_id=person_id, language=body.language
        )

    form = FormPage(
        request,
        db,
        partial(_person, request, db, actor, person_id),
        f"/admin/people/{person_id}",
    )
    return form.act("language", {"language": language}, call)
