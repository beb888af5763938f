"""Registering a payee from the payment form (issue 12, CLM-P1): paying someone other
than the insured needs that person and their bank account on record. The payment form
links here; the page records the person (with the consent they gave, SEC-6) and the
account through the people service, and leads back to the claim, where the new payee is
chosen as "someone else" with their power of attorney or notarial certificate.

Permission: people:write (the row filter of the claim applies too); the page calls the
people service only, and the edge commits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims.read import claim_for
from claimdesk.deps import DB, require
from claimdesk.errors import PermissionDenied
from claimdesk.people import service as people
from claimdesk.people.schemas import BankAccountIn, ConsentIn, PersonIn
from claimdesk.web.kit import Refusal, SubmittedForm, form_action, form_context, render

router = APIRouter()

Registrar = Annotated[Principal, Depends(require(Permission.PEOPLE_WRITE))]

FIELDS = ("name", "id_number", "phone", "holder_name", "bank_name", "account_number", "consent")


def _page(
    request: Request,
    claim_id: int,
    *,
    values: dict[str, str] | None = None,
    refusal: Refusal | None = None,
) -> Response:
    return render(
        request, "claims/payee_new.html", claim_id=claim_id, **form_context(refusal, values=values)
    )


def _staff_claim(db: Session, principal: Principal, claim_id: int) -> None:
    if principal.is_customer:
        raise PermissionDenied()
    claim_for(db, principal, claim_id)


@router.get("/claims/{claim_id}/payees/new")
def payee_form(claim_id: int, request: Request, db: DB, principal: Registrar) -> Response:
    _staff_claim(db, principal, claim_id)
    return _page(request, claim_id)


def _register(db: Session, principal: Principal, values: dict[str, str]) -> int:
    data = PersonIn.model_validate(
        {
            "name": values["name"],
            "id_number": values["id_number"],
            "phone": values["phone"] or None,
            "consent": (
                ConsentIn(
                    purpose="claims_handling",
                    scope=["identity", "contact", "bank"],
                    method="written",
                    text="收款人同意为支付理赔款使用其身份、联系方式与银行账户信息",
                )
                if values["consent"]
                else None
            ),
        }
    )
    account = BankAccountIn.model_validate(
        {
            "holder_name": values["holder_name"] or values["name"],
            "bank_name": values["bank_name"],
            "account_number": values["account_number"],
        }
    )
    person = people.create_person(
        db,
        actor=principal,
        name=data.name,
        id_type=data.id_type,
        id_number=data.id_number,
        phone=data.phone,
        consent=data.consent,
    )
    people.add_bank_account(
        db,
        actor=principal,
        person_id=person.id,
        holder_name=account.holder_name,
        bank_name=account.bank_name,
        account_number=account.account_number,
    )
    return person.id


@router.post("/claims/{claim_id}/payees/new")
def register_payee(
    claim_id: int, request: Request, raw: SubmittedForm, db: DB, principal: Registrar
) -> Response:
    _staff_claim(db, principal, claim_id)
    values = {k: str(raw.get(k) or "").strip() for k in FIELDS}
    return form_action(
        request,
        db,
        lambda: _register(db, principal, values),
        refused=lambda refusal: _page(request, claim_id, values=values, refusal=refusal),
        # Back to the claim: the payment form finds the payee by the ID number just entered.
        redirect=f"/claims/{claim_id}?payee=registered#actions-title",
    )
