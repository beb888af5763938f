"""People and their personal data (SEC-1, SEC-5, SEC-6).

* Identity numbers, phones, addresses, medical notes and bank account numbers are held
  in ``EncryptedString`` columns; look-ups go through keyed hashes (blind indexes) of the
  normalised value, so the clear value never reaches the database.
* Nothing is collected without a recorded consent whose scope covers the data category.
* Views are masked by default. Seeing a value in full needs ``PEOPLE_READ_PII`` and a
  reason, and writes an audit entry; so does every look-up by identity number or phone.
  Audit details carry ids and field names, never the data itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.code_labels import CONSENT_PURPOSES, DATA_CATEGORIES, consent_word
from claimdesk.crypto.indexes import PURPOSE_BANK_ACCOUNT, PURPOSE_ID_NUMBER, PURPOSE_PHONE
from claimdesk.crypto.keyring import blind_index
from claimdesk.errors import ConsentMissing, PermissionDenied
from claimdesk.models.base import utcnow
from claimdesk.models.person import BankAccount, Consent, Person
from claimdesk.people import repository
from claimdesk.people.errors import (
    BankAccountAlreadyExists,
    BankAccountAlreadyRemoved,
    BankAccountHasUnpaidPayment,
    BankAccountNotFound,
    BankAccountOnlyOneForApprovedClaim,
    BirthDateMismatch,
    ConsentAlreadyGiven,
    ConsentAlreadyWithdrawn,
    ConsentNotFound,
    ConsentScopeInsufficient,
    HolderNotOwnName,
    InvalidDocumentNumber,
    LookupKeyRequired,
    NameMismatch,
    NoOwnProfile,
    PersonAlreadyExists,
    PersonNotFound,
    PhoneMismatch,
    RevealReasonRequired,
    UnsupportedCustomerLanguage,
)
from claimdesk.people.schemas import (
    DEFAULT_NOTICE_LANGUAGE,
    ConsentIn,
    ConsentPurpose,
    DataCategory,
)
from claimdesk.rules.identity import validate_bank_card, validate_mobile, validate_resident_id

_DOCUMENT = re.compile(r"^[A-Z0-9]{5,20}$")


@dataclass(frozen=True)
class PersonView:
    """What a caller may see of a person; ``revealed`` says whether values are in full."""

    person: Person
    bank_accounts: list[BankAccount]
    consents: list[Consent]
    revealed: bool


# --- consent (SEC-6) ------------------------------------------------------------------


def consent_categories(*, consent: Consent) -> set[str]:
    return {part for part in consent.scope.split(",") if part}


def _require_categories(
    granted: Iterable[Consent | ConsentIn], needed: set[str], *, field: str
) -> None:
    covered: set[str] = set()
    for item in granted:
        covered |= (
            consent_categories(consent=item) if isinstance(item, Consent) else set(item.scope)
        )
    missing = sorted(needed - covered)
    if missing:
        raise ConsentScopeInsufficient(field=field, categories=tuple(missing))


def has_consent(session: Session, *, person_id: int, purpose: str) -> bool:
    """Whether the person has an active (not withdrawn) consent for the purpose; e.g.
    customer care (SVC-6) only writes to people who agreed to ``customer_care``."""
    return any(
        c.purpose == purpose for c in repository.active_consents(session, person_id=person_id)
    )


def consent_covers(session: Session, *, person_id: int, category: str) -> bool:
    """Whether the person's active (not withdrawn) consents cover the data ``category``
    (SEC-6): the automatic path asks before it pays to a bank account (CLM-T2)."""
    return any(
        category in consent_categories(consent=c)
        for c in repository.active_consents(session, person_id=person_id)
    )


def _new_consent(person_id: int, consent: ConsentIn, actor: Principal) -> Consent:
    return Consent(
        person_id=person_id,
        purpose=consent.purpose,
        scope=",".join(sorted(set(consent.scope))),
        method=consent.method,
        text=consent.text,
        granted_at=utcnow(),
        recorded_by_id=actor.user_id,
    )


# --- identity -------------------------------------------------------------------------


def normalise_document(
    *, id_type: str, id_number: str, birth_date: dt.date | None, field: str = "id_number"
) -> tuple[str, dt.date | None, str | None]:
    """(normalised number, birth date, gender). A resident ID carries the birth date and
    gender; a birth date given alongside it must agree."""
    if id_type == "resident_id":
        parsed = validate_resident_id(id_number, field=field)
        if birth_date is not None and birth_date != parsed.birth_date:
            raise BirthDateMismatch(field="birth_date", expected=parsed.birth_date.isoformat())
        return parsed.number, parsed.birth_date, parsed.gender
    number = "".join(id_number.split()).upper()
    if not _DOCUMENT.match(number):
        raise InvalidDocumentNumber(field=field)
    return number, birth_date, None


def create_person(
    session: Session,
    *,
    actor: Principal,
    name: str,
    id_number: str,
    consent: ConsentIn | None,
    id_type: str = "resident_id",
    phone: str | None = None,
    email: str | None = None,
    birth_date: dt.date | None = None,
    address: str | None = None,
    medical_notes: str | None = None,
    org_unit_id: int | None = None,
) -> Person:
    if consent is None:
        raise ConsentMissing(field="consent")
    needed = {"identity"}
    if phone or email or address:
        needed.add("contact")
    if medical_notes:
        needed.add("medical")
    _require_categories([consent], needed, field="consent.scope")
    number, birth, gender = normalise_document(
        id_type=id_type, id_number=id_number, birth_date=birth_date
    )
    mobile = validate_mobile(phone) if phone else None
    id_hash = blind_index(number, PURPOSE_ID_NUMBER)
    existing = repository.any_person_with_id_hash(session, id_hash=id_hash)
    if existing is not None:
        raise PersonAlreadyExists(field="id_number", what="person", person_id=existing)
    person = Person(
        name=name.strip(),
        id_type=id_type,
        id_number=number,
        id_number_hash=id_hash,
        id_number_last4=number[-4:],
        phone=mobile,
        phone_hash=blind_index(mobile, PURPOSE_PHONE) if mobile else None,
        email=email.strip() if email else None,
        birth_date=birth,
        gender=gender,
        address=address.strip() if address else None,
        medical_notes=medical_notes or None,
        org_unit_id=org_unit_id if org_unit_id is not None else actor.org_unit_id,
    )
    session.add(person)
    session.flush()
    stored = _new_consent(person.id, consent, actor)
    session.add(stored)
    session.flush()
    _audit_creation(session, actor=actor, person=person, stored=stored)
    return person


def _audit_creation(session: Session, *, actor: Principal, person: Person, stored: Consent) -> None:
    """Two audit rows: the person (which fields were filled, never their values) and the
    consent given with them."""
    record(
        session,
        actor=actor,
        action="person.created",
        entity_type="person",
        entity_id=person.id,
        details={
            "id_type": person.id_type,
            "consent_id": stored.id,
            "fields": sorted(_filled_fields(person)),
        },
    )
    record(
        session,
        actor=actor,
        action="consent.granted",
        entity_type="consent",
        entity_id=stored.id,
        details={
            "person_id": person.id,
            "purpose": stored.purpose,
            "scope": stored.scope,
            "method": stored.method,
        },
    )


CONTACT_FIELDS = ("phone", "email", "address")


def change_contact(
    session: Session,
    *,
    actor: Principal,
    person_id: int,
    values: dict[str, str],
    reason: str,
) -> dict[str, str | None]:
    """A person's contact details replaced by ``values`` (checked by the caller: a
    policy change's, POL-2), the phone's keyed hash kept with it (SEC-1); the values
    replaced are returned. Audited with the fields changed, never their values."""
    person = session.get(Person, person_id)
    if person is None:
        raise PersonNotFound()
    before: dict[str, str | None] = {}
    for field in CONTACT_FIELDS:
        if field not in values:
            continue
        before[field] = getattr(person, field)
        setattr(person, field, values[field])
        if field == "phone":
            person.phone_hash = blind_index(values[field], PURPOSE_PHONE)
    session.flush()
    record(
        session,
        actor=actor,
        action="person.contact_changed",
        entity_type="person",
        entity_id=person.id,
        reason=reason,
        details={"fields": sorted(before)},
    )
    return before


# The languages a customer's notices are written in; a person with none reads zh-CN.
CUSTOMER_LANGUAGES = {"zh-cn": "zh-CN", "en": "en"}
DEFAULT_CUSTOMER_LANGUAGE = DEFAULT_NOTICE_LANGUAGE


def customer_language(session: Session, *, person_id: int | None) -> str:
    """The language notices to ``person_id`` are written in: their choice, else zh-CN."""
    return repository.preferred_language(session, person_id=person_id) or DEFAULT_CUSTOMER_LANGUAGE


def set_preferred_language(
    session: Session, *, actor: Principal, person_id: int, language: str, field: str = "language"
) -> Person:
    """Record the language ``person_id`` reads their notices in ("zh-CN" or "en"): the
    customer themself (the portal's language switch, /me), or staff who may write people
    (an agent on the phone). Anything else is refused naming ``field`` (GEN-6); a choice
    already on record changes nothing and is not audited again."""
    chosen = CUSTOMER_LANGUAGES.get((language or "").strip().lower())
    if chosen is None:
        raise UnsupportedCustomerLanguage(field=field)
    staff = actor.session_kind == "system" or actor.has(Permission.PEOPLE_WRITE)
    if not staff and actor.person_id != person_id:
        raise PermissionDenied()
    person = repository.get_person(session, actor=actor, person_id=person_id)
    if person is None:
        raise PersonNotFound(field="person_id")
    before = person.preferred_language
    if before == chosen:
        return person
    person.preferred_language = chosen
    session.flush()
    record(
        session,
        actor=actor,
        action="person.language_set",
        entity_type="person",
        entity_id=person.id,
        details={"before": before, "after": chosen},
    )
    return person


def record_identity_verified(
    session: Session, *, actor: Principal, person_id: int, reason: str
) -> None:
    """Audit that a person's resident ID passed GB 11643 for ``reason`` (POL-1)."""
    record(
        session,
        actor=actor,
        action="person.identity_verified",
        entity_type="person",
        entity_id=person_id,
        reason=reason,
        details={"check": "GB 11643"},
    )


def person_id_for_document(session: Session, *, id_number: str) -> int | None:
    """Who holds this (normalised) identity number, by its keyed hash; no row scope, no
    audit: the caller learns an id it only compares (as the uniqueness check does)."""
    return repository.any_person_with_id_hash(
        session, id_hash=blind_index(id_number, PURPOSE_ID_NUMBER)
    )


def person_for_document(
    session: Session,
    *,
    actor: Principal,
    name: str,
    id_number: str,
    phone: str,
    consent: ConsentIn,
    field: str,
) -> Person:
    """The person holding this resident ID (the number already checked by the caller),
    found by its keyed hash — the name and a phone given must be the ones registered,
    their consent recorded and a missing phone filled in — or registered now with that
    consent (SEC-6). ``field`` prefixes the fields an error names."""
    found = person_id_for_document(session, id_number=id_number)
    if found is None:
        return create_person(
            session, actor=actor, name=name, id_number=id_number, phone=phone, consent=consent
        )
    person = session.get(Person, found)
    assert person is not None  # the id was just read
    if person.name.strip() != name.strip():
        raise NameMismatch(field=f"{field}.name")
    if person.phone_hash is not None and person.phone_hash != blind_index(phone, PURPOSE_PHONE):
        # The registered mobile receives the person's login codes (SEC-9) and notices: a
        # request made with someone else (a policyholder handing a policy over) never
        # replaces it, and a differing one is refused, not silently dropped. Compared by
        # keyed hash, as a look-up by phone is: nothing is decrypted.
        raise PhoneMismatch(field=f"{field}.phone")
    _require_categories([consent], {"identity", "contact"}, field=f"{field}.consent")
    if person.phone is None:
        person.phone, person.phone_hash = phone, blind_index(phone, PURPOSE_PHONE)
    _grant(session, actor, person.id, _new_consent(person.id, consent, actor))
    return person


def _filled_fields(person: Person) -> set[str]:
    names = ("id_number", "phone", "email", "address", "medical_notes")
    return {name for name in names if getattr(person, name)}


# --- reading --------------------------------------------------------------------------


def _may_read_pii(actor: Principal) -> bool:
    # Jobs and the CLI (payments, exports) act as the system; still audited.
    return actor.session_kind == "system" or actor.has(Permission.PEOPLE_READ_PII)


def _view(session: Session, person: Person, *, revealed: bool) -> PersonView:
    return PersonView(
        person=person,
        # The staff's view keeps removed accounts (history; marked by removed_at).
        bank_accounts=repository.bank_accounts_of(
            session, person_id=person.id, include_removed=True
        ),
        consents=repository.consents_of(session, person_id=person.id),
        revealed=revealed,
    )


def get_person(
    session: Session,
    *,
    actor: Principal,
    person_id: int,
    reveal: bool = False,
    reason: str | None = None,
) -> PersonView:
    """Masked by default. ``reveal`` needs PEOPLE_READ_PII and a reason; it is audited
    as ``person.pii_read`` with that reason (SEC-5)."""
    if reveal:
        if not _may_read_pii(actor):
            raise PermissionDenied()
        if not reason or len(reason.strip()) < 2:
            raise RevealReasonRequired(field="reason")
    person = repository.get_person(session, actor=actor, person_id=person_id)
    if person is None:
        raise PersonNotFound()
    view = _view(session, person, revealed=reveal)
    if reveal:
        fields = _filled_fields(person) | ({"bank_accounts"} if view.bank_accounts else set())
        record(
            session,
            actor=actor,
            action="person.pii_read",
            entity_type="person",
            entity_id=person.id,
            reason=reason.strip() if reason else None,
            details={"fields": sorted(fields)},
        )
    return view


def get_own_profile(session: Session, *, actor: Principal) -> PersonView:
    """A customer's own record (row-level: only ``actor.person_id``), masked."""
    if actor.person_id is None:
        raise NoOwnProfile()
    person = repository.get_person(session, actor=actor, person_id=actor.person_id)
    if person is None:
        raise NoOwnProfile()
    return _view(session, person, revealed=False)


def _audit_lookup(
    session: Session, actor: Principal, by: str, matches: list[Person], reason: str | None
) -> None:
    record(
        session,
        actor=actor,
        action="person.lookup",
        entity_type="person",
        entity_id=matches[0].id if len(matches) == 1 else None,
        reason=reason,
        details={"by": by, "matches": [p.id for p in matches]},
    )


def find_by_id_number(
    session: Session, *, actor: Principal, id_number: str, reason: str | None = None
) -> list[Person]:
    """People whose identity number equals ``id_number`` (via its keyed hash). Audited:
    the answer tells the caller whose number it is."""
    # Normalised exactly as at creation (blind_index also drops spaces and upper-cases).
    found = repository.people_by_id_hash(
        session, actor=actor, id_hash=blind_index(id_number, PURPOSE_ID_NUMBER)
    )
    _audit_lookup(session, actor, "id_number", found, reason)
    return found


def find_by_phone(
    session: Session, *, actor: Principal, phone: str, reason: str | None = None
) -> list[Person]:
    mobile = validate_mobile(phone)
    found = repository.people_by_phone_hash(
        session, actor=actor, phone_hash=blind_index(mobile, PURPOSE_PHONE)
    )
    _audit_lookup(session, actor, "phone", found, reason)
    return found


def lookup(
    session: Session,
    *,
    actor: Principal,
    id_number: str | None,
    phone: str | None,
    reason: str | None = None,
) -> list[Person]:
    if bool(id_number) == bool(phone):
        raise LookupKeyRequired(field="id_number")
    if id_number:
        return find_by_id_number(session, actor=actor, id_number=id_number, reason=reason)
    assert phone is not None
    return find_by_phone(session, actor=actor, phone=phone, reason=reason)


# --- bank accounts (CLM-P1) -----------------------------------------------------------


def add_bank_account(
    session: Session,
    *,
    actor: Principal,
    person_id: int,
    holder_name: str,
    bank_name: str,
    account_number: str,
) -> BankAccount:
    person = repository.get_person(session, actor=actor, person_id=person_id)
    if person is None:
        raise PersonNotFound(field="person_id")
    _require_categories(
        repository.active_consents(session, person_id=person_id), {"bank"}, field="consent"
    )
    number = validate_bank_card(account_number, field="account_number")
    account_hash = blind_index(number, PURPOSE_BANK_ACCOUNT)
    known = repository.bank_account_by_hash(session, person_id=person_id, account_hash=account_hash)
    if known is not None and known.removed_at is None:
        raise BankAccountAlreadyExists(field="account_number", what="bank account")
    if known is not None:
        return _restore_bank_account(
            session, actor=actor, person=person, account=known, bank_name=bank_name
        )
    account = BankAccount(
        person_id=person_id,
        holder_name=holder_name.strip(),
        bank_name=bank_name.strip(),
        account_number=number,
        account_hash=account_hash,
        account_last4=number[-4:],
    )
    session.add(account)
    session.flush()
    record(
        session,
        actor=actor,
        action="bank_account.added",
        entity_type="bank_account",
        entity_id=account.id,
        details={
            "person_id": person_id,
            "bank_name": account.bank_name,
            "holder_is_person": same_name(account.holder_name, person.name),
        },
    )
    return account


def _restore_bank_account(
    session: Session, *, actor: Principal, person: Person, account: BankAccount, bank_name: str
) -> BankAccount:
    """A removed account added again: the same row in use again (its payments' history
    stays on it), the bank's name as now given; audited ``bank_account.restored``."""
    account.removed_at = None
    account.bank_name = bank_name.strip()
    session.flush()
    record(
        session,
        actor=actor,
        action="bank_account.restored",
        entity_type="bank_account",
        entity_id=account.id,
        details={
            "person_id": person.id,
            "bank_name": account.bank_name,
            "holder_is_person": same_name(account.holder_name, person.name),
        },
    )
    return account


def remove_bank_account(
    session: Session,
    *,
    actor: Principal,
    person_id: int,
    account_id: int,
    reason: str | None = None,
) -> BankAccount:
    """The account taken out of use (CLM-P1): no payment is offered it, the automatic
    path does not pay to it (CLM-T2) and the customer's lists leave it out; the row stays
    (payments, bank files and the checks' history name it). Refused (409) while a claim
    still needs it: a payment to it not yet made (pending, in a bank file, or failed and
    to be sent again, CLM-P5) — ``BankAccountHasUnpaidPayment`` —, or it is the person's
    only account in use and a claim of theirs is approved and waiting to be paid —
    ``BankAccountOnlyOneForApprovedClaim``. Audited ``bank_account.removed``."""
    if repository.get_person(session, actor=actor, person_id=person_id) is None:
        raise PersonNotFound(field="person_id")
    account = repository.get_bank_account(session, actor=actor, account_id=account_id)
    if account is None or account.person_id != person_id:
        raise BankAccountNotFound(field="account_id")
    if account.removed_at is not None:
        raise BankAccountAlreadyRemoved(at=account.removed_at.isoformat())
    unpaid = repository.claims_paying_to(session, account_id=account.id)
    if unpaid:
        raise BankAccountHasUnpaidPayment(last4=account.account_last4, claims="、".join(unpaid))
    others = [
        a for a in repository.bank_accounts_of(session, person_id=person_id) if a.id != account.id
    ]
    if not others:
        waiting = repository.claims_awaiting_payment_of(session, person_id=person_id)
        if waiting:
            raise BankAccountOnlyOneForApprovedClaim(
                last4=account.account_last4, claims="、".join(waiting)
            )
    account.removed_at = utcnow()
    session.flush()
    record(
        session,
        actor=actor,
        action="bank_account.removed",
        entity_type="bank_account",
        entity_id=account.id,
        reason=reason,
        details={"person_id": person_id, "accounts_left": len(others)},
    )
    return account


def reveal_bank_account(
    session: Session, *, actor: Principal, account_id: int, reason: str
) -> BankAccount:
    """The full account for a payment (CLM-P3); audited like any PII read."""
    if not _may_read_pii(actor):
        raise PermissionDenied()
    if not reason or len(reason.strip()) < 2:
        raise RevealReasonRequired(field="reason")
    account = repository.get_bank_account(session, actor=actor, account_id=account_id)
    # The object check before the read is the person's, whose row rule the query applied.
    if (
        account is None
        or repository.get_person(session, actor=actor, person_id=account.person_id) is None
    ):
        raise PersonNotFound(field="account_id")
    record(
        session,
        actor=actor,
        action="bank_account.pii_read",
        entity_type="bank_account",
        entity_id=account.id,
        reason=reason.strip(),
        details={"person_id": account.person_id},
    )
    return account


# --- consents -------------------------------------------------------------------------


def record_consent(
    session: Session, *, actor: Principal, person_id: int, consent: ConsentIn
) -> Consent:
    if repository.get_person(session, actor=actor, person_id=person_id) is None:
        raise PersonNotFound(field="person_id")
    return _grant(session, actor, person_id, _new_consent(person_id, consent, actor))


def _grant(session: Session, actor: Principal, person_id: int, stored: Consent) -> Consent:
    session.add(stored)
    session.flush()
    record(
        session,
        actor=actor,
        action="consent.granted",
        entity_type="consent",
        entity_id=stored.id,
        details={
            "person_id": person_id,
            "purpose": stored.purpose,
            "scope": stored.scope,
            "method": stored.method,
        },
    )
    return stored


def withdraw_consent(
    session: Session,
    *,
    actor: Principal,
    person_id: int,
    consent_id: int,
    reason: str | None = None,
) -> Consent:
    if repository.get_person(session, actor=actor, person_id=person_id) is None:
        raise PersonNotFound(field="person_id")
    consent = repository.get_consent(session, person_id=person_id, consent_id=consent_id)
    if consent is None:
        raise ConsentNotFound(field="consent_id")
    if consent.withdrawn_at is not None:
        raise ConsentAlreadyWithdrawn(at=consent.withdrawn_at.isoformat())
    consent.withdrawn_at = utcnow()
    session.flush()
    record(
        session,
        actor=actor,
        action="consent.withdrawn",
        entity_type="consent",
        entity_id=consent.id,
        reason=reason,
        details={"person_id": person_id, "purpose": consent.purpose},
    )
    return consent


def list_consents(session: Session, *, actor: Principal, person_id: int) -> list[Consent]:
    if repository.get_person(session, actor=actor, person_id=person_id) is None:
        raise PersonNotFound(field="person_id")
    return repository.consents_of(session, person_id=person_id)


def bank_accounts_of(session: Session, *, person_id: int) -> list[BankAccount]:
    """The person's registered bank accounts in use (a payee's choice on the payment
    form): a removed one is paid no more."""
    return repository.bank_accounts_of(session, person_id=person_id)


# --- the customer's own accounts and consents (portal, /me; SEC-4) ----------------------


def _own_person(session: Session, actor: Principal) -> Person:
    """The signed-in customer's own record: the principal's person id, never an id a
    form or a URL gives (SEC-4, row rule of ``repository.get_person`` too)."""
    if actor.person_id is None:
        raise NoOwnProfile()
    person = repository.get_person(session, actor=actor, person_id=actor.person_id)
    if person is None:
        raise NoOwnProfile()
    return person


def same_name(a: str, b: str) -> bool:
    """Two names the same but for spaces (王 建国 = 王建国): the automatic path's test
    of an account in the insured's own name (claims.automatic, CLM-T2)."""
    return "".join(a.split()) == "".join(b.split())


def own_bank_accounts(session: Session, *, actor: Principal) -> list[BankAccount]:
    """The customer's own payout accounts (shown masked by the caller, SEC-1)."""
    return repository.bank_accounts_of(session, person_id=_own_person(session, actor).id)


def remove_own_bank_account(
    session: Session, *, actor: Principal, account_id: int, reason: str | None = None
) -> BankAccount:
    """The customer removes one of their own payout accounts (the one path,
    ``remove_bank_account``); another person's is not found, as one that does not
    exist (SEC-4)."""
    person = _own_person(session, actor)
    return remove_bank_account(
        session, actor=actor, person_id=person.id, account_id=account_id, reason=reason
    )


def own_bank_account(session: Session, *, actor: Principal, account_id: int) -> BankAccount:
    """One of the customer's own accounts in use (the confirm step shows it); another's,
    or a removed one, is not found (SEC-4)."""
    found = next((a for a in own_bank_accounts(session, actor=actor) if a.id == account_id), None)
    if found is None:
        raise BankAccountNotFound(field="account_id")
    return found


def add_own_bank_account(
    session: Session, *, actor: Principal, holder_name: str, bank_name: str, account_number: str
) -> BankAccount:
    """A customer registers a payout account in their own name (CLM-T2: the automatic
    path pays only an account whose holder is the insured). The holder must be the
    customer's registered name — another's account is the service desk's to register —
    then the one path, ``add_bank_account``: the bank consent (SEC-6), the card rule
    (digits, 12 to 19, Luhn), the keyed hash (SEC-1) and the audit entry."""
    person = _own_person(session, actor)
    if not same_name(holder_name, person.name):
        raise HolderNotOwnName(field="holder_name")
    return add_bank_account(
        session,
        actor=actor,
        person_id=person.id,
        holder_name=holder_name,
        bank_name=bank_name,
        account_number=account_number,
    )


def own_consents(session: Session, *, actor: Principal) -> list[Consent]:
    """The customer's own consents, withdrawn ones too (SEC-6)."""
    person = _own_person(session, actor)
    return list_consents(session, actor=actor, person_id=person.id)


def withdraw_own_consent(
    session: Session, *, actor: Principal, consent_id: int, reason: str | None = None
) -> Consent:
    """The customer withdraws one of their own consents (SEC-6): a consent of anyone
    else's is not found, as one that does not exist (SEC-4)."""
    person = _own_person(session, actor)
    return withdraw_consent(
        session, actor=actor, person_id=person.id, consent_id=consent_id, reason=reason
    )


# The words a customer agrees to when they give a consent themself (portal, /me), as
# the confirm step shows them; recorded with the consent in both languages (SEC-6).
OWN_CONSENT_STATEMENT = {
    "zh-CN": "本人同意贵公司为“{purpose}”使用本人的{scope}，仅限于此用途。本人可随时撤回。",
    "en": (
        "I agree that the company may use my {scope} for “{purpose}”, and for nothing "
        "else. I may withdraw this at any time."
    ),
}
# How a consent given by the customer on the portal or the app is recorded (SEC-6).
OWN_CONSENT_METHOD = "online_click"


def ordered_categories(*, codes: Iterable[str]) -> list[str]:
    """Data categories in the table's order (identity, contact, medical, bank), an
    unknown code last."""
    given = set(codes)
    return [c for c in DATA_CATEGORIES if c in given] + sorted(given - set(DATA_CATEGORIES))


def own_consent_statement(*, purpose: str, scope: Iterable[str], language: str) -> str:
    """The statement the customer agrees to, in ``language`` ("zh-CN" or "en")."""
    chinese = language.lower().startswith("zh")
    separator = "、" if chinese else ", "
    words = separator.join(
        consent_word(DATA_CATEGORIES, c, language) for c in ordered_categories(codes=scope)
    )
    template = OWN_CONSENT_STATEMENT["zh-CN" if chinese else "en"]
    shown = words if chinese else words.lower()
    return template.format(purpose=consent_word(CONSENT_PURPOSES, purpose, language), scope=shown)


def give_own_consent(
    session: Session, *, actor: Principal, purpose: ConsentPurpose, scope: list[DataCategory]
) -> Consent:
    """The customer gives (or gives again, after withdrawing) a consent themself (SEC-6):
    the purpose and the data it covers are theirs to choose; the method is the channel's
    (``online_click``) and the words are the statement shown to them, recorded in both
    languages. The one path staff use (``record_consent``: row rule, audit
    ``consent.granted``). A consent that would add nothing — an active one for the same
    purpose already covers every category — is refused (409), so the list stays one
    line per agreement. Giving back the bank category lets the automatic path pay again
    (CLM-T2, ``no_bank_consent``)."""
    person = _own_person(session, actor)
    wanted = set(scope)
    for existing in repository.active_consents(session, person_id=person.id):
        if existing.purpose == purpose and wanted <= consent_categories(consent=existing):
            raise ConsentAlreadyGiven(consent_id=existing.id)
    text = "\n".join(
        own_consent_statement(purpose=purpose, scope=wanted, language=language)
        for language in ("zh-CN", "en")
    )
    consent = ConsentIn(
        purpose=purpose,
        scope=sorted(wanted),
        method=OWN_CONSENT_METHOD,
        text=text,
    )
    return record_consent(session, actor=actor, person_id=person.id, consent=consent)
