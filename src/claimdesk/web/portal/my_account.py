"""The customer's own payout accounts and consents on the portal (CLM-T2, SEC-1, SEC-4,
SEC-6): 收款账户 lists their accounts masked (bank, holder, last four digits: the full
number never reaches the page) and registers one in their own name; 我的授权 lists what
they agreed to and withdraws a consent after a confirm step that says what it means.

Everything goes through the people service's own-record functions (the principal's
person id, never an id from the form), which call the one path staff use
(``add_bank_account``, ``withdraw_consent``: checks, keyed hash, audit)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.code_labels import (
    BANK_CONSENT_WITHDRAWAL_EFFECT,
    CONSENT_METHODS,
    CONSENT_PURPOSES,
    CONSENT_WITHDRAWAL_EFFECTS,
    DATA_CATEGORIES,
    consent_word,
)
from claimdesk.deps import DB, require
from claimdesk.models.person import Consent
from claimdesk.people import service as people
from claimdesk.people.errors import ConsentNotFound
from claimdesk.people.schemas import BankAccountIn, OwnConsentIn, RemoveAccountIn, WithdrawIn
from claimdesk.rules.identity import mask_account
from claimdesk.web.kit import (
    Refusal,
    SubmittedForm,
    checked,
    form_action,
    form_context,
    language_of,
    render,
)

# The language switch records the customer's choice only when posted (portal/language.py).
router = APIRouter(prefix="/portal")

Own = Annotated[Principal, Depends(require(Permission.OWN_PROFILE))]

ACCOUNT_FIELDS = ("holder_name", "bank_name", "account_number")


def _accounts_page(
    request: Request,
    db: DB,
    principal: Principal,
    *,
    refusal: Refusal | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    profile = people.get_own_profile(db, actor=principal)
    accounts = [
        {
            "id": a.id,
            "bank_name": a.bank_name,
            "holder_name": a.holder_name,
            # Built from the last four digits only: the number itself is never read.
            "masked": mask_account(a.account_last4),
            "last4": a.account_last4,
            "own_name": people.same_name(a.holder_name, profile.person.name),
        }
        for a in people.own_bank_accounts(db, actor=principal)
    ]
    return render(
        request,
        "portal/accounts.html",
        **form_context(refusal, values=values or {"holder_name": profile.person.name}),
        accounts=accounts,
        own_name=profile.person.name,
        added=request.query_params.get("added") == "1",
        removed=request.query_params.get("removed") == "1",
    )


@router.get("/accounts")
def accounts(request: Request, db: DB, principal: Own) -> Response:
    return _accounts_page(request, db, principal)


@router.post("/accounts")
def add_account(request: Request, form: SubmittedForm, db: DB, principal: Own) -> Response:
    values = {k: str(form.get(k) or "").strip() for k in ACCOUNT_FIELDS}

    def call() -> object:
        body = checked(BankAccountIn, values)
        return people.add_own_bank_account(
            db,
            actor=principal,
            holder_name=body.holder_name,
            bank_name=body.bank_name,
            account_number=body.account_number,
        )

    # A refused number is not typed back into the page (SEC-1): the customer types it again.
    return form_action(
        request,
        db,
        call,
        refused=lambda refusal: _accounts_page(
            request,
            db,
            principal,
            refusal=refusal,
            values={**values, "account_number": ""},
        ),
        redirect="/portal/accounts?added=1",
    )


# -- removing an account (CLM-P1) -------------------------------------------------------------


def _remove_page(
    request: Request,
    db: DB,
    principal: Principal,
    account_id: int,
    refusal: Refusal | None = None,
) -> Response:
    account = people.own_bank_account(db, actor=principal, account_id=account_id)
    return render(
        request,
        "portal/account_remove.html",
        **form_context(refusal),
        account={
            "id": account.id,
            "bank_name": account.bank_name,
            "holder_name": account.holder_name,
            "masked": mask_account(account.account_last4),
            "last4": account.account_last4,
        },
        others=len(people.own_bank_accounts(db, actor=principal)) - 1,
    )


@router.get("/accounts/{account_id}/remove")
def confirm_removal(account_id: int, request: Request, db: DB, principal: Own) -> Response:
    """The confirm step: which account, and what removing it means."""
    return _remove_page(request, db, principal, account_id)


@router.post("/accounts/{account_id}/remove")
def remove_account(
    account_id: int, request: Request, form: SubmittedForm, db: DB, principal: Own
) -> Response:
    reason = str(form.get("reason") or "").strip()

    def call() -> object:
        body = checked(RemoveAccountIn, {"reason": reason or None})
        return people.remove_own_bank_account(
            db, actor=principal, account_id=account_id, reason=body.reason
        )

    return form_action(
        request,
        db,
        call,
        refused=lambda refusal: _remove_page(request, db, principal, account_id, refusal),
        redirect="/portal/accounts?removed=1",
    )


# -- consents (SEC-6) ----------------------------------------------------------------------


def _consent_row(consent: Consent, language: str, others: list[Consent]) -> dict[str, Any]:
    separator = "、" if language.startswith("zh") else ", "
    ordered = people.ordered_categories(codes=people.consent_categories(consent=consent))
    return {
        "id": consent.id,
        "purpose": consent_word(CONSENT_PURPOSES, consent.purpose, language),
        "scope": separator.join(consent_word(DATA_CATEGORIES, c, language) for c in ordered),
        "method": consent_word(CONSENT_METHODS, consent.method, language),
        "granted_at": consent.granted_at,
        "withdrawn_at": consent.withdrawn_at,
        "codes": {"purpose": consent.purpose, "scope": ordered},
        "effects": [
            effect
            for effect in (
                CONSENT_WITHDRAWAL_EFFECTS.get(consent.purpose),
                BANK_CONSENT_WITHDRAWAL_EFFECT if _last_bank_consent(consent, others) else None,
            )
            if effect
        ],
    }


def _last_bank_consent(consent: Consent, others: list[Consent]) -> bool:
    """Whether withdrawing ``consent`` leaves no active consent covering bank accounts
    (SEC-6: the automatic path then pays nothing, CLM-T2)."""
    if "bank" not in people.consent_categories(consent=consent):
        return False
    return not any(
        o.id != consent.id
        and o.withdrawn_at is None
        and "bank" in people.consent_categories(consent=o)
        for o in others
    )


def _consents_page(
    request: Request, db: DB, principal: Principal, *, refusal: Refusal | None = None
) -> Response:
    language = language_of(request)
    own = people.own_consents(db, actor=principal)
    return render(
        request,
        "portal/consents.html",
        **form_context(refusal),
        consents=[_consent_row(c, language, own) for c in own],
        withdrawn=request.query_params.get("withdrawn") == "1",
        given=request.query_params.get("given") == "1",
        bank_covered=_bank_covered(own),
    )


def _bank_covered(own: list[Consent]) -> bool:
    """Whether an active consent covers bank accounts (CLM-T2 pays only then)."""
    return any(
        c.withdrawn_at is None and "bank" in people.consent_categories(consent=c) for c in own
    )


@router.get("/consents")
def consents(request: Request, db: DB, principal: Own) -> Response:
    return _consents_page(request, db, principal)


def _confirm_page(
    request: Request, db: DB, principal: Principal, consent_id: int, refusal: Refusal | None = None
) -> Response:
    own = people.own_consents(db, actor=principal)
    consent = next((c for c in own if c.id == consent_id), None)
    if consent is None:  # another person's, or none: not found alike (SEC-4)
        raise ConsentNotFound(field="consent_id")
    return render(
        request,
        "portal/consent_withdraw.html",
        **form_context(refusal),
        consent=_consent_row(consent, language_of(request), own),
    )


@router.get("/consents/{consent_id}/withdraw")
def confirm_withdrawal(consent_id: int, request: Request, db: DB, principal: Own) -> Response:
    """The confirm step: what the consent covers and what withdrawing it means."""
    return _confirm_page(request, db, principal, consent_id)


@router.post("/consents/{consent_id}/withdraw")
def withdraw(
    consent_id: int, request: Request, form: SubmittedForm, db: DB, principal: Own
) -> Response:
    reason = str(form.get("reason") or "").strip()

    def call() -> object:
        body = checked(WithdrawIn, {"reason": reason or None})
        return people.withdraw_own_consent(
            db, actor=principal, consent_id=consent_id, reason=body.reason
        )

    return form_action(
        request,
        db,
        call,
        refused=lambda refusal: _consents_page(request, db, principal, refusal=refusal),
        redirect="/portal/consents?withdrawn=1",
    )


# -- giving a consent (SEC-6) ----------------------------------------------------------------

# What the form offers: the purposes and data categories a customer may agree to, in the
# order the tables give them (code_labels: the words the list shows).
GIVE_PURPOSES = tuple(CONSENT_PURPOSES)
GIVE_CATEGORIES = tuple(DATA_CATEGORIES)
# The form's starting point when nothing is asked: paying claims to the customer's account.
BANK_CONSENT = {"purpose": "claims_handling", "scope": ["identity", "bank"]}


def _give_page(
    request: Request,
    db: DB,
    principal: Principal,
    *,
    purpose: str,
    scope: list[str],
    refusal: Refusal | None = None,
) -> Response:
    language = language_of(request)
    people.get_own_profile(db, actor=principal)  # a customer with a record only
    return render(
        request,
        "portal/consent_give.html",
        **form_context(refusal),
        purposes=[(code, consent_word(CONSENT_PURPOSES, code, language)) for code in GIVE_PURPOSES],
        categories=[
            (code, consent_word(DATA_CATEGORIES, code, language)) for code in GIVE_CATEGORIES
        ],
        chosen_purpose=purpose,
        chosen_scope=set(scope),
    )


@router.get("/consents/give")
def give_form(request: Request, db: DB, principal: Own) -> Response:
    """The form to give a consent: blank (paying claims to the customer's account), or
    the purpose and data of a withdrawn consent of theirs (``?again=<id>``)."""
    purpose, scope = BANK_CONSENT["purpose"], list(BANK_CONSENT["scope"])
    again = request.query_params.get("again", "")
    if again.isdigit():
        own = people.own_consents(db, actor=principal)
        found = next((c for c in own if c.id == int(again)), None)
        if found is None:  # another person's, or none: not found alike (SEC-4)
            raise ConsentNotFound(field="again")
        purpose, scope = (
            found.purpose,
            people.ordered_categories(codes=people.consent_categories(consent=found)),
        )
    return _give_page(request, db, principal, purpose=str(purpose), scope=[str(s) for s in scope])


@router.post("/consents/give")
def give(request: Request, form: SubmittedForm, db: DB, principal: Own) -> Response:
    purpose = str(form.get("purpose") or "")[:40]
    scope = [str(v)[:40] for v in form.getlist("scope") if v][:10]

    def call() -> object:
        body = checked(OwnConsentIn, {"purpose": purpose, "scope": scope})
        return people.give_own_consent(db, actor=principal, purpose=body.purpose, scope=body.scope)

    return form_action(
        request,
        db,
        call,
        refused=lambda refusal: _give_page(
            request, db, principal, purpose=purpose, scope=scope, refusal=refusal
        ),
        redirect="/portal/consents?given=1",
    )
