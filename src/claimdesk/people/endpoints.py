"""People API (SEC-1, SEC-5, SEC-6). Identity numbers and phones travel only in request
bodies (POST /people/lookup), never in URLs, so they stay out of access logs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.deps import DB, require
from claimdesk.people import service
from claimdesk.people.errors import NoOwnProfile
from claimdesk.people.schemas import (
    BankAccountIn,
    BankAccountOut,
    ConsentIn,
    ConsentOut,
    LanguageIn,
    LanguageOut,
    LookupIn,
    LookupOut,
    OwnConsentIn,
    PersonIn,
    PersonOut,
    RemoveAccountIn,
    WithdrawIn,
    bank_account_out,
    consent_out,
    person_out,
)
from claimdesk.people.service import PersonView

# Route permissions (SEC-4) as type aliases, so mypy sees a Principal.
NeedsPeopleRead = Annotated[Principal, Depends(require(Permission.PEOPLE_READ))]
NeedsPeopleWrite = Annotated[Principal, Depends(require(Permission.PEOPLE_WRITE))]
NeedsOwnProfile = Annotated[Principal, Depends(require(Permission.OWN_PROFILE))]

router = APIRouter(prefix="/people", tags=["people"])
me_router = APIRouter(prefix="/me", tags=["people"])


def _out(view: PersonView) -> PersonOut:
    return person_out(
        view.person,
        revealed=view.revealed,
        bank_accounts=view.bank_accounts,
        consents=view.consents,
    )


@router.post("", response_model=PersonOut, status_code=201)
def create_person(body: PersonIn, db: DB, actor: NeedsPeopleWrite) -> PersonOut:
    person = service.create_person(
        db,
        actor=actor,
        name=body.name,
        id_type=body.id_type,
        id_number=body.id_number,
        phone=body.phone,
        email=body.email,
        birth_date=body.birth_date,
        address=body.address,
        medical_notes=body.medical_notes,
        consent=body.consent,
    )
    return _out(service.get_person(db, actor=actor, person_id=person.id))


@router.post("/lookup", response_model=LookupOut)
def lookup(body: LookupIn, db: DB, actor: NeedsPeopleRead) -> LookupOut:
    found = service.lookup(db, actor=actor, id_number=body.id_number, phone=body.phone)
    views = [service.get_person(db, actor=actor, person_id=p.id) for p in found]
    return LookupOut(matches=[_out(v) for v in views])


@router.get("/{person_id}", response_model=PersonOut)
def get_person(
    person_id: int,
    db: DB,
    actor: NeedsPeopleRead,
    reveal: bool = False,
    reason: str | None = Query(default=None, max_length=500),
) -> PersonOut:
    return _out(
        service.get_person(db, actor=actor, person_id=person_id, reveal=reveal, reason=reason)
    )


@router.post("/{person_id}/bank-accounts", response_model=BankAccountOut, status_code=201)
def add_bank_account(
    person_id: int, body: BankAccountIn, db: DB, actor: NeedsPeopleWrite
) -> BankAccountOut:
    account = service.add_bank_account(
        db,
        actor=actor,
        person_id=person_id,
        holder_name=body.holder_name,
        bank_name=body.bank_name,
        account_number=body.account_number,
    )
    return bank_account_out(account, revealed=False)


@router.put("/{person_id}/language", response_model=LanguageOut)
def set_language(person_id: int, body: LanguageIn, db: DB, actor: NeedsPeopleWrite) -> LanguageOut:
    """The language the person's notices are written in, set by an agent for them."""
    person = service.set_preferred_language(
        db, actor=actor, person_id=person_id, language=body.language
    )
    return LanguageOut(person_id=person.id, language=person.preferred_language or "zh-CN")


@router.post("/{person_id}/consents", response_model=ConsentOut, status_code=201)
def record_consent(person_id: int, body: ConsentIn, db: DB, actor: NeedsPeopleWrite) -> ConsentOut:
    return consent_out(service.record_consent(db, actor=actor, person_id=person_id, consent=body))


@router.get("/{person_id}/consents", response_model=list[ConsentOut])
def list_consents(person_id: int, db: DB, actor: NeedsPeopleRead) -> list[ConsentOut]:
    return [consent_out(c) for c in service.list_consents(db, actor=actor, person_id=person_id)]


@router.post("/{person_id}/consents/{consent_id}/withdraw", response_model=ConsentOut)
def withdraw_consent(
    person_id: int, consent_id: int, body: WithdrawIn, db: DB, actor: NeedsPeopleWrite
) -> ConsentOut:
    return consent_out(
        service.withdraw_consent(
            db, actor=actor, person_id=person_id, consent_id=consent_id, reason=body.reason
        )
    )


@me_router.get("/profile", response_model=PersonOut)
def my_profile(db: DB, actor: NeedsOwnProfile) -> PersonOut:
    return _out(service.get_own_profile(db, actor=actor))


@me_router.get("/bank-accounts", response_model=list[BankAccountOut])
def my_bank_accounts(db: DB, actor: NeedsOwnProfile) -> list[BankAccountOut]:
    """The customer's own payout accounts, masked (SEC-1, SEC-4)."""
    return [bank_account_out(a, revealed=False) for a in service.own_bank_accounts(db, actor=actor)]


@me_router.post("/bank-accounts", response_model=BankAccountOut, status_code=201)
def add_my_bank_account(body: BankAccountIn, db: DB, actor: NeedsOwnProfile) -> BankAccountOut:
    """A customer registers a payout account in their own name (CLM-T2); another
    person's account is the service desk's (POST /people/{id}/bank-accounts)."""
    account = service.add_own_bank_account(
        db,
        actor=actor,
        holder_name=body.holder_name,
        bank_name=body.bank_name,
        account_number=body.account_number,
    )
    return bank_account_out(account, revealed=False)


@me_router.post("/bank-accounts/{account_id}/remove", response_model=BankAccountOut)
def remove_my_bank_account(
    account_id: int, body: RemoveAccountIn, db: DB, actor: NeedsOwnProfile
) -> BankAccountOut:
    """A customer removes one of their payout accounts (CLM-P1): kept for the payments
    that name it, paid no more. 409 while a claim needs it (a payment to it not yet
    made; the only account with a claim approved and waiting to be paid)."""
    account = service.remove_own_bank_account(
        db, actor=actor, account_id=account_id, reason=body.reason
    )
    return bank_account_out(account, revealed=False)


@me_router.get("/consents", response_model=list[ConsentOut])
def my_consents(db: DB, actor: NeedsOwnProfile) -> list[ConsentOut]:
    """The customer's own consents, withdrawn ones too (SEC-6)."""
    return [consent_out(c) for c in service.own_consents(db, actor=actor)]


@me_router.post("/consents", response_model=ConsentOut, status_code=201)
def give_my_consent(body: OwnConsentIn, db: DB, actor: NeedsOwnProfile) -> ConsentOut:
    """A customer gives (or gives again) a consent themself (SEC-6): the purpose and the
    data it covers; recorded as given online with the statement they agreed to. 409
    when an active consent for that purpose already covers the data."""
    return consent_out(
        service.give_own_consent(db, actor=actor, purpose=body.purpose, scope=body.scope)
    )


@me_router.post("/consents/{consent_id}/withdraw", response_model=ConsentOut)
def withdraw_my_consent(
    consent_id: int, body: WithdrawIn, db: DB, actor: NeedsOwnProfile
) -> ConsentOut:
    """A customer withdraws their own consent (SEC-6); row-level: only their record."""
    return consent_out(
        service.withdraw_own_consent(db, actor=actor, consent_id=consent_id, reason=body.reason)
    )


@me_router.put("/language", response_model=LanguageOut)
def set_my_language(body: LanguageIn, db: DB, actor: NeedsOwnProfile) -> LanguageOut:
    """A customer chooses the language of their own notices (the app's switch)."""
    if actor.person_id is None:
        raise NoOwnProfile()
    person = service.set_preferred_language(
        db, actor=actor, person_id=actor.person_id, language=body.language
    )
    return LanguageOut(person_id=person.id, language=person.preferred_language or "zh-CN")
